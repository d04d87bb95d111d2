"""A shell view of a systemd unit (``celery.service``, ``celerybeat.service``), so that the Bash
rules read its ``Environment=`` and ``Exec*=`` lines.

A unit file is not shell, but the two parts of it that can enable pickle are shell-like:
``Environment=`` holds space-separated ``NAME=value`` assignments (each may be quoted whole,
and the key may repeat), and ``ExecStart=`` and the other ``Exec*=`` keys hold a command line,
often ``/bin/sh -c '<script>'`` as in Celery's own ``celery.service``. Read as INI, repeated
``Environment=`` keys collapse into one, backslash continuations (``\\`` at the end of a line,
unindented or not) break the parse, and nothing understands the command lines, so this module
rewrites the unit, character by character and keeping every line's length, into shell text
with the same positions (as :mod:`.dockerfile` does for Dockerfiles):

* section headers, and every key but ``Environment`` and ``Exec*`` (``EnvironmentFile=`` is only
  a path), become spaces, continuation lines included;
* ``Environment=`` becomes ``env`` and spaces, so that its assignments, quoted or not, are the
  arguments of one ``env`` command (reported where each assignment starts, as list items
  ``- NAME=value`` are in YAML); ``Exec*=`` (with its ``-@:+!`` prefixes) becomes spaces, so
  that the value is read as the command it is;
* ``<shell> -c '<script>'`` loses the shell, the ``-c`` and the quotes, leaving the script;
* ``;`` comment lines become ``#`` comments, so that ``ast-grep-ignore`` works after either;
  comment lines inside a continued value become spaces ending in a backslash.
"""

from __future__ import annotations

import re
from typing import List

_SECTION = re.compile(r"^\s*\[[^\]]*\]\s*$")
_KEY = re.compile(r"^(\s*)([A-Za-z][A-Za-z0-9_-]*)(\s*=\s*)")
_EXEC_PREFIX = re.compile(r"[-@:+!]*")
_SHELL_C = re.compile(
    r"""(?:/usr)?(?:/bin/)?(?:ba|da|z)?sh\s+-c\s+(['"])""",
)


def _blank(text: str) -> str:
    return "".join(ch if ch in "\r\n" else " " for ch in text)


def _continues(line: str) -> bool:
    return line.rstrip().endswith("\\")


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith(("#", ";"))


def _entries(lines: List[str]) -> List[List[int]]:
    """Groups of line numbers: one group per logical line (a line and its continuations)."""
    groups: List[List[int]] = []
    current: List[int] = []
    for number, line in enumerate(lines):
        current.append(number)
        if current[0] != number and _is_comment(line):
            continue  # a comment line inside a continued value: the value goes on
        if _is_comment(line) or not _continues(line):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _unwrap_shell(value: str) -> str:
    """``/bin/sh -c '<script>'`` -> the script in place (the rest blanked)."""
    match = _SHELL_C.match(value)
    if not match:
        return value
    quote = match.group(1)
    end = len(value.rstrip())
    if end <= match.end() or value[end - 1] != quote:
        return value
    return _blank(value[: match.end()]) + value[match.end() : end - 1] + " " + value[end:]


def shell_view(text: str) -> str:
    """The shell view of a systemd unit (same number of lines, same length of every line)."""
    lines = text.split("\n")
    out = list(lines)
    for group in _entries(lines):
        first = lines[group[0]]
        if _is_comment(first):
            stripped = first.lstrip()
            if stripped.startswith(";"):
                lead = len(first) - len(stripped)
                out[group[0]] = first[:lead] + "#" + stripped[1:]
            continue
        if not first.strip():
            continue
        match = _KEY.match(first)
        key = match.group(2) if match else ""
        if key != "Environment" and not key.startswith("Exec"):
            for number in group:
                out[number] = _blank(lines[number])
            continue
        # The logical value, with its line breaks kept so that positions do not move.
        start = match.end() if match else 0
        if key.startswith("Exec"):
            start += _EXEC_PREFIX.match(first, start).end() - start  # type: ignore[union-attr]
        joined = "\n".join(lines[number] for number in group)
        value = joined[start:]
        if key.startswith("Exec"):
            value = _unwrap_shell(value)
        head = _blank(joined[:start])
        if key == "Environment":
            # `env NAME=value "NAME=value"`: every assignment is an argument of one command,
            # quoted or not, as systemd reads them (one list of assignments).
            at = match.start(2)  # type: ignore[union-attr]
            head = head[:at] + "env" + head[at + 3 :]
        view = head + value
        for index, number in enumerate(group):
            piece = view.split("\n")[index]
            if index and _is_comment(lines[number]):
                body = piece.rstrip("\r")
                blanked = _blank(body)
                piece = (blanked[:-1] + "\\" if blanked else blanked) + piece[len(body) :]
            out[number] = piece
    return "\n".join(out)
