"""The command's machinery: discovery, routing, the process pool, suppression, selection.

:func:`scan` turns :class:`ScanOptions` into a :class:`~flake8_celery_pickle.report.model.Report`.
"""

from __future__ import annotations

from flake8_celery_pickle.scan.diffbase import DiffBaseError
from flake8_celery_pickle.scan.options import ScanOptions
from flake8_celery_pickle.scan.run import scan

__all__ = ["DiffBaseError", "ScanOptions", "scan"]
