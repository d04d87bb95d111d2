"""Discovery: turn the command's PATH arguments into the files to check.

Directories are walked in name order, honouring ``.gitignore`` (see :mod:`.ignore`) and
``--exclude``. Symbolic links to files are followed; symbolic links to directories are not
descended into (as git and flake8 do), so link loops cannot trap the walk. A file reached twice
(hard links, links to files) is checked once. Paths named on the command line are always
checked, whatever the ignore rules say.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from flake8_celery_pickle.report.model import ErrorEntry, Skip
from flake8_celery_pickle.scan.ignore import Exclude, GitIgnore
from flake8_celery_pickle.scan.route import route


def display_path(path: str, cwd: str) -> str:
    """``path`` relative to ``cwd`` where possible, ``/``-separated, always valid Unicode."""
    try:
        shown = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        shown = path
    shown = shown.replace(os.sep, "/")
    return os.fsencode(shown).decode("utf-8", "backslashreplace")


class Candidate(NamedTuple):
    """A file an engine will read (a plain tuple: a large tree has many of them).

    Its display path is worked out only when something is reported about it
    (:func:`display_path`).
    """

    path: str  # absolute
    kind: str  # route.PYTHON or route.CONFIG


@dataclass
class Root:
    """One directory argument and every file found under it (for the project view)."""

    path: str
    files: list[str] = field(default_factory=list)


@dataclass
class Discovery:
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    errors: list[ErrorEntry] = field(default_factory=list)
    roots: list[Root] = field(default_factory=list)
    #: The sizes of the candidates that are regular files, added up (for ``--jobs auto``).
    candidate_bytes: int = 0


def _is_regular(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a regular file or a link to one (cheap: uses the d_type)."""
    try:
        return entry.is_file()
    except OSError:
        return False


class _Walker:
    def __init__(self, exclude: Exclude, use_gitignore: bool, config: Any, cwd: str) -> None:
        self.exclude = exclude
        self.use_gitignore = use_gitignore
        self.config = config
        self.cwd = cwd
        self.result = Discovery()
        self._seen: set[tuple[int, int]] = set()

    def add_file(self, path: str, explicit: bool) -> None:
        kind = route(path, self.config)
        if kind is None:
            if explicit:
                self.result.skipped.append(
                    Skip(display_path(path, self.cwd), "not a Python or configuration file")
                )
            return
        try:
            info = os.stat(path)
        except FileNotFoundError:
            shown = display_path(path, self.cwd)
            if os.path.islink(path):
                self.result.skipped.append(Skip(shown, "broken symbolic link"))
            else:
                self.result.errors.append(ErrorEntry(shown, "no such file or directory"))
            return
        except OSError as exc:
            shown = display_path(path, self.cwd)
            if exc.errno == errno.ELOOP:
                self.result.skipped.append(Skip(shown, "symbolic link loop"))
            else:
                self.result.errors.append(ErrorEntry(shown, f"cannot read: {exc.strerror}"))
            return
        if stat.S_ISREG(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in self._seen:
                return
            self._seen.add(key)
            self.result.candidate_bytes += info.st_size
        self.result.candidates.append(Candidate(path, kind))

    def walk(self, top: str) -> None:
        root = Root(top)
        self.result.roots.append(root)
        rules: GitIgnore | None = GitIgnore.for_root(top) if self.use_gitignore else None
        # The stack holds directories to enter, and ints: marks to restore when leaving one.
        stack: list[str | int] = [top]
        while stack:
            item = stack.pop()
            if isinstance(item, int):
                if rules is not None:
                    rules.reset(item)
                continue
            directory = item
            try:
                with os.scandir(directory) as iterator:
                    entries = sorted(iterator, key=lambda e: e.name)
            except OSError as exc:
                self.result.errors.append(
                    ErrorEntry(
                        display_path(directory, self.cwd),
                        f"cannot list directory: {exc.strerror or type(exc).__name__}",
                    )
                )
                continue
            if rules is not None:
                stack.append(rules.mark())
                rules.load_dir(directory)
            subdirs: list[str] = []
            for entry in entries:
                path = entry.path
                if self.exclude.excludes(entry.name, path):
                    continue
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_dir = False
                if rules is not None and rules.ignored(path, is_dir):
                    continue
                if is_dir:
                    subdirs.append(path)
                    continue
                if entry.is_symlink():
                    try:
                        if stat.S_ISDIR(os.stat(path).st_mode):
                            continue  # links to directories are not followed
                    except OSError:
                        pass  # broken or looping: add_file reports it when it matters
                if _is_regular(entry):
                    # The project view opens these files itself: never hand it a FIFO (opening
                    # one blocks), a device, a socket or a dangling or looping link.
                    root.files.append(path)
                self.add_file(path, explicit=False)
            stack.extend(reversed(subdirs))


def discover(
    paths: list[str],
    exclude: Exclude,
    use_gitignore: bool = True,
    config: Any = None,
    cwd: str | None = None,
) -> Discovery:
    """Find every file under ``paths`` and decide which engine reads it."""
    cwd = cwd or os.getcwd()
    walker = _Walker(exclude, use_gitignore, config, cwd)
    for raw in paths:
        path = os.path.abspath(raw)
        if os.path.isdir(path):
            walker.walk(path)
        elif os.path.lexists(path):
            walker.add_file(path, explicit=True)
        else:
            walker.result.errors.append(
                ErrorEntry(display_path(path, cwd), "no such file or directory")
            )
    return walker.result
