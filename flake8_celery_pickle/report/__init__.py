"""Output formats of the command: one module per format, each ``render(report, rules) -> str``.

Reporters never analyse: they read a :class:`~.model.Report` and the code table.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Callable

from flake8_celery_pickle.codes import Rule
from flake8_celery_pickle.report.model import ErrorEntry, Item, Report, Skip

FORMATS = ("text", "json", "sarif", "github", "gitlab", "rdjson")

Renderer = Callable[[Report, Mapping[str, Rule]], str]


def renderer(name: str) -> Renderer:
    """The ``render`` function of format ``name`` (one of :data:`FORMATS`)."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    module = importlib.import_module(f"flake8_celery_pickle.report.{name}")
    return module.render  # type: ignore[no-any-return]


__all__ = ["FORMATS", "ErrorEntry", "Item", "Report", "Skip", "renderer"]
