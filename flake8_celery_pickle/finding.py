"""The value every engine produces: one finding at one place in one file."""

from __future__ import annotations

from typing import NamedTuple, Optional


class Finding(NamedTuple):
    """One CPK finding.

    Positions follow the convention of Python's ``ast`` and of tree-sitter: ``line`` is 1-based,
    ``col`` is the 0-based offset in UTF-8 bytes into that line (exactly what flake8 expects from
    a plugin). ``end_line`` / ``end_col`` use the same units and point just past the expression.
    Reporters convert columns to the unit their format declares.

    A named tuple (cheap to create, to import, to compare and to sort by position); use
    ``finding._replace(path=...)`` to derive a copy.
    """

    line: int
    col: int
    code: str
    message: str
    end_line: Optional[int] = None
    end_col: Optional[int] = None
    #: ``python``, ``ast-grep``, ``toml``, ``ini`` or ``project``.
    engine: str = "python"
    #: The file, as the command names it; empty inside the single-file checkers.
    path: str = ""

    @property
    def text(self) -> str:
        """flake8's form: the code, one space, the message."""
        return f"{self.code} {self.message}"
