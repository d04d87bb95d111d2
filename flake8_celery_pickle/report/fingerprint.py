"""Stable fingerprints: the same finding keeps its fingerprint when unrelated lines move.

A fingerprint hashes the path, the code and the finding's source line with all whitespace
removed, plus the index of that occurrence among identical (path, code, line) triples in report
order. Line numbers are left out on purpose, so adding code above a finding does not make review
tools treat it as new. SARIF and GitLab share these values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from flake8_celery_pickle.report.model import Item


def normalized_line(text: str) -> str:
    """The line with every whitespace character removed."""
    return "".join(text.split())


def _content_hash(item: Item) -> str:
    data = "\0".join((item.path, item.code, normalized_line(item.line_text)))
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprints(items: Sequence[Item]) -> list[tuple[str, int]]:
    """For each item in order: (content hash, 0-based occurrence index of that hash)."""
    seen: dict[str, int] = {}
    result: list[tuple[str, int]] = []
    for item in items:
        digest = _content_hash(item)
        index = seen.get(digest, 0)
        seen[digest] = index + 1
        result.append((digest, index))
    return result


def stable_id(digest: str, index: int) -> str:
    """One opaque hex fingerprint for a (content hash, occurrence) pair."""
    return hashlib.sha256(f"{digest}:{index}".encode("ascii")).hexdigest()[:32]
