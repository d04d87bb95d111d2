"""The text gate: can this source hold a CPK finding at all?

A file passes when its text holds what some check needs before it can report:

* a pickle spelling (``pickle`` also covers ``fernet_pickle`` and every pickle-loading decoder,
  ``python-serialize`` both pickle content types), a serializer name the user declared unsafe,
  or a pickling result backend (``django-cache``, ``db+``): every value check (CPK001-CPK003,
  CPK005, CPK006, CPK009, CPK010) and most switches need one;
* ``kombu`` together with a registry word (``register``, ``insecure_serializers``,
  ``_set_default_serializer``, ``force``): kombu's switches and registrations (CPK007, CPK008)
  are resolved only in modules that import kombu; ``kombu.serializers`` for entry points;
* the ``Celery`` class used in a way that can build an app (CPK004): called, imported, aliased,
  or subclassed. Mentions in prose ("the Celery application") do not count.

A file without any of them cannot produce a finding, so it is never parsed (the command) or
walked (the plugin). The gate errs towards letting files through: it never rejects a file that
can hold a finding the checker reports (the fixtures and the hypothesis properties prove it),
with one deliberate exception: a pickle value whose letters never stand together in the source
(adjacent literals ``'pic' 'kle'``, escapes such as ``'\\x70ickle'``) is held back. That is
obfuscation, not configuration, and catching it would mean tokenizing every file.
Files that merely mention Celery or kombu, which is nearly every module of those projects and
of the applications built on them, no longer cost a parse.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Pattern

from flake8_celery_pickle.settings import DEFAULTS, Settings

#: Words any one of which lets a file through.
GATE_WORDS = ("pickle", "python-serialize", "django-cache", "db+", "kombu.serializers")
#: Words that let a file through only beside ``kombu``.
KOMBU_WORDS = (
    # Not ``register(``: an alias (``register as add_codec``), a reference held in a name, or a
    # space before the parenthesis registers just the same.
    "register",
    "insecure_serializers",
    "_set_default_serializer",
    "force",
)
#: Uses of the ``Celery`` class that can lead to ``Celery(...)``: a call (also of a subclass
#: such as ``MyCelery(``), ``Celery as App``, an import or class line naming it, an alias
#: (``App = celery.Celery``), and the name alone on a line of a parenthesised import or base list.
_APP_USE_PATTERN = (
    r"Celery\s*\("
    r"|\bCelery\s+as\b"
    r"|^[ \t]*(?:from|import|class)\b[^\n]*\bCelery\b"
    r"|=\s*(?:[\w.]+\.)?Celery\b"
    r"|^[ \t]*(?:[\w.]+\.)?Celery\s*,?[ \t]*(?:#[^\n]*)?$"
)
_app_use: Optional[Pattern[str]] = None  # compiled on first use: the plugin's import stays lean


def _app_pattern() -> Pattern[str]:
    global _app_use
    if _app_use is None:
        _app_use = re.compile(_APP_USE_PATTERN, re.MULTILINE)
    return _app_use


def may_hold_finding(text: str | Iterable[str], settings: Settings = DEFAULTS) -> bool:
    """Whether ``text`` (a string, or lines as flake8 gives them) may hold a finding.

    Plain substring tests first (several times faster than one regular expression with
    alternatives); the app pattern runs only on text that names ``Celery``.
    """
    if not isinstance(text, str):
        text = "".join(text)
    if any(word in text for word in GATE_WORDS):
        return True
    if any(word in text for word in settings.unsafe_serializers):
        return True
    if "kombu" in text and any(word in text for word in KOMBU_WORDS):
        return True
    return may_use_celery_class(text)


def may_use_celery_class(text: str) -> bool:
    """Whether ``text`` uses the ``Celery`` class in a way that can build an app (CPK004)."""
    return "Celery" in text and _app_pattern().search(text) is not None
