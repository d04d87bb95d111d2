"""``rdjson``: reviewdog's Diagnostic Format (a ``DiagnosticResult`` object).

Lines and columns are 1-based and columns count UTF-8 bytes, as reviewdog's proto says. Use it
with ``reviewdog -f=rdjson``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flake8_celery_pickle.codes import DOCS_URL, Rule
from flake8_celery_pickle.report.model import Item, Report

SEVERITY = {"error": "ERROR", "warning": "WARNING", "note": "INFO"}
SOURCE = {"name": "flake8-celery-pickle", "url": DOCS_URL}


def _diagnostic(item: Item, rules: Mapping[str, Rule]) -> dict[str, Any]:
    rule = rules.get(item.code)
    rng: dict[str, Any] = {"start": {"line": item.line, "column": item.byte_column}}
    end_line, end_column = item.end_line, item.end_byte_column
    if end_line is not None and end_column is not None:
        rng["end"] = {"line": end_line, "column": end_column}
    code: dict[str, Any] = {"value": item.code}
    if rule:
        code["url"] = rule.url
    return {
        "message": item.finding.message,
        "location": {"path": item.path, "range": rng},
        "severity": SEVERITY[rule.severity if rule else "error"],
        "source": dict(SOURCE),
        "code": code,
    }


def document(report: Report, rules: Mapping[str, Rule]) -> dict[str, Any]:
    return {
        "source": dict(SOURCE),
        "severity": "ERROR",
        "diagnostics": [_diagnostic(item, rules) for item in report.items],
    }


def render(report: Report, rules: Mapping[str, Rule]) -> str:
    return json.dumps(document(report, rules), indent=2, ensure_ascii=False) + "\n"
