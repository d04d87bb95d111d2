"""Everything a scan needs to know, independent of how the command line spelled it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flake8_celery_pickle.scan.ignore import DEFAULT_EXCLUDE
from flake8_celery_pickle.scan.read import DEFAULT_MAX_SIZE
from flake8_celery_pickle.settings import DEFAULTS, Settings


@dataclass(frozen=True)
class ScanOptions:
    settings: Settings = DEFAULTS
    #: None: flake8's default (every CPK code); otherwise the explicit list.
    select: tuple[str, ...] | None = None
    #: None: the codes that are off by default; otherwise the explicit list.
    ignore: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    use_gitignore: bool = True
    disable_noqa: bool = False
    #: Bytes; 0 means no limit.
    max_size: int = DEFAULT_MAX_SIZE
    #: None means auto.
    jobs: int | None = None
    diff_base: str | None = None
    #: Run the whole-project view when it is installed.
    project: bool = True
    paths: tuple[str, ...] = field(default=(".",))
