"""``github``: GitHub Actions workflow commands that annotate files in a pull request.

One ``::error`` / ``::warning`` / ``::notice`` line per finding and per file that could not be
checked. Values are escaped as the Actions runner expects (``%``, CR and LF everywhere, and
``:`` and ``,`` in properties), so no file name or message can end a command or start another.
Columns are 1-based Unicode code points.
"""

from __future__ import annotations

from collections.abc import Mapping

from flake8_celery_pickle.codes import Rule
from flake8_celery_pickle.report.model import Report

COMMAND = {"error": "error", "warning": "warning", "note": "notice"}
#: GitHub shows at most this many annotations of each level per step.
SHOWN_PER_LEVEL = 10


def escape_data(text: str) -> str:
    """Escape a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (file name, title)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{kind} {props}::{escape_data(message)}"


def render(report: Report, rules: Mapping[str, Rule]) -> str:
    lines: list[str] = []
    counts: dict[str, int] = {}
    for item in report.items:
        rule = rules.get(item.code)
        kind = COMMAND[rule.severity if rule else "error"]
        counts[kind] = counts.get(kind, 0) + 1
        props: dict[str, object] = {"file": item.path, "line": item.line, "col": item.column}
        if item.end_line is not None and item.end_column is not None:
            props["endLine"] = item.end_line
            if item.end_line == item.line:
                props["endColumn"] = item.end_column
        props["title"] = f"{item.code} {rule.name}" if rule else item.code
        lines.append(_command(kind, props, item.finding.message))
    for error in report.errors:
        counts["error"] = counts.get("error", 0) + 1
        props = {"file": error.path}
        if error.line is not None and error.line >= 1:
            props["line"] = error.line
        props["title"] = "flake8-celery-pickle could not check this file"
        lines.append(_command("error", props, error.message))
    hidden = sum(max(0, n - SHOWN_PER_LEVEL) for n in counts.values())
    if hidden:
        total = len(report.items) + len(report.errors)
        lines.append(
            f"::notice title=flake8-celery-pickle::{total} annotations in total; GitHub shows "
            f"{SHOWN_PER_LEVEL} per level and step, so {hidden} may be hidden. Upload the "
            "SARIF output (--format sarif) to code scanning to see all of them."
        )
    return "".join(line + "\n" for line in lines)
