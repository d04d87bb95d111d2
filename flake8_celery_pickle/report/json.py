"""``json``: one object for tools to parse; its shape is a stable interface.

``{"version", "findings": [...], "files": {"scanned", "skipped", "errors"}}``, plus the
details ``"skipped"`` and ``"errors"`` (lists) and ``"notes"``. Each finding has ``path``,
``line``, ``column`` (1-based Unicode code points), ``end_line``, ``end_column`` (just past the
end; ``null`` when unknown), ``code``, ``name``, ``message``, ``severity`` and ``engine``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flake8_celery_pickle.codes import Rule
from flake8_celery_pickle.report.model import Item, Report


def _finding(item: Item, rules: Mapping[str, Rule]) -> dict[str, Any]:
    rule = rules.get(item.code)
    return {
        "path": item.path,
        "line": item.line,
        "column": item.column,
        "end_line": item.end_line,
        "end_column": item.end_column,
        "code": item.code,
        "name": rule.name if rule else "",
        "message": item.finding.message,
        "severity": rule.severity if rule else "error",
        "engine": item.finding.engine,
    }


def document(report: Report, rules: Mapping[str, Rule]) -> dict[str, Any]:
    """The report as a JSON-ready dictionary."""
    return {
        "version": report.version,
        "findings": [_finding(item, rules) for item in report.items],
        "files": {
            "scanned": report.scanned,
            "skipped": len(report.skipped),
            "errors": len(report.errors),
        },
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        "errors": [{"path": e.path, "line": e.line, "message": e.message} for e in report.errors],
        "notes": list(report.notes),
    }


def render(report: Report, rules: Mapping[str, Rule]) -> str:
    return json.dumps(document(report, rules), indent=2, ensure_ascii=False) + "\n"
