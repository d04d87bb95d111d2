"""Running :func:`~.worker.check_file` over many files, serially or in processes.

Results come back in task order whatever the number of processes, so the output never depends
on ``--jobs``. With ``--jobs auto`` processes are used only when the files to read add up to
enough bytes to pay for starting them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from flake8_celery_pickle.scan.worker import FileOutcome, Task, check_file

#: With ``--jobs auto``, fewer bytes than this are checked in the main process.
AUTO_PARALLEL_BYTES = 4 * 1024 * 1024
#: With ``--jobs auto``, fewer files than this are checked in the main process.
AUTO_PARALLEL_FILES = 64


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def worker_count(tasks: Sequence[Task], jobs: int | None) -> int:
    """How many processes to use: ``jobs`` None means auto."""
    if len(tasks) < 2:
        return 1
    if jobs is not None:
        return max(1, min(jobs, len(tasks)))
    cpus = available_cpus()
    if cpus < 2 or len(tasks) < AUTO_PARALLEL_FILES:
        return 1
    if sum(_size(task.path) for task in tasks) < AUTO_PARALLEL_BYTES:
        return 1
    return min(cpus, len(tasks))


def run_tasks(tasks: Sequence[Task], jobs: int | None = None) -> list[FileOutcome]:
    """One outcome per task, in task order."""
    workers = worker_count(tasks, jobs)
    if workers <= 1:
        return [check_file(task) for task in tasks]
    try:
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, min(64, len(tasks) // (workers * 8) or 1))
        with ProcessPoolExecutor(max_workers=workers) as executor:
            return list(executor.map(check_file, tasks, chunksize=chunk))
    except (OSError, ImportError, RuntimeError):
        # No process support here (a sandbox without semaphores, a broken pool): go serial.
        return [check_file(task) for task in tasks]
