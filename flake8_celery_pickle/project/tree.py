"""The scanned tree as the project view sees it: paths, text and parsed modules, read lazily.

Nothing here imports or executes scanned code. Every read is cached, and every failure (a file
that cannot be read, decoded or parsed) becomes one note instead of an exception.
"""

from __future__ import annotations

import ast
import codecs
import io
import os
import tokenize
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

#: Files larger than this are not read by the project view (generated data, not configuration).
MAX_BYTES = 5_000_000
#: Words whose presence in a Python file is remembered when its text is first read, so later
#: passes can pass over files that cannot matter without reading them again.
WATCHED = ("environ", "putenv")


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
        self._text: dict[str, str | None] = {}
        self._trees: dict[str, ast.Module | None] = {}
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
        if rel in self._text:
            return self._text[rel]
        result: str | None = None
        path = self._abs.get(rel)
        if path is not None:
            try:
                with open(path, "rb") as handle:
                    if os.fstat(handle.fileno()).st_size > MAX_BYTES:
                        self.notes.append(f"{rel}: not read by the project view (larger than 5 MB)")
                    else:
                        result = _decode(handle.read(), rel.endswith(".py"))
            except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as exc:
                if not quiet:
                    self.notes.append(f"{rel}: could not be read ({type(exc).__name__})")
        self._text[rel] = result
        if result is not None and rel.endswith(".py"):
            self._mentions[rel] = frozenset(w for w in WATCHED if w in result)
        return result

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
        if self._text.get(rel) is not None:
            del self._text[rel]
        if self._trees.get(rel) is not None:
            del self._trees[rel]

    def module(self, rel: str) -> ast.Module | None:
        """The parsed module of a Python file, or None (with a note) when it does not parse."""
        if rel in self._trees:
            return self._trees[rel]
        tree: ast.Module | None = None
        source = self.text(rel)
        if source is not None:
            try:
                tree = ast.parse(source, filename=rel)
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                self.notes.append(
                    f"{rel}: not used by the project view, it does not parse ({type(exc).__name__})"
                )
        self._trees[rel] = tree
        return tree

    def lines(self, rel: str) -> list[str]:
        source = self.text(rel)
        return source.splitlines() if source is not None else []


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
    if python and not data.startswith(codecs.BOM_UTF8):
        # no encoding declaration in the first two lines: UTF-8, as Python reads it
        second = data.find(b"\n", data.find(b"\n") + 1)
        if b"coding" not in (data if second < 0 else data[:second]):
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass  # tokenize says why, as it does for Python
    if python:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    return data.decode("utf-8-sig")


def byte_col(line: str, index: int) -> int:
    """The 0-based UTF-8 byte offset of character ``index`` in ``line``."""
    return len(line[:index].encode("utf-8"))
