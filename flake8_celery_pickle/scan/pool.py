"""Running :func:`~.worker.check_file` over many files, serially or in processes, as a stream.

Outcomes come back in candidate order whatever the number of processes, so the output never
depends on ``--jobs``. Only what a report needs travels back and is kept: a file that was read
and gave nothing is just counted. The work is handed to the processes when :class:`Checks` is
built, so the caller can do something else (the whole-project view) while they run.

With ``--jobs auto`` processes are used only when the files to read add up to enough bytes to
pay for starting them. A worker process that dies (a crash in the parser, the out-of-memory
killer) does not end the scan: the files it had not answered for are checked again one at a
time, each in a process of its own, and a file that kills that one too becomes an error entry.
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flake8_celery_pickle.scan.discover import Candidate
from flake8_celery_pickle.scan.route import PYTHON
from flake8_celery_pickle.scan.worker import FileOutcome, Task, check_file
from flake8_celery_pickle.settings import Settings

#: With ``--jobs auto``, fewer bytes than this are checked in the main process.
AUTO_PARALLEL_BYTES = 4 * 1024 * 1024
#: With ``--jobs auto``, fewer files than this are checked in the main process.
AUTO_PARALLEL_FILES = 64
#: The most files one message to a worker process carries.
MAX_CHUNK = 64
#: The error entry of a file whose check killed the process checking it.
WORKER_DIED = "internal error while checking: the process checking it died"


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def worker_count(files: int, total_bytes: int, jobs: int | None) -> int:
    """How many processes to use for ``files`` files of ``total_bytes`` bytes; ``jobs`` None
    means auto."""
    if files < 2:
        return 1
    if jobs is not None:
        return max(1, min(jobs, files))
    cpus = available_cpus()
    if cpus < 2 or files < AUTO_PARALLEL_FILES or total_bytes < AUTO_PARALLEL_BYTES:
        return 1
    return min(cpus, files)


@dataclass(frozen=True)
class Common:
    """What every check of one scan shares (sent to each worker process once)."""

    settings: Settings
    max_size: int
    disable_noqa: bool = False


def check_one(path: str, kind: str, common: Common) -> FileOutcome:
    """Check one file. The outcome's findings name no path: the caller knows which file it was."""
    return check_file(Task(path, "", kind, common.settings, common.max_size, common.disable_noqa))


def _notable(outcome: FileOutcome) -> bool:
    return bool(outcome.findings) or outcome.error is not None or outcome.skip is not None


def _notable_outcomes(
    items: Sequence[Candidate], check: Callable[[str, str], FileOutcome]
) -> list[tuple[int, FileOutcome]]:
    """(offset, outcome) for each file of ``items`` that gave something to report."""
    notable: list[tuple[int, FileOutcome]] = []
    for offset, (path, kind) in enumerate(items):
        outcome = check(path, kind)
        if _notable(outcome):
            notable.append((offset, outcome))
    return notable


# -- in the worker processes -----------------------------------------------------------------

_common: Common | None = None


def _start_worker(common: Common) -> None:
    global _common
    _common = common
    # What the process inherited lives until it exits: keep the collector from walking it
    # again and again, and let it run less often while syntax trees come and go (they hold no
    # reference cycles worth collecting early).
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def _check_chunk(items: Sequence[Candidate]) -> list[tuple[int, FileOutcome]]:
    """(offset, outcome) for each file of ``items`` that gave something to report."""
    common = _common
    assert common is not None
    return _notable_outcomes(items, lambda path, kind: check_one(path, kind, common))


# -- in the main process ---------------------------------------------------------------------


def _executor(workers: int, common: Common) -> Any:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(common,))


def _chunks(count: int, workers: int) -> Iterator[tuple[int, int]]:
    """(start, stop) ranges covering ``count`` files: large at first, smaller towards the end so
    that the processes finish together."""
    start = 0
    while start < count:
        size = max(1, min(MAX_CHUNK, (count - start) // (workers * 4)))
        yield start, min(count, start + size)
        start += size


class _Isolated:
    """Checks files one at a time, each in a worker process, replacing a process that dies."""

    def __init__(self, common: Common) -> None:
        self.common = common
        self._executor: Any = None
        self._usable = True

    def check(self, path: str, kind: str) -> FileOutcome:
        from concurrent.futures import BrokenExecutor

        if self._usable:
            try:
                if self._executor is None:
                    self._executor = _executor(1, self.common)
                answer = self._executor.submit(_check_chunk, [Candidate(path, kind)]).result()
            except BrokenExecutor:
                self.close()
                return FileOutcome(error=(WORKER_DIED, None))
            except (OSError, ImportError, NotImplementedError):
                self.close()
                self._usable = False  # no processes any more: check in this one
            else:
                return answer[0][1] if answer else FileOutcome()
        return check_one(path, kind, self.common)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


class Checks:
    """The per-file checks of ``candidates``: already under way in ``workers`` processes when
    this returns (or run one by one as :meth:`outcomes` is read, with one worker).

    Close it (or read :meth:`outcomes` to the end) to stop the processes.
    """

    def __init__(self, candidates: Sequence[Candidate], common: Common, workers: int) -> None:
        self.candidates = candidates
        self.common = common
        self._executor: Any = None
        self._pending: deque[tuple[int, int, Any]] = deque()
        if workers > 1:
            if any(c.kind == PYTHON for c in candidates):
                # Loaded once here rather than in every process (they share it).
                import flake8_celery_pickle.python  # noqa: F401
            try:
                self._executor = _executor(workers, common)
                for start, stop in _chunks(len(candidates), workers):
                    items = candidates[start:stop]  # plain tuples: they pickle small
                    self._pending.append((start, stop, self._executor.submit(_check_chunk, items)))
            except (OSError, ImportError, NotImplementedError, RuntimeError):
                # No process support here (a sandbox without semaphores): go serial.
                self.close()

    def outcomes(self) -> Iterator[tuple[int, FileOutcome]]:
        """(candidate index, outcome) for every candidate that gave something to report, in
        candidate order; the others were read and gave nothing."""
        try:
            if self._executor is None:
                for index, candidate in enumerate(self.candidates):
                    outcome = check_one(candidate.path, candidate.kind, self.common)
                    if _notable(outcome):
                        yield index, outcome  # one at a time: nothing is held
                return
            isolated: _Isolated | None = None
            while self._pending:
                start, stop, future = self._pending.popleft()
                answers: list[tuple[int, FileOutcome]] | None = None
                if isolated is None:
                    try:
                        answers = future.result()
                    except (KeyboardInterrupt, SystemExit):
                        raise
                    except BaseException:
                        # The pool broke: what it did not answer is checked file by file.
                        self._shutdown(cancel=True)
                        isolated = _Isolated(self.common)
                if answers is None:
                    assert isolated is not None
                    answers = _notable_outcomes(self.candidates[start:stop], isolated.check)
                for offset, outcome in answers:
                    yield start + offset, outcome
            if isolated is not None:
                isolated.close()
        finally:
            self.close()

    def _shutdown(self, cancel: bool) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=cancel)

    def close(self) -> None:
        """Stop the worker processes (work not collected yet is dropped)."""
        self._shutdown(cancel=True)
        self._pending.clear()
