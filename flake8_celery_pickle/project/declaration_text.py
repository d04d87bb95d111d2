"""Reading a dependency declaration file's text: TOML parsed with a note when it is not
valid, comments stripped, and the positions (line, 0-based UTF-8 byte column) of quoted
strings, keys and tables, in the units findings use."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any, Callable

from flake8_celery_pickle.project.tree import ProjectTree, byte_col

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib


class Lines:
    """Positions in a file's text, in the units findings use."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def at(self, number: int, index: int, length: int) -> tuple[int, int, int]:
        """(line, start byte column, end byte column) of ``length`` characters at ``index``."""
        line = self.lines[number - 1] if 0 < number <= len(self.lines) else ""
        return number, byte_col(line, index), byte_col(line, index + length)

    def find_string(self, value: str, start: int = 1) -> tuple[int, int, int] | None:
        """The first quoted ``value`` at or after line ``start``; the position of its quote."""
        for number in range(max(start, 1), len(self.lines) + 1):
            line = self.lines[number - 1]
            for quote in ('"', "'"):
                index = line.find(quote + value + quote)
                if index >= 0:
                    return self.at(number, index, len(value) + 2)
        return None

    def section(self, header: Callable[[str], bool]) -> list[tuple[int, int]]:
        """Line ranges (first, last) of the TOML/INI tables whose header satisfies ``header``."""
        ranges: list[tuple[int, int]] = []
        start: int | None = None
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                if start is not None:
                    ranges.append((start, number - 1))
                    start = None
                if header(stripped):
                    start = number + 1
        if start is not None:
            ranges.append((start, len(self.lines)))
        return ranges

    def find_key(
        self, key_pattern: str, ranges: Sequence[tuple[int, int]]
    ) -> tuple[int, int, int] | None:
        """The first key matching ``key_pattern`` in ``ranges``, else in any inline table."""
        pattern = re.compile(r"^\s*(" + key_pattern + r")\s*=")
        for first, last in ranges:
            for number in range(first, last + 1):
                match = pattern.match(self.lines[number - 1])
                if match:
                    return self.at(number, match.start(1), len(match.group(1)))
        # an inline table (``dependencies = { celery = "^3.1" }``): the key anywhere
        inline = re.compile(r"(?:^|[{,]\s*)(" + key_pattern + r")\s*=")
        for number, line in enumerate(self.lines, start=1):
            match = inline.search(line)
            if match:
                return self.at(number, match.start(1), len(match.group(1)))
        return None


#: A TOML key that names Celery, quoted or not, in any case.
CELERY_KEY = r"""["']?[cC][eE][lL][eE][rR][yY]["']?"""


def header_of(*names: str) -> Callable[[str], bool]:
    """A test of a table header against the regular expressions ``names``."""

    def matches(header: str) -> bool:
        inner = header.strip("[] \t").replace(" ", "").replace('"', "").replace("'", "")
        return any(re.fullmatch(n, inner) for n in names)

    return matches


def read_toml(tree: ProjectTree, rel: str, notes: list[str]) -> tuple[dict[str, Any] | None, str]:
    """The parsed TOML of ``rel`` and its text; None (with a note) when it is not valid TOML."""
    text = tree.text(rel)
    if text is None:
        return None, ""
    try:
        return tomllib.loads(text), text
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        notes.append(
            f"{rel}: not read for Celery pins, it is not valid TOML ({type(exc).__name__})"
        )
        return None, text


def toml_value(data: Any, *keys: str) -> Any:
    """``data[keys[0]][keys[1]]...``, None where a level is missing or not a table."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def strip_comment(line: str) -> str:
    """The line without its ``#`` comment."""
    match = re.search(r"(^|\s)#", line)
    return line[: match.start()] if match else line
