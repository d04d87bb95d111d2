"""``--diff-base REF``: the lines added or changed since REF, according to git.

``git diff --unified=0 REF`` compares the work tree with REF; every line of a ``+`` hunk is
new. The diff is asked for in a fixed shape (prefixes, no textconv, no colour, no external
driver), whatever the user's git configuration says. Untracked files that git does not ignore
count as wholly new. Paths are matched as absolute paths, so the command may run from any
directory inside the repository.
"""

from __future__ import annotations

import os
import re
import subprocess

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_OCTAL = re.compile(rb"\\([0-7]{3})")
_ESCAPES = {
    b"a": b"\a",
    b"b": b"\b",
    b"t": b"\t",
    b"n": b"\n",
    b"v": b"\v",
    b"f": b"\f",
    b"r": b"\r",
    b'"': b'"',
    b"\\": b"\\",
}


class DiffBaseError(Exception):
    """git could not answer (not a repository, unknown REF, git missing)."""


def _git(args: list[str], cwd: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except OSError as exc:
        raise DiffBaseError(f"cannot run git: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffBaseError(message[0] if message else f"git {args[0]} failed")
    return done.stdout


def unquote(raw: bytes) -> bytes:
    """Undo git's C-style quoting of an unusual path (``"a\\tb"``)."""
    if not (raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2):
        return raw
    body = raw[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        char = body[i : i + 1]
        if char == b"\\" and i + 1 < len(body):
            octal = _OCTAL.match(body, i)
            if octal:
                out.append(int(octal.group(1), 8))
                i += 4
                continue
            nxt = body[i + 1 : i + 2]
            out += _ESCAPES.get(nxt, nxt)
            i += 2
            continue
        out += char
        i += 1
    return bytes(out)


def parse_diff(diff: bytes) -> dict[bytes, set[int]]:
    """Added line numbers per new-side path (relative to the repository root)."""
    added: dict[bytes, set[int]] = {}
    current: set[int] | None = None
    for raw in diff.split(b"\n"):
        if raw.startswith(b"+++ "):
            name = raw[4:].rstrip(b"\r")
            if name.endswith(b"\t"):  # git appends a tab to names that contain a space
                name = name[:-1]
            if name == b"/dev/null":
                current = None
                continue
            name = unquote(name)
            if name.startswith(b"b/"):
                name = name[2:]
            current = added.setdefault(name, set())
        elif raw.startswith(b"@@ ") and current is not None:
            match = _HUNK.match(raw.decode("ascii", "replace"))
            if match:
                start = int(match.group(1))
                count = 1 if match.group(2) is None else int(match.group(2))
                current.update(range(start, start + count))
    return added


class ChangedLines:
    """Which (file, line) pairs are new since a git revision."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        self._repos: dict[str, dict[str, set[int] | None]] = {}

    def prepare(self, directory: str) -> None:
        """Load the diff of the repository holding ``directory`` (raises DiffBaseError).

        A directory that does not exist (a mistyped PATH, reported by discovery as a missing
        file) stands for its nearest existing ancestor, so git is asked about the right place.
        """
        directory = os.path.abspath(directory)
        while not os.path.isdir(directory) and os.path.dirname(directory) != directory:
            directory = os.path.dirname(directory)
        top = (
            _git(["rev-parse", "--show-toplevel"], directory)
            .decode("utf-8", "surrogateescape")
            .strip()
        )
        top = os.path.realpath(top)
        if top in self._repos:
            return
        if self.ref.startswith("-"):
            raise DiffBaseError(f"invalid revision {self.ref!r}")
        try:
            _git(["rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}"], top)
        except DiffBaseError:
            raise DiffBaseError(f"unknown revision {self.ref!r}") from None
        diff = _git(
            [
                "-c",
                "core.quotePath=true",
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--unified=0",
                "--no-renames",
                # The user's configuration must not change what is parsed: diff.noprefix and
                # diff.mnemonicPrefix change the "b/" prefix, a textconv driver the lines.
                "--src-prefix=a/",
                "--dst-prefix=b/",
                "--no-textconv",
                self.ref,
                "--",
            ],
            top,
        )
        changed: dict[str, set[int] | None] = {}
        for name, lines in parse_diff(diff).items():
            changed[os.path.join(top, os.fsdecode(name))] = lines
        untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], top)
        for name in untracked.split(b"\0"):
            if name:
                changed[os.path.join(top, os.fsdecode(name))] = None  # every line is new
        self._repos[top] = changed

    def is_new(self, path: str, line: int) -> bool:
        """Whether ``line`` of the file at ``path`` was added or changed since the revision."""
        real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        for changed in self._repos.values():
            if real in changed:
                lines = changed[real]
                return lines is None or line in lines
        return False
