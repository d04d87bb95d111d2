"""Which engine reads a file: the Python checker, the configuration engines, or none."""

from __future__ import annotations

import os
import re
import stat
from typing import Any

PYTHON = "python"
CONFIG = "config"
PYTHON_SUFFIXES = (".py", ".pyw")
_SHEBANG = re.compile(rb"^#![^\n]*\bpython[0-9.]*\b")


def has_python_shebang(path: str) -> bool:
    """Whether a file starts with a ``#!`` line that runs Python (never blocks, never raises)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        head = os.read(fd, 256)
    except OSError:
        return False
    finally:
        os.close(fd)
    return _SHEBANG.match(head) is not None


def route(path: str, config: Any = None, *, probe_shebang: bool = True) -> str | None:
    """``"python"``, ``"config"`` or None for the file at ``path``.

    ``config`` is the configuration engine module (or None when it is not installed); its
    ``language_for`` decides which configuration files it reads. Files without a suffix are
    Python when their first line is a Python shebang, even when their name is one the
    configuration engine reads (``celeryd`` is also the name of Celery's old console script).
    """
    name = os.path.basename(path)
    if name.endswith(PYTHON_SUFFIXES):
        return PYTHON
    is_config = False
    if config is not None:
        try:
            is_config = bool(config.language_for(path))
        except Exception:
            is_config = False
    if probe_shebang and "." not in name.lstrip("."):
        if has_python_shebang(path):
            return PYTHON
    return CONFIG if is_config else None
