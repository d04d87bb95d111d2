"""A shell view of a Dockerfile, so that the Bash rules read its RUN, CMD, ENTRYPOINT, ENV and
ARG instructions.

The Bash grammar does not parse Dockerfiles: ``ENV NAME=value`` is read as a command named
``ENV`` with a word argument, the legacy ``ENV NAME value`` form and exec-form JSON arrays
(``CMD ["celery", ...]``) are not shell at all, and a comment line inside a continued ``RUN``
ends the shell command although Docker drops it. This module rewrites the file, character by
character and keeping every line's length, into text that *is* shell with the same positions:

* instruction keywords (and ``RUN --mount=...`` style flags) become spaces;
* instructions other than RUN/CMD/ENTRYPOINT/ENV/ARG (and ONBUILD of those) become spaces;
* ``ENV NAME value`` becomes ``NAME=value`` (the name moves right, next to its value; spaces
  inside the value become commas so that it stays one word);
* exec-form arrays lose their brackets and commas, leaving double-quoted shell words;
* comment lines inside a continued instruction become spaces ending in the escape character;
* ``RUN <<EOF`` heredocs keep their body as shell; the markers become spaces.

Comments between instructions stay as they are, so ``# ast-grep-ignore`` and ``# noqa`` work.
A Dockerfile that sets ``# escape=`` to a backtick is a Windows image whose RUN lines are not
shell; its view is empty.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

_SHELL = {"RUN", "CMD", "ENTRYPOINT"}
_ASSIGN = {"ENV", "ARG"}
_INSTRUCTION = re.compile(r"^(\s*)([A-Za-z]+)(?=\s|$)")
_DIRECTIVE = re.compile(r"^\s*#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$")
_FLAG = re.compile(r"--[A-Za-z-]+(?:=\S*)?\s+")
_HEREDOC = re.compile(r"^<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")


def _blank(text: str) -> str:
    return "".join("\r" if ch == "\r" else " " for ch in text)


def _escape_char(lines: List[str]) -> str:
    for line in lines:
        match = _DIRECTIVE.match(line)
        if not match:
            break
        if match.group(1).lower() == "escape":
            return match.group(2)[:1]
    return "\\"


def _continues(line: str, escape: str) -> bool:
    return line.rstrip().endswith(escape)


def _exec_form(body: str) -> str:
    """``["a", "b"]`` -> `` "a"   "b" `` (brackets and separators outside strings blanked)."""
    out = []
    in_string = False
    escaped = False
    for ch in body:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif ch in "[],":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _legacy_env(body: str) -> str:
    """``NAME   some value`` -> ``   NAME=some,value`` (same length)."""
    match = re.match(r"(\S+)(\s+)(.*)$", body, re.S)
    if not match or "=" in match.group(1):
        return body
    name, gap, value = match.groups()
    tail = value.rstrip("\r")
    cr = value[len(tail) :]
    joined = re.sub(r"\s", ",", tail)
    return " " * (len(gap) - 1) + name + "=" + joined + cr


def shell_view(text: str) -> str:
    """The shell view of a Dockerfile (same number of lines, same length of every line)."""
    lines = text.split("\n")
    escape = _escape_char(lines)
    if escape != "\\":
        return "\n".join(_blank(line) for line in lines)
    out: List[str] = []
    mode: Optional[str] = None  # None, "keep", "blank", "heredoc"
    terminator = ""
    for line in lines:
        if mode == "heredoc":
            if line.strip() == terminator:
                out.append(_blank(line))
                mode = None
            else:
                out.append(line)
            continue
        if mode in ("keep", "blank"):
            if mode == "keep" and line.lstrip().startswith("#"):
                body = line.rstrip("\r")
                blanked = _blank(body)
                kept = blanked[:-1] + "\\" if blanked else blanked
                out.append(kept + line[len(body) :])
                continue
            out.append(line if mode == "keep" else _blank(line))
            if not _continues(line, escape):
                mode = None
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            out.append(line)
            continue
        converted, mode, terminator = _instruction(line, escape)
        out.append(converted)
        if mode in ("keep", "blank") and not _continues(line, escape):
            mode = None
    return "\n".join(out)


def _instruction(line: str, escape: str) -> Tuple[str, Optional[str], str]:
    """One instruction's first line in the view, the mode for its next lines, a terminator."""
    match = _INSTRUCTION.match(line)
    if not match:
        return _blank(line), "blank", ""
    keyword = match.group(2).upper()
    start = match.end()
    head = _blank(line[:start])
    rest = line[start:]
    if keyword == "ONBUILD":
        inner, mode, terminator = _instruction(rest, escape)
        return head + inner, mode, terminator
    if keyword in _SHELL:
        stripped = rest.lstrip()
        lead = rest[: len(rest) - len(stripped)]
        while keyword == "RUN":
            flag = _FLAG.match(stripped)
            if not flag:
                break
            lead += _blank(flag.group(0))
            stripped = stripped[flag.end() :]
        heredoc = _HEREDOC.match(stripped)
        if heredoc:
            return head + lead + _blank(stripped), "heredoc", heredoc.group(3)
        if stripped.startswith("["):
            stripped = _exec_form(stripped)
        return head + lead + stripped, "keep", ""
    if keyword in _ASSIGN:
        stripped = rest.lstrip()
        lead = rest[: len(rest) - len(stripped)]
        if keyword == "ENV":
            stripped = _legacy_env(stripped)
        return head + lead + stripped, "keep", ""
    return _blank(line), "blank", ""
