"""What the TOML and INI readers share: building findings and applying suppressions."""

from __future__ import annotations

from typing import List, Sequence, Tuple

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.config import suppress
from flake8_celery_pickle.finding import Finding

#: (0-based line, code-point column, code, message arguments, end column)
Hit = Tuple[int, int, str, dict, int]


def entry_point_decoder(target: str) -> str:
    """CPK008's ``decoder`` argument for a ``kombu.serializers`` entry point."""
    return f"kombu.serializers entry point {target}, loaded by every kombu process and not checked"


def rule_id(code: str, language: str) -> str:
    """The id ``ast-grep-ignore`` comments name for findings of the stdlib readers."""
    return f"{code.lower()}-{language}"


def findings(
    path: str,
    lines: Sequence[str],
    hits: List[Hit],
    language: str,
    engine: str,
    comment_starts: Sequence[str],
    honour_suppressions: bool = True,
) -> List[Finding]:
    suppressions = suppress.from_lines(lines, comment_starts)
    out = set()
    for line0, col, code, args, end_col in hits:
        text = lines[line0] if line0 < len(lines) else ""
        if honour_suppressions and (
            suppressions.suppresses(rule_id(code, language), line0)
            or suppress.noqa_suppresses(text, code)
        ):
            continue
        out.add(
            Finding(
                line=line0 + 1,
                col=len(text[:col].encode("utf-8", "surrogatepass")),
                code=code,
                message=BY_CODE[code].format(**args),
                end_line=line0 + 1,
                end_col=len(text[:end_col].encode("utf-8", "surrogatepass")),
                engine=engine,
                path=path,
            )
        )
    return sorted(out)
