"""The result table: rows, targets and their markdown rendering. Pure: no processes, no clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from benchmarks.measure import Spread


@dataclass(frozen=True)
class Target:
    """``what <= limit``: ``what`` is a ratio ("wall", "cpu", "peak") or "value" (the A median)."""

    what: str
    limit: float
    unit: str = "x"

    def describe(self) -> str:
        label = "" if self.what == "value" else self.what + " "
        return f"{label}<= {self.limit:g}{self.unit}"


@dataclass
class Row:
    """One line of the table. A side without a measurement carries ``missing`` text instead."""

    label: str
    a: str
    b: str
    n: int = 0
    unit: str = "s"
    a_median: Optional[float] = None
    b_median: Optional[float] = None
    wall: Optional[Spread] = None
    cpu: Optional[Spread] = None
    peak: Optional[Spread] = None
    target: Optional[Target] = None
    missing: str = ""
    notes: List[str] = field(default_factory=list)

    def judged(self) -> Optional[float]:
        """The figure the target is about, or None when there is none."""
        if self.target is None or self.missing:
            return None
        if self.target.what == "value":
            return self.a_median
        spread = {"wall": self.wall, "cpu": self.cpu, "peak": self.peak}[self.target.what]
        return spread.median if spread else None

    def met(self) -> Optional[bool]:
        value = self.judged()
        if value is None or self.target is None:
            return None
        return value <= self.target.limit


def format_number(value: Optional[float], unit: str = "") -> str:
    """A measurement with about three significant digits."""
    if value is None:
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 100:
        text = f"{value:.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    elif magnitude >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    return f"{text} {unit}".rstrip() if unit else text


def format_ratio(spread: Optional[Spread]) -> str:
    """``1.01 [0.98–1.04]``, or ``n/a``."""
    if spread is None:
        return "n/a"
    return f"**{spread.median:.3f}** [{spread.low:.3f}–{spread.high:.3f}]"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


HEADER = (
    "measurement",
    "A",
    "B",
    "n",
    "A median",
    "B median",
    "A/B wall [min–max]",
    "A/B cpu [min–max]",
    "A/B peak RSS [min–max]",
    "target",
    "met?",
)


def render_row(row: Row) -> str:
    if row.missing:
        cells = [row.label, row.a, row.b, "0", row.missing, "", "n/a", "n/a", "n/a"]
    else:
        cells = [
            row.label,
            row.a,
            row.b,
            str(row.n),
            format_number(row.a_median, row.unit),
            format_number(row.b_median, row.unit) if row.b_median is not None else "—",
            format_ratio(row.wall),
            format_ratio(row.cpu),
            format_ratio(row.peak),
        ]
    cells.append(row.target.describe() if row.target else "—")
    met = row.met()
    cells.append("—" if met is None else ("yes" if met else "**no**"))
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render_table(rows: Sequence[Row]) -> str:
    """The markdown table of ``rows`` with its header."""
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join(["---"] * 3 + ["---:"] * 6 + ["---", "---"]) + "|",
    ]
    lines.extend(render_row(row) for row in rows)
    return "\n".join(lines)


def render_notes(rows: Sequence[Row]) -> str:
    """Numbered notes attached to rows, as a markdown list (empty when there are none)."""
    out = []
    for row in rows:
        for note in row.notes:
            out.append(f"- {row.label}: {note}")
    return "\n".join(out)
