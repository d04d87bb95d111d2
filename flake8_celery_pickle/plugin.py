"""The flake8 adapter: turns the Python checker's findings into flake8 results.

flake8 does discovery, ``# noqa``, selection and reporting itself; this class only hands the
parsed tree and lines to :mod:`flake8_celery_pickle.python` and yields what it finds. Options are
turned into one frozen :class:`~flake8_celery_pickle.settings.Settings` in ``parse_options``, which
flake8 calls again in every worker process, so ``--jobs`` with any start method sees them.
"""

from __future__ import annotations

import ast
from typing import Any, ClassVar, Iterator, List, Optional, Sequence, Tuple

from flake8_celery_pickle.codes import DEFAULT_IGNORE
from flake8_celery_pickle.python import check_tree
from flake8_celery_pickle.settings import DEFAULT_NAMESPACES, DEFAULTS, Settings

Result = Tuple[int, int, str, type]


class Plugin:
    """flake8 entry point ``CPK``."""

    settings: ClassVar[Settings] = DEFAULTS

    def __init__(self, tree: ast.AST, lines: Optional[Sequence[str]] = None) -> None:
        self._tree = tree
        self._lines = lines

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        option_manager.add_option(
            "--celery-pickle-namespaces",
            default=",".join(DEFAULT_NAMESPACES),
            parse_from_config=True,
            comma_separated_list=True,
            help="Django namespaces whose <NS>_TASK_SERIALIZER and similar names are Celery "
            "settings, comma separated (Default: %(default)s)",
        )
        option_manager.add_option(
            "--celery-pickle-unsafe-serializers",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="serializer names or content types that this project registers elsewhere "
            "with decoders that can run code; they are treated like pickle (Default: none)",
        )
        option_manager.extend_default_ignore(list(DEFAULT_IGNORE))

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.settings = Settings.from_options(
            _as_list(getattr(options, "celery_pickle_namespaces", None)),
            _as_list(getattr(options, "celery_pickle_unsafe_serializers", None)),
        )

    def run(self) -> Iterator[Result]:
        for finding in check_tree(self._tree, self._lines, self.settings):
            yield finding.line, finding.col, finding.text, type(self)


def _as_list(value: Any) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.split(",")]
    return [str(part) for part in value]
