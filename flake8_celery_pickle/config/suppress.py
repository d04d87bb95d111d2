"""Suppression comments: ``ast-grep-ignore`` (as the ast-grep CLI reads them) and ``# noqa``.

ast-grep-py applies no suppression, so the in-process runner does it here, following what
ast-grep 0.51 does in ``ast-grep scan``:

* a comment whose text, after its leading punctuation, starts with ``ast-grep-ignore``;
* ``ast-grep-ignore`` alone (or followed by anything but ``:``) suppresses every rule,
  ``ast-grep-ignore: id1, id2`` only those ids (exact rule ids; text after an id is ignored);
* a comment that follows code on its line applies to matches starting on the line where that
  code starts; a comment alone on its line applies to matches starting on the next line;
* a comment alone on the first line, followed by a blank line, applies to the whole file.

``# noqa`` follows flake8: on the physical line where the finding starts, bare or with codes
matched by prefix (``# noqa: CPK001``, ``# noqa:CPK0``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Optional, Sequence

IGNORE_TEXT = "ast-grep-ignore"
_IGNORE_START = re.compile(r"^[^A-Za-z0-9]*ast-grep-ignore")
NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)


def parse_ignore_ids(comment: str) -> Optional[FrozenSet[str]]:
    """The rule ids a suppression comment names; None means every rule."""
    _, _, after = comment.strip().partition(IGNORE_TEXT)
    after = after.strip()
    if not after or ":" not in after:
        return None
    _, _, listed = after.partition(":")
    ids = set()
    for part in listed.split(","):
        stripped = part.lstrip()
        ids.add(stripped.split(" ")[0])
    return frozenset(ids)


def is_ignore_comment(text: str) -> bool:
    return _IGNORE_START.match(text) is not None


@dataclass
class Suppressions:
    """Where ``ast-grep-ignore`` comments apply: 0-based lines -> rule ids (None: all)."""

    file: Optional[Optional[FrozenSet[str]]] = None
    has_file: bool = False
    lines: Dict[int, Optional[FrozenSet[str]]] = field(default_factory=dict)

    def suppresses(self, rule_id: str, line0: int) -> bool:
        if self.has_file and (self.file is None or rule_id in self.file):
            return True
        if line0 in self.lines:
            ids = self.lines[line0]
            return ids is None or rule_id in ids
        return False


def from_tree(root: Any) -> Suppressions:
    """Collect the suppression comments of an ast-grep-py tree."""
    found = Suppressions()
    for node in root.find_all(kind="comment"):
        text = node.text()
        if not is_ignore_comment(text):
            continue
        line = node.range().start.line
        prev = node.prev()
        trailing = prev is not None and prev.range().end.line == line
        ids = parse_ignore_ids(text)
        if not trailing and line == 0:
            nxt = node.next()
            if nxt is None or nxt.range().start.line >= 2:
                found.has_file = True
                found.file = ids
                continue
        key = prev.range().start.line if trailing and prev is not None else line + 1
        found.lines[key] = ids
    return found


def from_lines(lines: Sequence[str], comment_starts: Sequence[str] = ("#",)) -> Suppressions:
    """Collect suppression comments line by line (files ast-grep cannot parse: TOML, INI).

    A whole-line comment applies to the next line, a trailing comment to its own line.
    """
    found = Suppressions()
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        for start in comment_starts:
            if stripped.startswith(start):
                if is_ignore_comment(stripped):
                    ids = parse_ignore_ids(stripped)
                    following = lines[number + 1] if number + 1 < len(lines) else ""
                    if number == 0 and not following.strip():
                        found.has_file = True
                        found.file = ids
                    else:
                        found.lines[number + 1] = ids
                break
        else:
            index = _trailing_comment(line, comment_starts)
            if index is not None and is_ignore_comment(line[index:]):
                found.lines[number] = parse_ignore_ids(line[index:])
    return found


def _trailing_comment(line: str, comment_starts: Sequence[str]) -> Optional[int]:
    """Where a trailing comment starts (a comment marker after whitespace), if any."""
    best: Optional[int] = None
    for start in comment_starts:
        match = re.search(r"\s" + re.escape(start) + r"\s*ast-grep-ignore", line)
        if match and (best is None or match.start() + 1 < best):
            best = match.start() + 1
    return best


def noqa_suppresses(line_text: str, code: str) -> bool:
    """Whether a flake8-style ``# noqa`` on the line covers ``code``."""
    match = NOQA.search(line_text)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return True
    listed = [c for c in re.split(r"[,\s]+", codes.strip()) if c]
    return any(code.upper().startswith(c.upper()) for c in listed)
