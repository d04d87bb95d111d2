"""One scan, start to end: discover, check, suppress, project view, select, diff-base, sort.

The result is a :class:`~flake8_celery_pickle.report.model.Report`; nothing here formats.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.report.fingerprint import number_occurrences
from flake8_celery_pickle.report.model import ErrorEntry, Item, Report, Skip
from flake8_celery_pickle.scan import noqa, read
from flake8_celery_pickle.scan.diffbase import ChangedLines
from flake8_celery_pickle.scan.discover import Discovery, Root, discover, display_path
from flake8_celery_pickle.scan.engines import config_engine, project_engine
from flake8_celery_pickle.scan.ignore import Exclude
from flake8_celery_pickle.scan.options import ScanOptions
from flake8_celery_pickle.scan.pool import Checks, Common, worker_count
from flake8_celery_pickle.scan.route import PYTHON, route
from flake8_celery_pickle.scan.select import Selection
from flake8_celery_pickle.scan.worker import internal_error, line_texts, with_path


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


class _Collector:
    """Gathers located findings, skips, errors and notes from every stage."""

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self.items: list[tuple[Item, str]] = []  # (item, absolute path)
        self.skipped: list[Skip] = []
        self.errors: list[ErrorEntry] = []
        self.notes: list[str] = []
        self.scanned = 0

    def add_findings(
        self, findings: Iterable[Finding], lines: dict[int, str], display: str, abspath: str
    ) -> None:
        for finding in findings:
            end_text = lines.get(finding.end_line, "") if finding.end_line else ""
            item = Item(with_path(finding, display), display, lines.get(finding.line, ""), end_text)
            self.items.append((item, abspath))


def _check_files(discovery: Discovery, checks: Checks, out: _Collector) -> None:
    """Collect the per-file outcomes as they come (in candidate order); a file that gave
    nothing is only counted."""
    candidates = discovery.candidates
    missed = 0
    for index, outcome in checks.outcomes():
        candidate = candidates[index]
        display = display_path(candidate.path, out.cwd)
        if outcome.error is not None:
            message, line = outcome.error
            out.errors.append(ErrorEntry(display, message, line))
            missed += 1
        elif outcome.skip is not None:
            out.skipped.append(Skip(display, outcome.skip))
            missed += 1
        else:
            out.add_findings(outcome.findings, outcome.lines, display, candidate.path)
    out.scanned += len(candidates) - missed


def _suppressed_for(
    path: str, findings: list[Finding], options: ScanOptions, config: Any
) -> tuple[list[Finding], dict[int, str]]:
    """Apply the suppression comments of the file at ``path`` to project findings."""
    data = read.read_bytes(path, options.max_size)
    if not isinstance(data, bytes):
        return findings, {}
    if route(path, config, probe_shebang=False) == PYTHON:
        decoded = read.decode_python(data)
        text = decoded if isinstance(decoded, str) else data.decode("utf-8", "replace")
        lines = read.python_lines(text)
        if not options.disable_noqa:
            findings = noqa.filter_python(findings, text, lines)
        return findings, line_texts(findings, lines)
    # Configuration, requirements and lock files: noqa and ast-grep-ignore comments.
    lines = read.config_lines(data.decode("utf-8-sig", "replace"))
    if not options.disable_noqa:
        findings = noqa.filter_config(findings, lines)
    return findings, line_texts(findings, lines)


_NOTE_LOCATION = re.compile(r":(?:\d+:|\s)")


def _located_note(note: str, root: str, cwd: str) -> str:
    """A project-view note that starts with a root-relative path (``proj/celery.py:14: ...``,
    ``setup.cfg: ...``), with that path made relative to ``cwd`` as findings are; other notes
    as they are."""
    for number, match in enumerate(_NOTE_LOCATION.finditer(note)):
        if number == 4:
            break
        rel = note[: match.start()]
        if not rel or os.path.isabs(rel):
            continue
        path = os.path.normpath(os.path.join(root, rel))
        if _within(path, root) and os.path.lexists(path):
            return display_path(path, cwd) + note[match.start() :]
    return note


class _ProjectView:
    """The project view of one root: its findings, notes and the single-file findings it
    judged itself (``takes_over``), or the error that stopped it."""

    def __init__(self, project: Any, root: Root, settings: Any) -> None:
        self.root = root.path
        self.findings: list[Finding] = []
        self.notes: list[str] = []
        self.takes_over: frozenset[tuple[str, int, int, str]] = frozenset()
        self.failure: str | None = None
        # The built-in project view takes the paths as they are; other engines get Path objects.
        files = root.files if getattr(project, "ACCEPTS_STR_PATHS", False) else _as_paths(root)
        try:
            result = project.analyze(Path(root.path), files, settings)
            self.findings = list(result.findings)
            self.notes = [str(note) for note in getattr(result, "notes", ())]
            self.takes_over = frozenset(
                (os.path.normpath(os.path.join(self.root, path)), line, col, code)
                for path, line, col, code in getattr(result, "takes_over", ()) or ()
            )
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            self.failure = f"the whole-project view failed: {type(exc).__name__}"


def _as_paths(root: Root) -> list[Path]:
    return [Path(f) for f in root.files]


def _project_views(project: Any, roots: Sequence[Root], options: ScanOptions) -> list[_ProjectView]:
    return [_ProjectView(project, root, options.settings) for root in roots]


def _project_pass(
    views: Sequence[_ProjectView], options: ScanOptions, config: Any, out: _Collector
) -> None:
    """Merge the project views into what the per-file checks found."""
    for view in views:
        root = view.root
        if view.failure is not None:
            out.errors.append(ErrorEntry(display_path(root, out.cwd), view.failure))
            continue
        out.notes.extend(_located_note(note, root, out.cwd) for note in view.notes)
        if view.takes_over:
            out.items = [
                (item, path)
                for item, path in out.items
                if item.finding.engine == "project"
                or (os.path.normpath(path), item.finding.line, item.finding.col, item.code)
                not in view.takes_over
            ]
        by_file: dict[str, list[Finding]] = {}
        for finding in view.findings:
            target = os.path.join(root, finding.path) if finding.path else root
            by_file.setdefault(os.path.normpath(target), []).append(finding)
        for path, group in sorted(by_file.items()):
            try:
                kept, lines = _suppressed_for(path, group, options, config)
            except Exception as exc:
                kept, lines = [internal_error(exc, "project")], {}
            out.add_findings(kept, lines, display_path(path, out.cwd), path)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often for a while: checking builds and drops many
    syntax trees (freed by reference counting), and the collector kept walking them."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 50_000), max(before[1], 50), max(before[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _dedupe_and_sort(items: list[tuple[Item, str]]) -> list[tuple[Item, str]]:
    seen: set[tuple[str, int, int, str, str]] = set()
    unique: list[tuple[Item, str]] = []
    for item, path in sorted(items, key=lambda pair: pair[0].sort_key()):
        key = item.sort_key()
        if key not in seen:
            seen.add(key)
            unique.append((item, path))
    return unique


def scan(options: ScanOptions, cwd: str | None = None) -> Report:
    """Run one scan.

    Raises :class:`~.diffbase.DiffBaseError` when ``--diff-base`` cannot be read.
    """
    cwd = cwd or os.getcwd()
    out = _Collector(cwd)
    changed: ChangedLines | None = None
    if options.diff_base is not None:
        changed = ChangedLines(options.diff_base)
        for raw in options.paths:
            path = os.path.abspath(os.path.join(cwd, raw))
            changed.prepare(path if os.path.isdir(path) else os.path.dirname(path) or cwd)
    config, problem = config_engine()
    if problem:
        out.notes.append(problem)
    exclude = Exclude([*options.exclude, *options.extend_exclude])
    paths = [os.path.join(cwd, p) for p in options.paths]
    discovery = discover(paths, exclude, options.use_gitignore, config, cwd)
    out.skipped.extend(discovery.skipped)
    out.errors.extend(discovery.errors)
    project: Any = None
    if options.project and discovery.roots:
        # Loaded before the worker processes start, which then share what it imports.
        project, problem = project_engine()
        if problem:
            out.notes.append(problem)
    # The per-file checks start in worker processes; meanwhile the project view (which needs
    # only the list of files) runs here. Their results are merged in a fixed order.
    workers = worker_count(len(discovery.candidates), discovery.candidate_bytes, options.jobs)
    views: list[_ProjectView] = []
    with _fewer_collections():
        checks = Checks(
            discovery.candidates,
            Common(options.settings, options.max_size, options.disable_noqa),
            workers,
        )
        try:
            if project is not None:
                views = _project_views(project, discovery.roots, options)
            _check_files(discovery, checks, out)
        finally:
            checks.close()
    _project_pass(views, options, config, out)
    selection = Selection(
        options.select, options.ignore, options.extend_select, options.extend_ignore
    )
    ordered = _dedupe_and_sort(out.items)
    if changed is not None:
        # Fingerprints count identical lines over the whole file, not only the new lines.
        numbered = number_occurrences([item for item, _ in ordered])
        ordered = [(item, path) for item, (_, path) in zip(numbered, ordered)]
    kept = [
        (item, path)
        for item, path in ordered
        if selection.is_selected(item.code) and (changed is None or changed.is_new(path, item.line))
    ]
    return Report(
        items=[item for item, _ in kept],
        scanned=out.scanned,
        skipped=sorted(out.skipped, key=lambda s: (s.path, s.reason)),
        errors=sorted(out.errors, key=lambda e: (e.path, e.line or 0, e.message)),
        notes=list(dict.fromkeys(out.notes)),
    )
