"""What every reporter receives: located findings, file counts, error entries and notes.

The scan builds one :class:`Report`; reporters only read it (and the code table). Each
:class:`Item` carries the text of the lines it points at, so every format can convert the
finding's 0-based UTF-8 byte columns into the unit it declares without reading files again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flake8_celery_pickle.finding import Finding


def byte_to_char_column(line_text: str, byte_col: int) -> int:
    """The 0-based code-point column of the 0-based UTF-8 byte column ``byte_col``.

    A byte offset inside a multi-byte character maps to that character's column; an offset
    past the end of the line counts the missing bytes as one code point each, so positions
    that no longer match the text stay ordered and never go below zero.
    """
    if byte_col <= 0:
        return 0
    encoded = line_text.encode("utf-8", "surrogatepass")
    if byte_col >= len(encoded):
        return len(line_text) + (byte_col - len(encoded))
    return len(encoded[:byte_col].decode("utf-8", "ignore"))


@dataclass(frozen=True)
class Item:
    """One finding at its display path, with the source lines its position refers to."""

    finding: Finding
    #: ``/``-separated, relative to the current directory where possible.
    path: str
    #: The text of ``finding.line`` without its line ending ("" when unknown).
    line_text: str = ""
    #: The text of ``finding.end_line`` without its line ending ("" when unknown).
    end_line_text: str = ""
    #: 0-based index among the findings of the whole scan with the same fingerprint content
    #: (see :mod:`.fingerprint`), numbered before ``--diff-base`` dropped any; None: number
    #: within the items being rendered.
    occurrence: int | None = None

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def line(self) -> int:
        return max(1, self.finding.line)

    @property
    def column(self) -> int:
        """1-based column in Unicode code points."""
        return byte_to_char_column(self.line_text, self.finding.col) + 1

    @property
    def byte_column(self) -> int:
        """1-based column in UTF-8 bytes (flake8's and reviewdog's unit)."""
        return max(0, self.finding.col) + 1

    @property
    def end_line(self) -> int | None:
        if self.finding.end_line is None or self.finding.end_col is None:
            return None
        return max(self.line, self.finding.end_line)

    @property
    def end_column(self) -> int | None:
        """1-based code-point column just past the end, or None when unknown."""
        if self.end_line is None or self.finding.end_col is None:
            return None
        text = self.line_text if self.end_line == self.line else self.end_line_text
        end = byte_to_char_column(text, self.finding.end_col) + 1
        if self.end_line == self.line:
            end = max(end, self.column)
        return end

    @property
    def end_byte_column(self) -> int | None:
        """1-based UTF-8 byte column just past the end, or None when unknown."""
        if self.end_line is None or self.finding.end_col is None:
            return None
        end = max(0, self.finding.end_col) + 1
        if self.end_line == self.line:
            end = max(end, self.byte_column)
        return end

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.finding.col, self.code, self.finding.message)


@dataclass(frozen=True)
class ErrorEntry:
    """A file that could not be read or parsed: it was not checked."""

    path: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class Skip:
    """A file that was deliberately not checked, and why."""

    path: str
    reason: str


@dataclass
class Report:
    """Everything one run of the command has to say."""

    items: list[Item] = field(default_factory=list)
    scanned: int = 0
    skipped: list[Skip] = field(default_factory=list)
    errors: list[ErrorEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The version of flake8-celery-pickle that produced the report.
    version: str = ""
