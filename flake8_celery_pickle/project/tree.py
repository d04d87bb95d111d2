"""The scanned tree as the project view sees it: paths, text and parsed modules, read lazily.

Nothing here imports or executes scanned code. Recent reads are cached up to a fixed amount of
memory (older ones are read again if asked for, so memory does not grow with the tree), and
every failure (a file that cannot be read, decoded or parsed) becomes one note instead of an
exception.
"""

from __future__ import annotations

import ast
import io
import os
import stat
import tokenize
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from flake8_celery_pickle.scan.read import plain_utf8_source, read_open_file

#: Files larger than this are not read by the project view (generated data, not configuration).
MAX_BYTES = 5_000_000
#: Words whose presence in a Python file is remembered when its text is first read, so later
#: passes can pass over files that cannot matter without reading them again.
WATCHED = ("environ", "putenv")
#: How many characters of decoded text stay cached (the most recently used files' texts).
TEXT_CACHE_CHARS = 2_000_000
#: How many characters of source the cached syntax trees may come from, together (a tree
#: takes some fifty times the memory of its source). The latest tree is always kept.
TREE_CACHE_CHARS = 200_000


class ProjectTree:
    """Every file the command discovered under ``root``, with cached text and syntax trees."""

    def __init__(self, root: Path, files: Iterable[Path]) -> None:
        self.root = root
        self.notes: list[str] = []
        #: relative path -> the file's path on disk
        self._abs: dict[str, str] = {}
        # files below an absolute root: their relative path by slicing, without Path's parsing
        prefix = os.path.join(str(root), "") if root.is_absolute() else None
        for f in files:
            try:
                rel = _plain_relative(f, prefix) if prefix else None
                if rel is not None:
                    self._abs.setdefault(rel, str(f))
                    continue
                path = Path(f)
                if not path.is_absolute():
                    path = root / path
                rel = self._relative(path)
            except (OSError, ValueError, TypeError):
                continue
            self._abs.setdefault(rel, str(path))
        self._sorted: tuple[str, ...] | None = None
        self._python: tuple[str, ...] | None = None
        #: cached texts and trees, least recently used first, with their sizes in characters
        self._text: dict[str, str] = {}
        self._text_chars = 0
        self._trees: dict[str, tuple[ast.Module, int]] = {}
        self._tree_chars = 0
        #: files that could not be read or parsed (their note is given once)
        self._unreadable: set[str] = set()
        self._unparsable: set[str] = set()
        self._mentions: dict[str, frozenset[str]] = {}
        #: Results other modules derive from the whole tree, keyed by their own keys.
        self.cache: dict[object, object] = {}

    # -- paths -------------------------------------------------------------------------------

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    @property
    def paths(self) -> tuple[str, ...]:
        """Root-relative, '/'-separated paths of every file, sorted."""
        if self._sorted is None:
            self._sorted = tuple(sorted(self._abs))
        return self._sorted

    @property
    def python_paths(self) -> tuple[str, ...]:
        if self._python is None:
            self._python = tuple(p for p in self.paths if p.endswith(".py"))
        return self._python

    def __contains__(self, rel: str) -> bool:
        return rel in self._abs

    def add(self, rel: str) -> bool:
        """Admit a file under the root that discovery did not list (a ``-r`` include).

        Returns whether the file exists and is inside the root.
        """
        if rel in self._abs:
            return True
        parts = PurePosixPath(rel).parts
        if not parts or ".." in parts or PurePosixPath(rel).is_absolute():
            return False
        path = self.root / rel
        try:
            if not path.is_file():
                return False
        except OSError:
            return False
        self._abs[rel] = str(path)
        self._sorted = self._python = None
        return True

    # -- contents ----------------------------------------------------------------------------

    def text(self, rel: str, quiet: bool = False) -> str | None:
        """The decoded text of a file, or None (with a note unless ``quiet``) when it cannot be
        read."""
        cached = self._text.pop(rel, None)
        if cached is not None:
            self._text[rel] = cached  # now the most recently used
            return cached
        if rel in self._unreadable:
            return None
        result: str | None = None
        path = self._abs.get(rel)
        if path is not None:
            try:
                data = _read_regular(path)
                if data is None:
                    self.notes.append(f"{rel}: not read by the project view (larger than 5 MB)")
                else:
                    result = _decode(data, rel.endswith(".py"))
            except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as exc:
                if not quiet:
                    self.notes.append(f"{rel}: could not be read ({type(exc).__name__})")
        if result is None:
            self._unreadable.add(rel)
            return None
        self._keep_text(rel, result)
        if rel.endswith(".py"):
            self._mentions[rel] = _word_set(tuple(w for w in WATCHED if w in result))
        return result

    def _keep_text(self, rel: str, text: str) -> None:
        self._text[rel] = text
        self._text_chars += len(text)
        while self._text_chars > TEXT_CACHE_CHARS and len(self._text) > 1:
            oldest = next(iter(self._text))
            self._text_chars -= len(self._text.pop(oldest))

    def mentions(self, rel: str, word: str) -> bool:
        """Whether the text of a file contains ``word`` (a plain substring test).

        For a word of :data:`WATCHED` in a Python file whose text was read once already, the
        answer is remembered: the file is not read again.
        """
        text = self._text.get(rel)
        if text is None and word in WATCHED and rel in self._mentions:
            return word in self._mentions[rel]
        if text is None:
            text = self.text(rel)
        return text is not None and word in text

    def forget(self, rel: str) -> None:
        """Drop the cached text and tree of a file the view has no further use for (they are
        read again if asked for), so memory does not grow with the size of the tree."""
        text = self._text.pop(rel, None)
        if text is not None:
            self._text_chars -= len(text)
        tree = self._trees.pop(rel, None)
        if tree is not None:
            self._tree_chars -= tree[1]

    def module(self, rel: str) -> ast.Module | None:
        """The parsed module of a Python file, or None (with a note) when it does not parse."""
        cached = self._trees.pop(rel, None)
        if cached is not None:
            self._trees[rel] = cached  # now the most recently used
            return cached[0]
        if rel in self._unparsable:
            return None
        tree: ast.Module | None = None
        source = self.text(rel)
        if source is not None:
            try:
                tree = ast.parse(source, filename=rel)
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                self.notes.append(
                    f"{rel}: not used by the project view, it does not parse ({type(exc).__name__})"
                )
        if tree is None:
            self._unparsable.add(rel)
            return None
        self._trees[rel] = (tree, len(source or ""))
        self._tree_chars += len(source or "")
        while self._tree_chars > TREE_CACHE_CHARS and len(self._trees) > 1:
            oldest = next(iter(self._trees))
            self._tree_chars -= self._trees.pop(oldest)[1]
        return tree

    def lines(self, rel: str) -> list[str]:
        source = self.text(rel)
        return source.splitlines() if source is not None else []


_WORD_SETS: dict[tuple[str, ...], frozenset[str]] = {}


def _word_set(words: tuple[str, ...]) -> frozenset[str]:
    """One shared set per combination of watched words (a tree has many files, and few
    combinations)."""
    found = _WORD_SETS.get(words)
    if found is None:
        found = _WORD_SETS[words] = frozenset(words)
    return found


def _read_regular(path: str) -> bytes | None:
    """The bytes of the regular file at ``path``, or None when it is larger than
    :data:`MAX_BYTES`. Never blocks: a file that became a FIFO (or a device, a socket or a
    directory) since discovery raises :class:`OSError` like any file that cannot be read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(f"a directory: {path}")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"not a regular file: {path}")
        if info.st_size > MAX_BYTES:
            return None
        return read_open_file(fd, info.st_size)
    finally:
        os.close(fd)


def _plain_relative(name: object, prefix: str) -> str | None:
    """The '/'-separated path of ``name`` below the directory ``prefix`` (which ends with a
    separator) when that needs no normalising; None when :class:`Path` must work it out."""
    if not isinstance(name, (str, Path)):
        return None
    text = str(name)
    if not text.startswith(prefix):
        return None
    rest = text[len(prefix) :]
    if os.sep != "/":
        rest = rest.replace(os.sep, "/")
    if not rest or rest.startswith("/") or rest.endswith("/") or "//" in rest:
        return None
    if any(part in (".", "..") for part in rest.split("/")):
        return None
    return rest


def _decode(data: bytes, python: bool) -> str:
    """Decode bytes as Python does for source (PEP 263), or as UTF-8 for anything else."""
    if python:
        plain = plain_utf8_source(data)
        if plain is not None:
            return plain
        # tokenize decides, and says why it cannot, as it does for Python
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    return data.decode("utf-8-sig")


def byte_col(line: str, index: int) -> int:
    """The 0-based UTF-8 byte offset of character ``index`` in ``line``."""
    return len(line[:index].encode("utf-8"))
