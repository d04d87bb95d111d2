"""Stable fingerprints: the same finding keeps its fingerprint when unrelated lines move.

A fingerprint hashes the path, the code and the finding's source line with all whitespace
removed, plus the index of that occurrence among identical (path, code, line) triples in report
order. Line numbers are left out on purpose, so adding code above a finding does not make review
tools treat it as new. SARIF and GitLab share these values.

The scan numbers occurrences (:func:`number_occurrences`) over every finding before
``--diff-base`` keeps only the new ones, so a new finding on a line identical to an old one keeps
the fingerprint it has in a full run instead of taking over the old finding's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from flake8_celery_pickle.report.model import Item


def normalized_line(text: str) -> str:
    """The line with every whitespace character removed."""
    return "".join(text.split())


def _content_hash(item: Item) -> str:
    data = "\0".join((item.path, item.code, normalized_line(item.line_text)))
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprints(items: Sequence[Item]) -> list[tuple[str, int]]:
    """For each item in order: (content hash, 0-based occurrence index of that hash).

    An item that carries its ``occurrence`` (numbered by the scan) keeps it; the others are
    numbered in the order given.
    """
    seen: dict[str, int] = {}
    result: list[tuple[str, int]] = []
    for item in items:
        digest = _content_hash(item)
        index = seen.get(digest, 0)
        seen[digest] = index + 1
        result.append((digest, index if item.occurrence is None else item.occurrence))
    return result


def number_occurrences(items: Sequence[Item]) -> list[Item]:
    """``items`` (in report order) with ``occurrence`` set, for filtering afterwards."""
    return [
        replace(item, occurrence=index)
        for item, (_, index) in zip(
            items, fingerprints([replace(i, occurrence=None) for i in items])
        )
    ]


def stable_id(digest: str, index: int) -> str:
    """One opaque hex fingerprint for a (content hash, occurrence) pair."""
    return hashlib.sha256(f"{digest}:{index}".encode("ascii")).hexdigest()[:32]
