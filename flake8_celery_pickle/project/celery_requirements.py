"""Celery in PEP 508 requirement strings, and the :class:`Pin` record of a declaration that
holds it below 4.0.1 (whether a constraint holds it there is
:mod:`~flake8_celery_pickle.project.versions`' job)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from flake8_celery_pickle.project.declaration_text import Lines
from flake8_celery_pickle.project.versions import Hold, hold_of_specifiers

PACKAGE = "celery"


@dataclass(frozen=True)
class Pin:
    """A declaration that holds Celery below 4.0.1."""

    path: str
    line: int
    col: int
    end_col: int
    #: how the pin reads in a message: ``celery==3.1.26``, ``celery ^3.1``
    shown: str
    hold: Hold


def is_celery(name: str) -> bool:
    """Whether a distribution name is Celery's."""
    return canonicalize_name(name) == PACKAGE


def celery_requirement(text: str) -> Requirement | None:
    """``text`` as a requirement on Celery from an index; None for anything else."""
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    if not is_celery(req.name) or req.url:
        return None
    return req


def shown(req: Requirement) -> str:
    """How a requirement reads in a message: ``celery==3.1.26``."""
    return f"{req.name}{req.specifier}"


def celery_hold(text: str) -> tuple[Requirement, Hold] | None:
    """The Celery requirement ``text`` and what it holds Celery to, or None when ``text`` is no
    Celery requirement or holds nothing (:func:`~.versions.hold_of_specifiers`)."""
    req = celery_requirement(text)
    if req is None:
        return None
    hold = hold_of_specifiers(req.specifier)
    return None if hold is None else (req, hold)


def pep508_pins(path: str, text: str, values: Sequence[str]) -> Iterator[Pin]:
    """Pins among requirement strings ``values`` of file ``path``, at their quoted text."""
    lines = Lines(text)
    for value in values:
        if not isinstance(value, str):
            continue
        held = celery_hold(value)
        if held is None:
            continue
        req, hold = held
        where = lines.find_string(value) or (1, 0, 0)
        yield Pin(path, where[0], where[1], where[2], shown(req), hold)
