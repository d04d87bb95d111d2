"""Lazy access to the engines, so the command only imports what a run needs.

The configuration engine (``flake8_celery_pickle.config``) and the project view
(``flake8_celery_pickle.project``) are optional: when a module is absent the command runs
without it; when it exists but fails to import, the failure is reported, not hidden.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

CONFIG_MODULE = "flake8_celery_pickle.config"
PROJECT_MODULE = "flake8_celery_pickle.project"


#: What each engine module must provide before the command uses it.
REQUIRED = {
    CONFIG_MODULE: ("language_for", "may_hold_finding", "scan_text"),
    PROJECT_MODULE: ("analyze",),
}


def optional_module(name: str) -> tuple[ModuleType | None, str | None]:
    """(module, None) when usable; (None, None) when absent or incomplete; (None, problem) when
    importing it fails."""
    try:
        if importlib.util.find_spec(name) is None:
            return None, None
    except (ImportError, ValueError):
        return None, None
    try:
        module = importlib.import_module(name)
    except Exception as exc:
        return None, f"{name} could not be loaded: {type(exc).__name__}: {exc}"
    if not all(hasattr(module, attr) for attr in REQUIRED.get(name, ())):
        return None, None  # a module still being written: run without it
    return module, None


def config_engine() -> tuple[ModuleType | None, str | None]:
    return optional_module(CONFIG_MODULE)


def project_engine() -> tuple[ModuleType | None, str | None]:
    return optional_module(PROJECT_MODULE)
