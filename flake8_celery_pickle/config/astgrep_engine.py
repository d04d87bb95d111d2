"""Run the pack in-process through ast-grep-py and turn matches into Findings.

Positions: ast-grep-py reports 0-based lines and code-point columns; Findings use 1-based
lines and UTF-8 byte columns, computed here from the original text. Dockerfiles are scanned
through their shell view (:mod:`.dockerfile`), which keeps every character's position.
"""

from __future__ import annotations

import re
from typing import Any, List, Sequence

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.config import explain, pack, suppress
from flake8_celery_pickle.config.dockerfile import shell_view
from flake8_celery_pickle.config.errors import ConfigParseError, EngineUnavailable
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.settings import Settings

ENGINE = "ast-grep"
#: Languages whose comments start with ``#`` (noqa comments are honoured there).
HASH_COMMENTS = {"yaml", "bash", "dockerfile", "hcl"}
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


def scan(path: str, text: str, language: str, settings: Settings) -> List[Finding]:
    """Findings of the pack's rules for ``language`` in ``text``."""
    sg_root = _load_sgroot(language)
    if "\x00" in text:
        raise ConfigParseError("binary content (NUL bytes)")
    grammar = "bash" if language == "dockerfile" else language
    source = shell_view(text) if language == "dockerfile" else text
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
            if suppressions.suppresses(rule.id, rng.start.line):
                continue
            line_text = lines[rng.start.line] if rng.start.line < len(lines) else ""
            if language in HASH_COMMENTS and suppress.noqa_suppresses(line_text, rule.code):
                continue
            message = BY_CODE[rule.code].format(**explain.message_args(rule.code, node, settings))
            findings.add(
                Finding(
                    line=rng.start.line + 1,
                    col=_byte_col(lines, rng.start.line, rng.start.column),
                    code=rule.code,
                    message=message,
                    end_line=rng.end.line + 1,
                    end_col=_byte_col(lines, rng.end.line, rng.end.column),
                    engine=ENGINE,
                    path=path,
                )
            )
    return sorted(findings)
