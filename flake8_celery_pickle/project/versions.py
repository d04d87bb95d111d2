"""Whether a version constraint holds Celery below 4.0.1 (``packaging`` does the parsing).

A constraint *holds* Celery there when every version it admits is below 4.0.1: it has an upper
bound at or under 4.0.1. What the held releases do by default (celery-semantics.md, 1.1):
3.x and earlier send *and* accept pickle; 4.0.0 sends json but still accepts pickle
(CELERYSA-0003). A constraint that may admit 4.0.0 is described by the milder behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

FIRST_SAFE = Version("4.0.1")
FIRST_JSON = Version("4.0.0")
SENDS = "sends and accepts"
ACCEPTS = "accepts"


@dataclass(frozen=True)
class Hold:
    """Celery held below 4.0.1, and what those releases do with pickle by default."""

    behaviour: str

    @property
    def legacy(self) -> bool:
        """Whether only 3.x (and earlier) is admitted: those read only the old setting names."""
        return self.behaviour == SENDS


#: An upper bound: (version, inclusive).
Bound = tuple[Version, bool]


def _bump(release: tuple[int, ...], index: int) -> Version:
    parts = list(release[: index + 1])
    parts[index] += 1
    return Version(".".join(str(p) for p in parts))


def _upper(spec: Specifier) -> Bound | None:
    op, text = spec.operator, spec.version
    try:
        if op == "<":
            return Version(text), False
        if op == "<=":
            return Version(text), True
        if op == "==" and text.endswith(".*"):
            release = Version(text[:-2]).release
            return _bump(release, len(release) - 1), False
        if op in ("==", "==="):
            return Version(text), True
        if op == "~=":
            release = Version(text).release
            return _bump(release, len(release) - 2), False
    except (InvalidVersion, IndexError):
        return None
    return None


def _hold_of_bounds(bounds: list[Bound]) -> Hold | None:
    if not bounds:
        return None
    version, inclusive = min(bounds, key=lambda b: (b[0], b[1]))
    if version > FIRST_SAFE or (version == FIRST_SAFE and inclusive):
        return None
    if version < FIRST_JSON or (version == FIRST_JSON and not inclusive):
        return Hold(SENDS)
    return Hold(ACCEPTS)


#: Releases from 4.0.1 on, as a grid dense enough for any constraint written by hand: a set
#: that admits none of them holds Celery below 4.0.1 even without an upper bound under it
#: (``>=3.1,!=4.*,<5``).
_LATER: tuple[Version, ...] = tuple(
    v
    for v in (
        Version(f"{major}.{minor}.{micro}")
        for major in range(4, 13)
        for minor in range(13)
        for micro in range(11)
    )
    if v >= FIRST_SAFE
)
#: Releases before 4.0.0: a held constraint that admits none of them (nor 4.0.0) admits nothing.
_EARLIER: tuple[Version, ...] = tuple(
    Version(f"{major}.{minor}.{micro}")
    for major in range(4)
    for minor in range(13)
    for micro in range(31)
)


def _hold_by_exclusion(specifiers: SpecifierSet) -> Hold | None:
    if any(specifiers.contains(v, prereleases=True) for v in _LATER):
        return None
    if specifiers.contains(FIRST_JSON, prereleases=True):
        return Hold(ACCEPTS)
    if any(specifiers.contains(v, prereleases=True) for v in _EARLIER):
        return Hold(SENDS)
    return None  # admits no release at all: nothing is held, the resolver will fail


def hold_of_specifiers(specifiers: SpecifierSet) -> Hold | None:
    """The hold of a PEP 440 specifier set, or None when it admits 4.0.1 or later."""
    bounds = [b for b in (_upper(s) for s in specifiers) if b is not None]
    hold = _hold_of_bounds(bounds)
    if hold is None and any(s.operator == "!=" for s in specifiers):
        return _hold_by_exclusion(specifiers)
    return hold


def hold_of_specifier_text(text: str) -> Hold | None:
    """Like :func:`hold_of_specifiers` for text: ``'==3.1.26'``, ``'<4'``; ``'*'`` holds nothing."""
    text = text.strip()
    if not text or text == "*":
        return None
    if text[0].isdigit():
        text = "==" + text
    try:
        return hold_of_specifiers(SpecifierSet(text))
    except InvalidSpecifier:
        return None


def hold_of_version(text: str) -> Hold | None:
    """The hold of one exact (locked) version."""
    try:
        version = Version(text.strip().lstrip("="))
    except InvalidVersion:
        return None
    return _hold_of_bounds([(version, True)])


_POETRY_TERM = re.compile(r"(\^|~=|~|>=|<=|==|!=|>|<|=)?\s*([0-9][0-9A-Za-z.*+!-]*)")


def _poetry_term(op: str, text: str) -> Bound | None:
    try:
        if op == "^":
            release = Version(text).release
            index = next((i for i, p in enumerate(release) if p), len(release) - 1)
            return _bump(release, index), False
        if op == "~":
            release = Version(text).release
            return _bump(release, 1 if len(release) > 1 else 0), False
        if op in ("", "="):
            op = "=="
        if text.endswith((".*", ".x")) and op == "==":
            text = text[:-2] + ".*"
        return _upper(Specifier(f"{op}{text}"))
    except (InvalidVersion, InvalidSpecifier, IndexError):
        return None


def hold_of_poetry(constraint: str) -> Hold | None:
    """The hold of a Poetry constraint (``^3.1``, ``~3.1``, ``3.1.26``, ``>=3,<4``, ``a || b``).

    With alternatives (``||``), Celery is held only when every alternative holds it.
    """
    alternatives = [a.strip() for a in constraint.split("||")]
    holds: list[Hold] = []
    for alternative in alternatives:
        if not alternative or alternative == "*":
            return None
        bounds: list[Bound] = []
        for term in re.split(r"[,\s]+(?=[\^~<>=!0-9])", alternative):
            match = _POETRY_TERM.fullmatch(term.strip())
            if match is None:
                return None
            bound = _poetry_term(match.group(1) or "", match.group(2))
            if bound is not None:
                bounds.append(bound)
        hold = _hold_of_bounds(bounds)
        if hold is None:
            return None
        holds.append(hold)
    if not holds:
        return None
    return Hold(ACCEPTS) if any(h.behaviour == ACCEPTS for h in holds) else Hold(SENDS)
