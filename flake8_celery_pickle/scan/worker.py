"""Checking one file: read, decode, gate, run its engine, apply suppression comments.

:func:`check_file` runs in worker processes, so its input and output are plain picklable
values, and it never raises: every problem becomes an error entry, a counted skip or (for an
engine failure after the file was parsed) a CPK000 finding.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.scan import noqa, read
from flake8_celery_pickle.scan.route import CONFIG, PYTHON
from flake8_celery_pickle.settings import Settings


@dataclass(frozen=True)
class Task:
    path: str
    display: str
    kind: str
    settings: Settings
    max_size: int
    disable_noqa: bool = False


@dataclass
class FileOutcome:
    """What one file gave: findings with the text of their lines, or why it gave none."""

    findings: list[Finding] = field(default_factory=list)
    lines: dict[int, str] = field(default_factory=dict)
    error: tuple[str, int | None] | None = None
    skip: str | None = None


def with_path(finding: Finding, path: str) -> Finding:
    """A copy of ``finding`` naming ``path`` (a named tuple, or an older dataclass Finding)."""
    if hasattr(finding, "_replace"):
        return finding._replace(path=path)
    return dataclasses.replace(finding, path=path)  # type: ignore[type-var]


def line_texts(findings: Sequence[Finding], lines: Sequence[str]) -> dict[int, str]:
    """The text of every line a finding starts or ends on."""
    wanted = {f.line for f in findings} | {f.end_line for f in findings if f.end_line}
    return {n: lines[n - 1] for n in wanted if 1 <= n <= len(lines)}


def internal_error(exc: BaseException, engine: str) -> Finding:
    message = BY_CODE["CPK000"].format(error=type(exc).__name__)
    return Finding(1, 0, "CPK000", message, engine=engine)


#: The newest Python release whose syntax a valid file may use; a parse error on an older Python
#: says that the file may simply be newer than the interpreter.
NEWEST_PYTHON = (3, 14)
#: Parse errors that are the parser's limits, never syntax from a newer Python.
_PARSER_LIMITS = ("too deeply nested", "too many nested")


def syntax_error_message(exc: SyntaxError, running: tuple[int, int] | None = None) -> str:
    """``cannot parse: <message> (line N)``, saying when the interpreter is older than
    :data:`NEWEST_PYTHON` (``class C[T]: pass`` does not parse on Python 3.11)."""
    where = f" (line {exc.lineno})" if exc.lineno else ""
    message = f"cannot parse: {exc.msg}{where}"
    running = running or (sys.version_info[0], sys.version_info[1])
    if (
        running < NEWEST_PYTHON
        and type(exc) is SyntaxError
        and exc.__cause__ is None
        and not str(exc.msg).startswith(_PARSER_LIMITS)
    ):
        version = ".".join(map(str, running))
        message += f" (Python {version} cannot parse it; newer syntax?)"
    return message


_AT_LINE = re.compile(r"\bat line (\d+)\b|\[line\s+(\d+)\]")


def _error_line(exc: BaseException, text: str) -> int | None:
    """The 1-based line a parse error names: its own ``line``/``lineno``, its cause's (tomllib,
    configparser), or the ``at line N`` / ``[line N]`` its message quotes; None when unknown."""
    count = text.count("\n") + 1
    for source in (exc, exc.__cause__):
        if source is None:
            continue
        for attr in ("line", "lineno"):
            value = getattr(source, attr, None)
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= count:
                return value
    match = _AT_LINE.search(str(exc))
    if match:
        value = int(match.group(1) or match.group(2))
        if 1 <= value <= count:
            return value
    return None


def _check_python(task: Task, data: bytes) -> FileOutcome:
    text = read.decode_python(data)
    if isinstance(text, read.Unreadable):
        return FileOutcome(error=(text.message, None))
    from flake8_celery_pickle.python import check_source, may_hold_finding

    if not may_hold_finding(text, task.settings):
        return FileOutcome()
    try:
        findings = list(check_source(text, task.settings))
    except SyntaxError as exc:
        return FileOutcome(error=(syntax_error_message(exc), exc.lineno))
    except ValueError as exc:
        return FileOutcome(error=(f"cannot parse: {exc}", None))
    except Exception as exc:
        findings = [internal_error(exc, PYTHON)]
    if not findings:
        return FileOutcome()
    lines = read.python_lines(text)
    if not task.disable_noqa:
        findings = noqa.filter_python(findings, text, lines)
    return FileOutcome(findings, line_texts(findings, lines))


def _check_config(task: Task, data: bytes, config: object) -> FileOutcome:
    text = read.decode_config(data)
    if isinstance(text, read.Skipped):
        return FileOutcome(skip=text.reason)
    if isinstance(text, read.Unreadable):
        return FileOutcome(error=(text.message, None))
    path = task.path
    keep_comments = not task.disable_noqa
    if not config.may_hold_finding(text, task.settings):  # type: ignore[attr-defined]
        return FileOutcome()
    try:
        scan_text = config.scan_text  # type: ignore[attr-defined]
        findings = list(scan_text(path, text, task.settings, honour_suppressions=keep_comments))
    except Exception as exc:
        unavailable = getattr(config, "EngineUnavailable", None)
        parse_error = getattr(config, "ConfigParseError", None)
        if unavailable is not None and isinstance(exc, unavailable):
            return FileOutcome(skip=str(exc) or "configuration engine unavailable")
        if parse_error is not None and isinstance(exc, parse_error):
            return FileOutcome(error=(f"cannot parse: {exc}", _error_line(exc, text)))
        findings = [internal_error(exc, "config")]
    # The configuration engine applies its own suppression comments (ast-grep-ignore, noqa)
    # unless --disable-noqa asked for every finding.
    lines = read.config_lines(text)
    return FileOutcome(findings, line_texts(findings, lines))


def check_file(task: Task) -> FileOutcome:
    """Check one file; never raises (except KeyboardInterrupt and SystemExit)."""
    try:
        data = read.read_bytes(task.path, task.max_size)
        if isinstance(data, read.Skipped):
            return FileOutcome(skip=data.reason)
        if isinstance(data, read.Unreadable):
            return FileOutcome(error=(data.message, None))
        if task.kind == PYTHON:
            outcome = _check_python(task, data)
        elif task.kind == CONFIG:
            from flake8_celery_pickle.scan.engines import config_engine

            config, problem = config_engine()
            if config is None:
                return FileOutcome(skip=problem or "no configuration engine installed")
            outcome = _check_config(task, data, config)
        else:
            return FileOutcome(skip=f"no engine for {task.kind!r} files")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return FileOutcome(error=(f"internal error while checking: {type(exc).__name__}", None))
    outcome.findings = [with_path(f, task.display) for f in outcome.findings]
    return outcome
