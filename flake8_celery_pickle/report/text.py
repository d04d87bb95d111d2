"""``text``: one ``path:line:col: CODE message`` line per finding, as flake8 prints them.

Columns follow flake8 (1-based UTF-8 bytes), so editors and review tools that already parse
flake8 output read this too. Control characters in paths and messages are escaped, so a file
name cannot start a line of its own; a path that would make the line look like a GitHub Actions
workflow command (``::error ...``, which the runner reads from any step's output) gets a ``./``
prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flake8_celery_pickle.codes import Rule
from flake8_celery_pickle.report.model import Report

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape(text: str) -> str:
    """Replace control and line-separator characters with visible escapes."""
    return _CONTROL.sub(lambda m: _escape_char(m.group()), text)


def escape_path(path: str) -> str:
    """``path`` for the start of an output line: escaped, and never a workflow command.

    The Actions runner treats any output line that starts with ``::`` after leading whitespace
    as a command, so ``./`` (the same file) goes in front of such a name.
    """
    shown = escape(path)
    if shown.lstrip().startswith("::"):
        shown = "./" + shown
    return shown


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def render(report: Report, rules: Mapping[str, Rule]) -> str:
    lines = [
        f"{escape_path(item.path)}:{item.line}:{item.byte_column}: {item.code} "
        f"{escape(item.finding.message)}"
        for item in report.items
    ]
    return "".join(line + "\n" for line in lines)
