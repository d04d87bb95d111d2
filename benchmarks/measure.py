"""Whole-process measurements and the statistics of the table.

Every timed run happens in a fresh wrapper process that starts the command, waits for it and
reports, as JSON, the command's wall time (``perf_counter`` around the wait), its cpu time (user +
system of the command and every process it waited for) and its peak resident set size
(``ru_maxrss`` of the children: the largest single process, not a sum over ``-j`` workers).
The wrapper's own start-up is not timed, and because ``RUSAGE_CHILDREN`` only grows within a
process, a fresh wrapper per run is what makes the peak belong to that run alone.

Pairs run A then B, again and again; a ratio is the median of the per-pair ratios, so that a
drift of the machine's speed during the call cancels.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

_WRAPPER = r"""
import json, resource, subprocess, sys, time
cmd = json.loads(sys.argv[1])
cwd = sys.argv[2] or None
start = time.perf_counter()
rc = subprocess.call(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "maxrss_kib": ru.ru_maxrss,
                  "rc": rc}))
"""


@dataclass(frozen=True)
class Sample:
    """One run of one command."""

    wall: float
    cpu: float
    maxrss_kib: int
    returncode: int

    @property
    def maxrss_mib(self) -> float:
        return self.maxrss_kib / 1024.0


@dataclass(frozen=True)
class Spread:
    """A median and the range it came from."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("no values")
        return cls(statistics.median(values), min(values), max(values))


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (the mean of the middle two for an even count)."""
    if not values:
        raise ValueError("no values")
    return statistics.median(values)


def pair_ratios(a: Sequence[float], b: Sequence[float]) -> List[float]:
    """``a[i] / b[i]`` for each pair; a pair with a zero ``b`` is left out."""
    if len(a) != len(b):
        raise ValueError("a and b must have the same length")
    return [x / y for x, y in zip(a, b) if y]


def ratio_spread(a: Sequence[float], b: Sequence[float]) -> Optional[Spread]:
    """The median of the per-pair ratios and their range; None without a usable pair."""
    ratios = pair_ratios(a, b)
    return Spread.of(ratios) if ratios else None


def run_once(
    cmd: Sequence[str], cwd: Optional[str] = None, env: Optional[Mapping[str, str]] = None
) -> Sample:
    """Run ``cmd`` once in a fresh wrapper process and measure it."""
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, json.dumps(list(cmd)), cwd or ""],
        capture_output=True,
        text=True,
        check=True,
        env=dict(env) if env is not None else None,
    )
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return Sample(float(data["wall"]), float(data["cpu"]), int(data["maxrss_kib"]), int(data["rc"]))


Runner = Callable[[], Sample]


def run_pairs(a: Runner, b: Runner, n: int) -> Tuple[List[Sample], List[Sample]]:
    """``n`` pairs, A then B each time."""
    a_samples: List[Sample] = []
    b_samples: List[Sample] = []
    for _ in range(n):
        a_samples.append(a())
        b_samples.append(b())
    return a_samples, b_samples


def parse_importtime(stderr: str, prefix: str) -> int:
    """Microseconds that ``python -X importtime`` charges to the outermost ``prefix`` imports.

    Only the outermost entries whose name starts with ``prefix`` are summed (nested ones are
    already inside their parent's cumulative time), so the figure is everything importing the
    package cost, including the standard modules it pulled in first.
    """
    entries: List[Tuple[int, int, str]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        fields = line[len("import time:") :].split("|")
        if len(fields) != 3:
            continue
        try:
            cumulative = int(fields[1].strip())
        except ValueError:
            continue  # the header line
        raw = fields[2]
        name = raw.strip()
        depth = len(raw) - len(raw.lstrip(" "))
        entries.append((depth, cumulative, name))
    if not entries:
        return 0
    top = min(depth for depth, _, _ in entries)
    return sum(
        cumulative
        for depth, cumulative, name in entries
        if depth == top and (name == prefix or name.startswith(prefix + "."))
    )


def summarize(samples: Sequence[Sample]) -> Dict[str, Spread]:
    """Median and range of wall, cpu and peak memory over ``samples``."""
    return {
        "wall": Spread.of([s.wall for s in samples]),
        "cpu": Spread.of([s.cpu for s in samples]),
        "mib": Spread.of([s.maxrss_mib for s in samples]),
    }
