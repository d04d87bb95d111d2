"""``sarif``: one SARIF 2.1.0 log with one run covering every engine.

Rules come from the code table: ``shortDescription`` is the summary, ``fullDescription`` the
"what it does" text, ``help`` the rule's documentation as text and markdown, ``helpUri`` its
README section. Columns are Unicode code points and the run says so (``columnKind``).
``partialFingerprints`` come from :mod:`.fingerprint`, so they survive unrelated edits. Files
that could not be checked are tool execution notifications, and make
``executionSuccessful`` false.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flake8_celery_pickle.codes import DOCS_URL, Rule
from flake8_celery_pickle.report.fingerprint import fingerprints, stable_id
from flake8_celery_pickle.report.model import ErrorEntry, Item, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "flake8-celery-pickle"
#: GitHub's ``security-severity`` score per rule severity (7.0-8.9 is "high").
SECURITY_SEVERITY = {"error": "8.1", "warning": "5.9", "note": "3.1"}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
#: GitHub shows at most 1024 characters of a description.
MAX_DESCRIPTION = 1024


def _clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "\u2026"


def help_text(rule: Rule) -> str:
    """The rule's documentation as plain text."""
    refs = "\n".join(f"- {title}: {url}" for title, url in rule.references)
    return (
        f"{rule.what}\n\nWhy is this bad?\n{rule.why}\n\nExample:\n{rule.example}\n\n"
        f"Use instead:\n{rule.use_instead}\n\nReferences:\n{refs}\n"
    )


def help_markdown(rule: Rule) -> str:
    """The rule's documentation as markdown, in the README's sections."""
    refs = "\n".join(f"- [{title}]({url})" for title, url in rule.references)
    return (
        f"## What it does\n\n{rule.what}\n\n## Why is this bad?\n\n{rule.why}\n\n"
        f"## Example\n\n```\n{rule.example}\n```\n\n"
        f"## Use instead\n\n```\n{rule.use_instead}\n```\n\n## References\n\n{refs}\n"
    )


def descriptor(rule: Rule) -> dict[str, Any]:
    """The SARIF reportingDescriptor of one code."""
    properties: dict[str, Any] = {"precision": "high"}
    if rule.scope == "internal":
        properties["tags"] = ["reliability"]
    else:
        properties["tags"] = ["security", "CWE-502", "external/cwe/cwe-502", "celery"]
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    properties["problem.severity"] = PROBLEM_SEVERITY[rule.severity]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _clip(rule.summary)},
        "fullDescription": {"text": _clip(rule.what)},
        "help": {"text": help_text(rule), "markdown": help_markdown(rule)},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": rule.severity, "enabled": rule.default_enabled},
        "properties": properties,
    }


def _uri(path: str) -> str:
    return quote(path, safe="/")


def _region(item: Item) -> dict[str, int]:
    region = {"startLine": item.line, "startColumn": item.column}
    end_line, end_column = item.end_line, item.end_column
    if end_line is not None and end_column is not None:
        region["endLine"] = end_line
        region["endColumn"] = end_column
    return region


def _result(
    item: Item, index: dict[str, int], rules: Mapping[str, Rule], digest: str, occurrence: int
) -> dict[str, Any]:
    rule = rules.get(item.code)
    result: dict[str, Any] = {
        "ruleId": item.code,
        "level": rule.severity if rule else "error",
        "message": {"text": item.finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(item.path), "uriBaseId": "%SRCROOT%"},
                    "region": _region(item),
                }
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": f"{digest[:16]}:{occurrence + 1}",
            "flake8CeleryPickle/v1": stable_id(digest, occurrence),
        },
        "properties": {"engine": item.finding.engine},
    }
    if item.code in index:
        result["ruleIndex"] = index[item.code]
    return result


def _notification(error: ErrorEntry) -> dict[str, Any]:
    location: dict[str, Any] = {
        "artifactLocation": {"uri": _uri(error.path), "uriBaseId": "%SRCROOT%"}
    }
    if error.line is not None and error.line >= 1:
        location["region"] = {"startLine": error.line}
    return {
        "level": "error",
        "message": {"text": f"{error.path}: {error.message}"},
        "locations": [{"physicalLocation": location}],
    }


def document(report: Report, rules: Mapping[str, Rule]) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dictionary."""
    ordered: list[Rule] = sorted(rules.values(), key=lambda r: r.code)
    index = {rule.code: i for i, rule in enumerate(ordered)}
    prints = fingerprints(report.items)
    results = [
        _result(item, index, rules, digest, occurrence)
        for item, (digest, occurrence) in zip(report.items, prints)
    ]
    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "informationUri": DOCS_URL,
        "rules": [descriptor(rule) for rule in ordered],
    }
    if report.version:
        driver["version"] = report.version
        driver["semanticVersion"] = report.version
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [
            {
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": [_notification(e) for e in report.errors],
            }
        ],
    }
    if report.notes:
        run["properties"] = {"notes": list(report.notes)}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, rules: Mapping[str, Rule]) -> str:
    return json.dumps(document(report, rules), indent=2, ensure_ascii=False) + "\n"
