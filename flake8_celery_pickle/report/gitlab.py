"""``gitlab``: a GitLab Code Quality report (a subset of the CodeClimate issue format).

A JSON array of issues with ``description``, ``check_name``, ``fingerprint`` (stable across
unrelated edits, see :mod:`.fingerprint`), ``severity`` and ``location.path`` /
``location.lines.begin``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flake8_celery_pickle.codes import Rule
from flake8_celery_pickle.report.fingerprint import fingerprints, stable_id
from flake8_celery_pickle.report.model import Report

SEVERITY = {"error": "critical", "warning": "major", "note": "minor"}


def document(report: Report, rules: Mapping[str, Rule]) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    for item, (digest, occurrence) in zip(report.items, fingerprints(report.items)):
        rule = rules.get(item.code)
        issue: dict[str, Any] = {
            "type": "issue",
            "description": f"{item.code} {item.finding.message}",
            "check_name": f"{item.code} {rule.name}" if rule else item.code,
            "categories": ["Security"],
            "fingerprint": stable_id(digest, occurrence),
            "severity": SEVERITY[rule.severity if rule else "error"],
            "location": {
                "path": item.path,
                "lines": {"begin": item.line, "end": item.end_line or item.line},
            },
        }
        issues.append(issue)
    return issues


def render(report: Report, rules: Mapping[str, Rule]) -> str:
    return json.dumps(document(report, rules), indent=2, ensure_ascii=False) + "\n"
