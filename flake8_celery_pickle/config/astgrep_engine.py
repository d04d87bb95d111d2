"""Run the pack in-process through ast-grep-py and turn matches into Findings.

Positions: ast-grep-py reports 0-based lines and code-point columns; Findings use 1-based
lines and UTF-8 byte columns, computed here from the original text. Dockerfiles and systemd
units are scanned through their shell views (:mod:`.dockerfile`, :mod:`.systemd`), which keep
every character's position.

A match is reported where its node starts, as ``ast-grep scan`` reports it. For a YAML block
scalar (``KEY: |`` with the value on the lines below) that is the ``|`` / ``>`` on the key line:
the only line of a block scalar that can hold a comment (below it, ``# noqa`` would be part of
the value). As flake8 does for multi-line strings, ``# noqa`` counts on any line a matched node
spans (a multi-line plain or quoted scalar takes its comment after its last line);
``ast-grep-ignore`` applies as in the CLI, to the line where the node starts.
"""

from __future__ import annotations

import re
from typing import Any, List, Sequence

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.config import dockerfile, explain, pack, suppress, systemd
from flake8_celery_pickle.config.errors import ConfigParseError, EngineUnavailable
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.settings import Settings

ENGINE = "ast-grep"
#: Languages whose comments start with ``#`` (noqa comments are honoured there).
HASH_COMMENTS = {"yaml", "bash", "dockerfile", "systemd", "hcl"}
#: Languages read through a shell view of the file, and the view.
SHELL_VIEWS = {"dockerfile": dockerfile.shell_view, "systemd": systemd.shell_view}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _load_sgroot(language: str) -> Any:
    try:
        from ast_grep_py import SgRoot
    except ImportError as exc:  # the optional extra is not installed
        raise EngineUnavailable(language) from exc
    return SgRoot


def _byte_col(lines: Sequence[str], line0: int, col: int) -> int:
    if line0 >= len(lines):
        return col
    return len(lines[line0][:col].encode("utf-8", "surrogatepass"))


def scan(
    path: str,
    text: str,
    language: str,
    settings: Settings,
    *,
    honour_suppressions: bool = True,
) -> List[Finding]:
    """Findings of the pack's rules for ``language`` in ``text``; ``honour_suppressions=False``
    also reports what ``ast-grep-ignore`` and ``# noqa`` comments would hide."""
    sg_root = _load_sgroot(language)
    if "\x00" in text:
        raise ConfigParseError("binary content (NUL bytes)")
    view = SHELL_VIEWS.get(language)
    grammar = "bash" if view is not None else language
    source = view(text) if view is not None else text
    # Lone surrogates (undecodable bytes read with surrogateescape) cannot cross into Rust;
    # one replacement character each keeps every code-point position.
    source = _SURROGATE.sub("\ufffd", source)
    root = sg_root(source, grammar).root()
    suppressions = suppress.from_tree(root)
    lines = text.split("\n")
    findings = set()
    for rule in pack.rules_for(grammar, settings):
        for node in root.find_all(rule.config):
            rng = node.range()
            line0, col = rng.start.line, rng.start.column
            if honour_suppressions and _suppressed(rule, language, lines, suppressions, rng):
                continue
            message = BY_CODE[rule.code].format(**explain.message_args(rule.code, node, settings))
            findings.add(
                Finding(
                    line=line0 + 1,
                    col=_byte_col(lines, line0, col),
                    code=rule.code,
                    message=message,
                    end_line=rng.end.line + 1,
                    end_col=_byte_col(lines, rng.end.line, rng.end.column),
                    engine=ENGINE,
                    path=path,
                )
            )
    return sorted(findings)


def _suppressed(
    rule: pack.PackRule,
    language: str,
    lines: Sequence[str],
    suppressions: suppress.Suppressions,
    rng: Any,
) -> bool:
    """``ast-grep-ignore`` for the line where the node starts (as the CLI); ``# noqa`` on any
    line the node spans (as flake8 for a multi-line string)."""
    if suppressions.suppresses(rule.id, rng.start.line):
        return True
    if language not in HASH_COMMENTS:
        return False
    last = rng.end.line if rng.end.column or rng.end.line == rng.start.line else rng.end.line - 1
    for number in range(rng.start.line, min(last, len(lines) - 1) + 1):
        if suppress.noqa_suppresses(lines[number], rule.code):
            return True
    return False
