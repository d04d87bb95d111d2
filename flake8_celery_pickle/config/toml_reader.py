"""TOML files (``pyproject.toml`` and others) read with :mod:`tomllib` (``tomli`` before 3.11).

Findings:

* CPK008: every ``kombu.serializers`` entry point (``[project.entry-points."kombu.serializers"]``,
  ``[tool.poetry.plugins."kombu.serializers"]``): kombu registers them in every process;
* CPK001 / CPK002: a key, at any depth, that spells a serializer or accept-content setting,
  set to pickle or to a list (or list text) holding pickle.

tomllib keeps no positions, so a line scanner finds the key (tables, dotted and quoted keys),
and the value literal after it.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

from flake8_celery_pickle.config import names
from flake8_celery_pickle.config.errors import ConfigParseError
from flake8_celery_pickle.config.stdlib_common import Hit, entry_point_decoder, findings
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ENGINE = "toml"
ENTRY_POINT_TABLES = (
    ("project", "entry-points", "kombu.serializers"),
    ("tool", "poetry", "plugins", "kombu.serializers"),
)
_HEADER = re.compile(r"^\s*\[\[?\s*(?P<path>[^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY_LINE = re.compile(rf"^\s*(?P<key>{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")

Path = Tuple[str, ...]
Index = Dict[Path, List[Tuple[int, int]]]


def _split_key(text: str) -> Path:
    return tuple(part[1:-1] if part[:1] in "\"'" else part for part in re.findall(_KEY_PART, text))


def _index(lines: List[str]) -> Index:
    """Full key path -> (0-based line, column where the value starts), in file order."""
    index: Index = {}
    table: Path = ()
    for number, line in enumerate(lines):
        header = _HEADER.match(line)
        if header:
            table = _split_key(header.group("path"))
            index.setdefault(table, []).append((number, header.start("path")))
            continue
        match = _KEY_LINE.match(line)
        if match:
            rest = line[match.end() :]
            value_col = match.end() + len(rest) - len(rest.lstrip())
            index.setdefault(table + _split_key(match.group("key")), []).append((number, value_col))
    return index


def _walk(data: Any, path: Path = ()) -> Iterator[Tuple[Path, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key), value
            yield from _walk(value, (*path, key))
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                yield from _walk(item, path)


def _locate(lines: List[str], index: Index, path: Path) -> Tuple[int, int]:
    """Where the value of ``path`` starts; falls back to the first ``key =`` line."""
    if path in index:
        return index[path][0]
    pattern = re.compile(rf"""(?:^|[\s{{,.])["']?{re.escape(path[-1])}["']?\s*=\s*""")
    for number, line in enumerate(lines):
        match = pattern.search(line)
        if match:
            return number, match.end()
    return 0, 0


def _literal_after(lines: List[str], start: Tuple[int, int], value: str) -> Tuple[int, int, int]:
    """The quoted literal ``value`` at or after ``start``: (line, column, end column)."""
    line0, col = start
    for number in range(line0, min(len(lines), line0 + 200)):
        offset = col if number == line0 else 0
        for quote in ('"', "'"):
            found = lines[number].find(quote + value, offset)
            if found >= 0:
                return number, found, found + len(value) + 2
        found = lines[number].find(value, offset)
        if found >= 0:
            return number, found, found + len(value)
    return line0, col, col


def _setting_hit(
    lines: List[str], index: Index, path: Path, value: Any, settings: Settings
) -> Optional[Hit]:
    """A CPK001/CPK002 hit when ``path`` spells a setting and ``value`` holds pickle."""
    key = path[-1]
    canonical = names.normalise_key(key, settings)
    if canonical is None:
        return None
    start = _locate(lines, index, path)
    if names.is_serializer(canonical):
        if isinstance(value, str) and value in names.pickle_values(settings):
            line0, col, end = _literal_after(lines, start, value)
            args = {"setting": key, "value": value, "risk": names.serializer_risk(canonical)}
            return line0, col, "CPK001", args, end
        return None
    if isinstance(value, str):
        items = names.pickle_items(value, settings)
        if items:
            line0, col = start
            args = {"setting": key, "value": items[0]}
            return line0, col, "CPK002", args, len(lines[line0].rstrip())
        return None
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and item in names.pickle_values(settings):
                line0, col, end = _literal_after(lines, start, item)
                return line0, col, "CPK002", {"setting": key, "value": item}, end
    return None


def scan(
    path: str, text: str, settings: Settings, *, honour_suppressions: bool = True
) -> List[Finding]:
    """Findings of one TOML file."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ConfigParseError(f"invalid TOML: {exc}".splitlines()[0]) from exc
    lines = text.split("\n")
    index = _index(lines)
    hits: List[Hit] = []
    entry_tables = set(ENTRY_POINT_TABLES)
    for key_path, value in _walk(data):
        if key_path[:-1] in entry_tables and isinstance(value, str):
            line0, _ = _locate(lines, index, key_path)
            col = len(lines[line0]) - len(lines[line0].lstrip())
            args = {
                "serializer": key_path[-1],
                "decoder": entry_point_decoder(value),
            }
            hits.append((line0, col, "CPK008", args, len(lines[line0].rstrip())))
            continue
        if any(key_path[: len(table)] == table for table in entry_tables):
            continue
        hit = _setting_hit(lines, index, key_path, value, settings)
        if hit is not None:
            hits.append(hit)
    return findings(path, lines, hits, "toml", ENGINE, ("#",), honour_suppressions)
