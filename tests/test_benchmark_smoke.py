"""The benchmark's pure helpers on fake numbers: statistics, import-time parsing, the table.

No timing, no downloads, no processes: the benchmark itself is run by hand
(``python benchmarks/run.py``), never by the test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import run  # noqa: E402
from benchmarks.measure import Sample, parse_importtime  # noqa: E402
from benchmarks.table import format_number, render_notes  # noqa: E402


def test_median_odd_and_even():
    assert run.median([3.0, 1.0, 2.0]) == 2.0
    assert run.median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_median_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        run.median([])


def test_pair_ratios_pair_by_position_and_skip_zero_denominators():
    assert run.pair_ratios([2.0, 3.0, 5.0], [1.0, 0.0, 4.0]) == [2.0, 1.25]


def test_pair_ratios_need_equal_lengths():
    with pytest.raises(ValueError):
        run.pair_ratios([1.0, 2.0], [1.0])


def test_ratio_spread_is_the_median_of_the_pairs_not_the_ratio_of_medians():
    # medians 3/3 = 1.0, but the pairs say 0.5, 2.0, 3.0
    spread = run.ratio_spread([1.0, 4.0, 3.0], [2.0, 2.0, 1.0])
    assert spread == run.Spread(2.0, 0.5, 3.0)
    assert run.ratio_spread([], []) is None


def test_paired_row_takes_wall_cpu_and_peak_ratios():
    a = [Sample(2.0, 4.0, 2048, 0), Sample(3.0, 3.0, 1024, 1)]
    b = [Sample(1.0, 2.0, 1024, 0), Sample(3.0, 6.0, 1024, 1)]
    row = run.paired_row("r", "A", "B", a, b, run.Target("cpu", 1.02))
    assert (row.n, row.a_median, row.b_median) == (2, 2.5, 2.0)
    assert row.wall == run.Spread(1.5, 1.0, 2.0)
    assert row.cpu == run.Spread(1.25, 0.5, 2.0)
    assert row.peak == run.Spread(1.5, 1.0, 2.0)
    assert row.judged() == 1.25
    assert row.met() is False


def test_targets_judge_the_named_figure():
    row = run.Row("r", "A", "B", n=3, a_median=4.2, wall=run.Spread(0.9, 0.8, 1.1))
    row.target = run.Target("wall", 1.0)
    assert row.met() is True
    row.target = run.Target("value", 5.0, " ms")
    assert row.met() is True
    row.target = run.Target("cpu", 1.02)
    assert row.met() is None  # no cpu figure
    assert run.Target("value", 5.0, " ms").describe() == "<= 5 ms"
    assert run.Target("peak", 1.1).describe() == "peak <= 1.1x"


def test_render_table_exact():
    measured = run.Row(
        "flake8 -j 1",
        "A",
        "B",
        n=3,
        a_median=12.345,
        b_median=12.0,
        wall=run.Spread(1.0123, 0.99, 1.05),
        cpu=run.Spread(1.01, 1.0, 1.02),
        target=run.Target("cpu", 1.02),
    )
    missing = run.Row(
        "command vs ruff",
        "cmd",
        "ruff",
        missing="n/a (command not found)",
        target=run.Target("wall", 1.0),
    )
    assert run.render_table([measured, missing]).splitlines() == [
        "| measurement | A | B | n | A median | B median | A/B wall [min–max] | A/B cpu [min–max] "
        "| A/B peak RSS [min–max] | target | met? |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|",
        "| flake8 -j 1 | A | B | 3 | 12.3 s | 12.0 s | **1.012** [0.990–1.050] "
        "| **1.010** [1.000–1.020] | n/a | cpu <= 1.02x | yes |",
        "| command vs ruff | cmd | ruff | 0 | n/a (command not found) |  | n/a | n/a | n/a "
        "| wall <= 1x | — |",
    ]


def test_render_escapes_pipes_and_marks_a_miss():
    row = run.Row(
        "a|b",
        "x",
        "y",
        n=1,
        a_median=0.0421,
        b_median=None,
        unit="ms",
        target=run.Target("value", 0.01, " ms"),
    )
    assert run.render_table([row]).splitlines()[2] == (
        "| a\\|b | x | y | 1 | 0.042 ms | — | n/a | n/a | n/a | <= 0.01 ms | **no** |"
    )


def test_format_number_significant_digits():
    assert [format_number(v) for v in (123.4, 12.34, 1.234, 0.1234)] == [
        "123",
        "12.3",
        "1.23",
        "0.123",
    ]
    assert format_number(None) == "n/a"
    assert format_number(2.5, "MiB") == "2.50 MiB"


def test_render_notes_lists_notes_by_row():
    row = run.Row("one", "A", "B", notes=["first", "second"])
    assert render_notes([row, run.Row("two", "A", "B")]) == "- one: first\n- one: second"


def test_parse_importtime_sums_outermost_entries_of_the_package():
    stderr = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:       100 |        100 |   re._parser",
            "import time:       200 |        300 | re",
            "import time:      1000 |      50000 | flake8.main.cli",
            "import time:        40 |         40 |     flake8_celery_pickle.codes",
            "import time:        60 |        100 |   flake8_celery_pickle.python",
            "import time:        25 |        125 | flake8_celery_pickle",
            "import time:        30 |        900 | flake8_celery_pickle.plugin",
            "import time:        10 |         10 | flake8_celery_pickle_other",
        ]
    )
    assert parse_importtime(stderr, "flake8_celery_pickle") == 1025
    assert parse_importtime(stderr, "flake8") == 50000
    assert parse_importtime("no importtime here", "flake8") == 0
