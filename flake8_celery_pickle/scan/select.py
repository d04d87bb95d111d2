"""``--select``, ``--ignore``, ``--extend-select``, ``--extend-ignore`` with flake8's meaning.

Codes are matched by prefix. Without options every ``CPK`` code is selected and the codes that are
off by default (:data:`~flake8_celery_pickle.codes.DEFAULT_IGNORE`) are ignored. As in flake8,
an explicit ``--ignore`` replaces the default ignore list, an explicit selection beats an implicit
ignore, and when a code is in both lists with the same standing the longer prefix wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from flake8_celery_pickle.codes import DEFAULT_IGNORE

#: flake8's rule for code prefixes in select and ignore lists.
VALID_PREFIX = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$", re.ASCII)
DEFAULT_SELECT: tuple[str, ...] = ("CPK",)


def invalid_prefixes(codes: Sequence[str]) -> tuple[str, ...]:
    """The entries of ``codes`` that are not valid flake8 code prefixes."""
    return tuple(code for code in codes if not VALID_PREFIX.match(code))


def _ordered(codes: Sequence[str]) -> tuple[str, ...]:
    # Reverse order puts a longer prefix before any shorter prefix of it.
    return tuple(sorted(codes, reverse=True))


class Selection:
    """Decides whether a code is reported."""

    def __init__(
        self,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] | None = None,
        extend_select: Sequence[str] = (),
        extend_ignore: Sequence[str] = (),
        default_ignore: Sequence[str] = DEFAULT_IGNORE,
    ) -> None:
        self.explicit_select = _ordered([*(select or ()), *extend_select])
        self.explicit_ignore = _ordered([*(ignore or ()), *extend_ignore])
        base_select = list(select) if select is not None else list(DEFAULT_SELECT)
        self.all_selected = _ordered([*base_select, *extend_select])
        base_ignore = list(ignore) if ignore is not None else list(default_ignore)
        self.all_ignored = _ordered([*base_ignore, *extend_ignore])
        self._cache: dict[str, bool] = {}

    def is_selected(self, code: str) -> bool:
        decision = self._cache.get(code)
        if decision is None:
            decision = self._decide(code)
            self._cache[code] = decision
        return decision

    def _decide(self, code: str) -> bool:
        explicitly_selected = code.startswith(self.explicit_select)
        selected = explicitly_selected or code.startswith(self.all_selected)
        explicitly_ignored = code.startswith(self.explicit_ignore)
        ignored = explicitly_ignored or code.startswith(self.all_ignored)
        if not selected:
            return False
        if not ignored:
            return True
        if explicitly_selected and not explicitly_ignored:
            return True
        if explicitly_ignored and not explicitly_selected:
            return False
        # In both lists with the same standing: the longer (first in reverse order) prefix wins.
        select = next(s for s in self.all_selected if code.startswith(s))
        ignore = next(s for s in self.all_ignored if code.startswith(s))
        return len(select) > len(ignore)
