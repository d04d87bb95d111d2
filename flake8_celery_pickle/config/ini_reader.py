"""INI files (pyramid ``.ini``, ``setup.cfg``, ``tox.ini``) read with :mod:`configparser`.

Findings:

* CPK001 / CPK002: a key that spells a serializer or accept-content setting (pyramid_celery's
  ``[celery]`` section reads them; lists are whitespace or comma separated, optionally in
  brackets, possibly over several lines), and ``NAME=value`` lines inside a value (tox
  ``setenv``, supervisord ``environment``, where several may share a line separated by commas)
  for the environment-variable spellings;
* CPK003: a supervisord ``[program:x]`` ``command=celery ... worker|beat ... -- key=pickle``
  (``task_serializer`` and the other serializer settings, or an ``accept_content`` list holding
  pickle), reported at the ``key=value`` argument;
* CPK005: ``CELERY_CALL_SERIALIZER=pickle`` lines in a value, and a supervisord
  ``command=celery ... call ... --serializer pickle`` (reported at the value, or at
  ``--serializer=pickle``);
* CPK008: every ``kombu.serializers`` entry point in ``[options.entry_points]``.

configparser validates the file (and its errors become :class:`ConfigParseError`); a small
line scanner with the same continuation rules gives the positions configparser does not keep.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Tuple

from flake8_celery_pickle.config import names
from flake8_celery_pickle.config.errors import ConfigParseError
from flake8_celery_pickle.config.stdlib_common import Hit, entry_point_decoder, findings
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.settings import Settings

ENGINE = "ini"
_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]")
_KEY = re.compile(r"^(?P<key>[^=:\s][^=:]*?)\s*[=:]\s*(?P<value>.*)$")
_ENV_LINE = re.compile(r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*)$")
_NEXT_ENV_ITEM = re.compile(r"\s*[A-Za-z_][A-Za-z0-9_]*\s*=")
_ENTRY = re.compile(r"^\s*(?P<name>[^=\s][^=]*?)\s*=\s*(?P<target>\S.*?)\s*$")
#: one shell word of a supervisord ``command=`` (quotes kept, so that columns stay exact)
_WORD = re.compile(r"""(?:[^\s"']+|"[^"]*"|'[^']*')+""")
_CMDLINE_SERIALIZER = re.compile(r"(?i:(?:celery[._])?(?:task|result|event)[._]serializer)")
_CMDLINE_ACCEPT = re.compile(r"(?i:(?:celery[._])?(?:result[._])?accept[._]content)")
_PYTHON = re.compile(r"^(?:.*/)?python[0-9.]*$")


#: (0-based line, column where the text starts, text) of one line of a value.
Segment = Tuple[int, int, str]


@dataclass
class Entry:
    section: str
    key: str
    #: (0-based line, column of the text, text) for the first line's value and each continuation
    segments: List[Segment] = field(default_factory=list)


def _validate(text: str) -> None:
    parser = configparser.ConfigParser(interpolation=None, strict=False, allow_no_value=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except (configparser.Error, RecursionError) as exc:
        raise ConfigParseError(f"invalid INI: {type(exc).__name__}: {exc}".splitlines()[0]) from exc


def entries(lines: List[str]) -> List[Entry]:
    """Every ``key = value`` entry with the positions of its value lines."""
    found: List[Entry] = []
    section = ""
    current = None
    for number, raw in enumerate(lines):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if line[:1].isspace() and current is not None:
            col = len(line) - len(line.lstrip())
            current.segments.append((number, col, line[col:].rstrip()))
            continue
        match = _SECTION.match(line)
        if match:
            section = match.group("name").strip()
            current = None
            continue
        match = _KEY.match(line)
        if match:
            current = Entry(section, match.group("key").strip())
            if match.group("value").strip():
                value = match.group("value").rstrip()
                current.segments.append((number, match.start("value"), value))
            found.append(current)
        else:
            current = None
    return found


def _first_pickle(
    segments: List[Segment], settings: Settings
) -> Optional[Tuple[int, int, str, int]]:
    """The first pickle item of a value: (line, column, value, end column)."""
    values = names.pickle_values(settings)
    for line0, col, text in segments:
        for match in re.finditer(r"[^\s,\[\]()'\"]+", text):
            if match.group(0) in values:
                return line0, col + match.start(), match.group(0), col + match.end()
    return None


def _setting_hits(entry: Entry, settings: Settings) -> List[Hit]:
    canonical = names.normalise_key(entry.key, settings)
    if canonical is None or not entry.segments:
        return []
    joined = " ".join(text for _, _, text in entry.segments)
    if names.is_serializer(canonical):
        if not names.is_pickle_scalar(joined, settings):
            return []
        line0, col, text = entry.segments[0]
        args = {
            "setting": entry.key,
            "value": text.strip().strip("'\""),
            "risk": names.serializer_risk(canonical),
        }
        return [(line0, col, "CPK001", args, col + len(text))]
    hit = _first_pickle(entry.segments, settings)
    if hit is None:
        return []
    line0, col, value, end = hit
    return [(line0, col, "CPK002", {"setting": entry.key, "value": value}, end)]


def _env_items(entry: Entry) -> Iterator[Segment]:
    """The ``NAME=value`` items of a value: one a line (tox ``setenv``), and in supervisord's
    ``environment`` also several on one line, separated by commas outside quotes."""
    for line0, col, text in entry.segments:
        if entry.key != "environment":
            yield line0, col, text
            continue
        start = 0
        quote = ""
        for index, ch in enumerate(text):
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch == "," and _NEXT_ENV_ITEM.match(text, index + 1):
                yield line0, col + start, text[start:index]
                start = index + 1
        yield line0, col + start, text[start:]


def _env_line_hits(entry: Entry, settings: Settings) -> List[Hit]:
    hits: List[Hit] = []
    for line0, col, text in _env_items(entry):
        match = _ENV_LINE.match(text)
        if not match:
            continue
        name = match.group("name")
        value = match.group("value").strip()
        start = col + match.start("value")
        canonical = names.normalise_key(name, settings) if name.isupper() else None
        if name == names.CALL_SERIALIZER_ENV and names.is_pickle_scalar(value, settings):
            args = {"api": f"{name} (celery call)", "value": value.strip("'\"")}
            hits.append((line0, start, "CPK005", args, start + len(value)))
        elif names.is_serializer(canonical) and names.is_pickle_scalar(value, settings):
            risk = names.serializer_risk(canonical)
            args = {"setting": name, "value": value.strip("'\""), "risk": risk}
            hits.append((line0, start, "CPK001", args, start + len(value)))
        elif names.is_accept(canonical):
            items = names.pickle_items(value, settings)
            if items:
                args = {"setting": name, "value": items[0]}
                hits.append((line0, start, "CPK002", args, start + len(value)))
    return hits


def _entry_point_hits(entry: Entry) -> List[Hit]:
    if entry.section != "options.entry_points" or entry.key != "kombu.serializers":
        return []
    hits: List[Hit] = []
    for line0, col, text in entry.segments:
        match = _ENTRY.match(text)
        if match:
            args = {
                "serializer": match.group("name"),
                "decoder": entry_point_decoder(match.group("target")),
            }
            hits.append((line0, col + match.start("name"), "CPK008", args, col + len(text)))
    return hits


#: (0-based line, column, word as written, word without its quotes)
Word = Tuple[int, int, str, str]


def _words(entry: Entry) -> List[Word]:
    """The words of a value, up to an inline ``;`` comment (supervisord strips those)."""
    words: List[Word] = []
    for line0, col, text in entry.segments:
        for match in _WORD.finditer(text):
            raw = match.group(0)
            if raw.startswith(";"):
                return words
            plain = raw.replace('"', "").replace("'", "")
            words.append((line0, col + match.start(), raw, plain))
    return words


def _after_celery(words: List[Word]) -> Optional[List[Word]]:
    """The arguments of a command line that runs celery (``celery``, a path to it, or
    ``python -m celery``), or None."""
    plain = [word[3] for word in words]
    if plain and plain[0].rsplit("/", 1)[-1] == "celery":
        return words[1:]
    if len(plain) > 2 and _PYTHON.match(plain[0]) and plain[1:3] == ["-m", "celery"]:
        return words[3:]
    return None


def _command_hits(entry: Entry, settings: Settings) -> List[Hit]:
    """CPK003 / CPK005 in a supervisord program's ``command=``."""
    if entry.key != "command" or not entry.section.startswith("program:"):
        return []
    args = _after_celery(_words(entry))
    if not args:
        return []
    plain = [word[3] for word in args]
    hits: List[Hit] = []
    sub = next((word for word in plain if word in ("worker", "beat", "call")), None)
    if sub in ("worker", "beat") and "--" in plain[plain.index(sub) :]:
        start = plain.index("--", plain.index(sub)) + 1
        for line0, col, raw, text in args[start:]:
            key, equals, value = text.partition("=")
            if not equals:
                continue
            if _CMDLINE_SERIALIZER.fullmatch(key) and names.is_pickle_scalar(value, settings):
                found = value.strip()
            elif _CMDLINE_ACCEPT.fullmatch(key) and names.pickle_items(value, settings):
                found = names.pickle_items(value, settings)[0]
            else:
                continue
            call = {"call": f"the celery {sub} command line", "setting": key, "value": found}
            hits.append((line0, col, "CPK003", call, col + len(raw)))
    elif sub == "call":
        after = args[plain.index("call") + 1 :]
        for index, (line0, col, raw, text) in enumerate(after):
            if text.startswith("--serializer="):
                value, end = text[len("--serializer=") :], col + len(raw)
            elif text == "--serializer" and index + 1 < len(after):
                line0, col, raw, value = after[index + 1]
                end = col + len(raw)
            else:
                continue
            if names.is_pickle_scalar(value, settings):
                api = {"api": "celery call --serializer", "value": value.strip()}
                hits.append((line0, col, "CPK005", api, end))
    return hits


def scan(
    path: str, text: str, settings: Settings, *, honour_suppressions: bool = True
) -> List[Finding]:
    """Findings of one INI file."""
    _validate(text)
    lines = text.split("\n")
    hits: List[Hit] = []
    for entry in entries(lines):
        hits.extend(_entry_point_hits(entry))
        hits.extend(_command_hits(entry, settings))
        setting_hits = _setting_hits(entry, settings)
        hits.extend(setting_hits or _env_line_hits(entry, settings))
    return findings(path, lines, hits, "ini", ENGINE, ("#", ";"), honour_suppressions)
