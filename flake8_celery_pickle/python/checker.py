"""The single walk and the CPK000 guard.

:func:`check_tree` asks the gate, collects everything the checks need in one walk of the tree
(:mod:`.model`), then lets every check judge the collected nodes. Any exception on the way
becomes one CPK000 finding at line 1 naming the exception type: a file is never dropped.
"""

from __future__ import annotations

import ast
from typing import List, Optional, Sequence

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.python.gate import may_hold_finding
from flake8_celery_pickle.settings import DEFAULTS, Settings


def check_tree(
    tree: ast.AST, lines: Optional[Sequence[str]] = None, settings: Settings = DEFAULTS
) -> List[Finding]:
    """Findings for a parsed module, sorted by position. ``lines`` feed the gate.

    With ``lines=None`` the gate is skipped and the tree is always checked. Empty ``lines``
    are an empty file (flake8 gives one), which cannot hold a finding.
    """
    if lines is not None and not may_hold_finding(lines, settings):
        return []
    try:
        from flake8_celery_pickle.python.judge import judge

        return sorted(set(judge(tree, settings)))
    except Exception as exc:
        return [internal_error(exc)]


def check_source(source: str, settings: Settings = DEFAULTS) -> List[Finding]:
    """Gate, parse and check one module's source text.

    Raises :class:`SyntaxError` (or :class:`ValueError` for NUL bytes) when the source does not
    parse; the caller reports that as an error entry. Anything that fails after parsing is a
    CPK000 finding.
    """
    if not may_hold_finding(source, settings):
        return []
    try:
        tree = ast.parse(source)
    except (RecursionError, MemoryError) as exc:
        raise SyntaxError(f"too deeply nested to parse ({type(exc).__name__})") from exc
    return check_tree(tree, None, settings)


def internal_error(exc: BaseException) -> Finding:
    return Finding(1, 0, "CPK000", BY_CODE["CPK000"].format(error=type(exc).__name__))
