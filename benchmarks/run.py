"""Run the benchmark and print its table: ``python benchmarks/run.py`` (``--quick`` to smoke-test).

What it does, in order:

1. creates (once) pinned tool environments under ``.benchmarks-cache/envs``: flake8 alone,
   flake8 plus this project from the checkout, ruff, bandit;
2. builds (once) the corpus from pinned source distributions (see :mod:`benchmarks.corpus`);
3. measures every row side by side in the same run (A then B, repeated; medians and the median
   of the per-pair ratios) and prints one markdown table with the targets of issue 6.

Nothing here is imported or run by the test suite except the pure helpers re-exported below
(``median``, ``pair_ratios``, ``ratio_spread``, ``render_table``, ...), which
``tests/test_benchmark_smoke.py`` checks on fake numbers.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(REPO))

from benchmarks.corpus import FLAKE8_GROUPS, SOURCES, Corpus, Source, build_corpus  # noqa: E402
from benchmarks.envs import Env, ensure_all, pip_command, versions  # noqa: E402
from benchmarks.measure import (  # noqa: E402
    Sample,
    Spread,
    median,
    pair_ratios,
    parse_importtime,
    ratio_spread,
    run_once,
    run_pairs,
)
from benchmarks.table import Row, Target, format_number, render_notes, render_table  # noqa: E402

__all__ = [
    "Plan",
    "Row",
    "Spread",
    "Target",
    "main",
    "median",
    "pair_ratios",
    "paired_row",
    "ratio_spread",
    "render_table",
]

COMMAND = "flake8-celery-pickle"
#: The command's normal exits: 0 clean, 1 findings, 2 some file could not be read or parsed
#: (the corpus holds a few files that do not parse on every Python version).
COMMAND_OK = (0, 1, 2)
FLAKE8_SELECT = "--select=E,W,F,C"
IMPORT_SNIPPET = "import flake8.main.cli, flake8.checker\nimport flake8_celery_pickle.plugin"
PACKAGE = "flake8_celery_pickle"
#: The one-file row: Airflow's Celery configuration module (it passes the plugin's text gate, so
#: the plugin does its full work on it).
SETTINGS_FILE = (
    "airflow/apache_airflow_providers_celery-3.26.0/src/airflow/providers/celery/"
    "executors/default_celery.py"
)

Log = Callable[[str], None]


@dataclass(frozen=True)
class Plan:
    """What to measure and how often."""

    name: str
    corpus_name: str
    sources: Tuple[Source, ...]
    flake8_groups: Tuple[str, ...]
    settings_file: str
    flake8_pairs: int
    command_pairs: int
    bandit_pairs: int
    one_file_pairs: int
    import_runs: int
    memory_pairs: int
    probe_runs: int

    @classmethod
    def full(cls) -> Plan:
        return cls(
            name="full",
            corpus_name="corpus",
            sources=SOURCES,
            flake8_groups=FLAKE8_GROUPS,
            settings_file=SETTINGS_FILE,
            flake8_pairs=3,
            command_pairs=5,
            bandit_pairs=1,
            one_file_pairs=20,
            import_runs=15,
            memory_pairs=3,
            probe_runs=3,
        )

    @classmethod
    def quick(cls) -> Plan:
        """A small corpus (the Airflow Celery provider alone) and few repetitions."""
        sources = tuple(s for s in SOURCES if s.name == "apache-airflow-providers-celery")
        return cls(
            name="quick",
            corpus_name="corpus-quick",
            sources=sources,
            flake8_groups=("airflow",),
            settings_file=SETTINGS_FILE,
            flake8_pairs=1,
            command_pairs=2,
            bandit_pairs=1,
            one_file_pairs=2,
            import_runs=3,
            memory_pairs=1,
            probe_runs=1,
        )


@dataclass
class Context:
    plan: Plan
    corpus: Corpus
    envs: Dict[str, Env]
    log: Log
    bare_j1_cpu: List[float]
    load_start: str = ""


def _load() -> str:
    """The 1-minute load average (other work on the machine skews single timings)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "n/a"


def _fmt_cmd(cmd: Sequence[str], env: Env) -> str:
    """A command as the table shows it: tools by their name, not by their path."""
    prefix = str(env.path) + os.sep
    shown = [Path(c).name if c.startswith(prefix) else c for c in cmd]
    return " ".join(shlex.quote(c) for c in shown)


def _warm(cmd: Sequence[str], cwd: str) -> Tuple[int, str]:
    """One unmeasured run (warms the file cache); returns exit code and output."""
    proc = subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def paired_row(
    label: str,
    a_text: str,
    b_text: str,
    a_samples: Sequence[Sample],
    b_samples: Sequence[Sample],
    target: Optional[Target],
    unit: str = "s",
) -> Row:
    """A row from paired samples: wall medians, and wall/cpu/peak ratios of the pairs."""
    return Row(
        label=label,
        a=a_text,
        b=b_text,
        n=len(a_samples),
        unit=unit,
        a_median=median([s.wall for s in a_samples]),
        b_median=median([s.wall for s in b_samples]),
        wall=ratio_spread([s.wall for s in a_samples], [s.wall for s in b_samples]),
        cpu=ratio_spread([s.cpu for s in a_samples], [s.cpu for s in b_samples]),
        peak=ratio_spread([s.maxrss_kib for s in a_samples], [s.maxrss_kib for s in b_samples]),
        target=target,
    )


def _peak_note(a_samples: Sequence[Sample], b_samples: Sequence[Sample]) -> str:
    a = median([s.maxrss_mib for s in a_samples])
    b = median([s.maxrss_mib for s in b_samples])
    ca = median([s.cpu for s in a_samples])
    cb = median([s.cpu for s in b_samples])
    return (
        f"cpu medians A {format_number(ca, 's')}, B {format_number(cb, 's')}; "
        f"peak RSS (largest process) A {a:.0f} MiB, B {b:.0f} MiB"
    )


def _check_run(rc: int, output: str, what: str, ok: Sequence[int] = (0, 1)) -> Optional[str]:
    """None when ``rc`` is a normal exit, else the text for the row."""
    if rc in ok:
        return None
    last = output.strip().splitlines()[-1:] or [""]
    return f"n/a ({what} failed, exit {rc}: {last[0][:80]})"


# --- rows -------------------------------------------------------------------------------------


def row_flake8(ctx: Context, jobs: int) -> Row:
    groups = list(ctx.plan.flake8_groups)
    bare, plugin = ctx.envs["bare"], ctx.envs["plugin"]
    a_cmd = [plugin.bin("flake8"), FLAKE8_SELECT, "-j", str(jobs), *groups]
    b_cmd = [bare.bin("flake8"), FLAKE8_SELECT, "-j", str(jobs), *groups]
    cwd = str(ctx.corpus.root)
    stats = ctx.corpus.subset_total(groups)
    label = (
        f"flake8 overhead, -j {jobs}, {'+'.join(groups)} ({stats.files:,} files, "
        f"{stats.lines:,} lines)"
    )
    # One unmeasured run warms the file cache (both sides read the same files); A's exit codes
    # are checked on its measured runs, which saves a slow warm-up run.
    problem = _check_run(*_warm(b_cmd, cwd), "flake8")
    if problem:
        return Row(label, "flake8 + plugin", "flake8", missing=problem)
    ctx.log(f"{label}: {ctx.plan.flake8_pairs} pairs")
    a, b = run_pairs(
        lambda: run_once(a_cmd, cwd), lambda: run_once(b_cmd, cwd), ctx.plan.flake8_pairs
    )
    bad = [s.returncode for s in a if s.returncode not in (0, 1)]
    if bad:
        return Row(
            label, "flake8 + plugin", "flake8", missing=f"n/a (flake8 + plugin exit {bad[0]})"
        )
    if jobs == 1:
        ctx.bare_j1_cpu = [s.cpu for s in b]
    row = paired_row(
        label,
        "flake8 + plugin: `" + _fmt_cmd(a_cmd, plugin) + "`",
        "flake8 alone (same command)",
        a,
        b,
        Target("cpu", 1.02),
    )
    row.notes.append(_peak_note(a, b))
    return row


def row_plugin_probe(ctx: Context) -> Row:
    """The plugin's own time in-process, added to bare flake8's cpu (a low-noise estimate)."""
    groups = list(ctx.plan.flake8_groups)
    label = "flake8 overhead, estimate: plugin's own run() time, in-process"
    plugin = ctx.envs["plugin"]
    probe = str(Path(__file__).resolve().parent / "plugin_probe.py")
    results = []
    for _ in range(ctx.plan.probe_runs):
        proc = subprocess.run(
            [plugin.python, probe, str(ctx.corpus.root), *groups],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or [""])[-1]
            return Row(label, "", "", missing=f"n/a (probe failed: {tail[:80]})")
        results.append(json.loads(proc.stdout))
    seconds = [r["seconds"] for r in results]
    if not ctx.bare_j1_cpu:
        return Row(label, "", "", missing="n/a (needs the -j 1 row)")
    bare = median(ctx.bare_j1_cpu)
    est = [(bare + s) / bare for s in seconds]
    last = results[-1]
    row = Row(
        label=label,
        a="bare flake8 -j 1 cpu + plugin's run() time",
        b="bare flake8 -j 1 cpu (row above)",
        n=len(results),
        a_median=bare + median(seconds),
        b_median=bare,
        cpu=Spread.of(est),
        target=Target("cpu", 1.02),
    )
    row.notes.append(
        f"plugin run() total {median(seconds) * 1000:.0f} ms over {last['files']:,} files; "
        f"{last['gated']:,} passed the text gate "
        f"({100.0 * last['gated'] / max(last['files'], 1):.1f} %), "
        f"{last['findings']} findings, {last['unparsable']} files did not parse"
    )
    return row


def _command_problem(env: Env) -> Optional[str]:
    if not env.has(COMMAND):
        return "n/a (command not found)"
    proc = subprocess.run(
        [env.python, "-c", f"import {PACKAGE}.cli"], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return "n/a (command not found)"
    return None


def command_cmd(env: Env, target: str) -> List[str]:
    return [env.bin(COMMAND), "--format", "json", "-q", target]


def _count_findings(output: str) -> Optional[int]:
    try:
        data = json.loads(output)
    except ValueError:
        return None
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict):
        for key in ("findings", "results", "diagnostics"):
            if isinstance(data.get(key), list):
                return len(data[key])
    return None


def row_command_vs(ctx: Context, peer: str) -> Row:
    corpus = ctx.corpus
    total = corpus.total
    plugin = ctx.envs["plugin"]
    cwd = str(corpus.root)
    if peer == "ruff":
        env = ctx.envs["ruff"]
        b_cmd = [env.bin("ruff"), "check", "--isolated", "--select", "S301", "--no-cache", "."]
        pairs = ctx.plan.command_pairs
        target: Optional[Target] = Target("wall", 1.0)
    else:
        env = ctx.envs["bandit"]
        b_cmd = [env.bin("bandit"), "-r", "-t", "B301", "-q", "."]
        pairs = ctx.plan.bandit_pairs
        target = None
    label = f"command vs {peer}, whole corpus ({total.files:,} files, {total.lines:,} lines)"
    a_cmd = command_cmd(plugin, ".")
    a_text = "`" + _fmt_cmd(a_cmd, plugin) + "`"
    b_text = "`" + _fmt_cmd(b_cmd, env) + "`"
    problem = _command_problem(plugin)
    if problem:
        return Row(label, a_text, b_text, missing=problem, target=target)
    rc, out = _warm(a_cmd, cwd)
    problem = _check_run(rc, out, COMMAND, COMMAND_OK)
    if problem:
        return Row(label, a_text, b_text, missing=problem, target=target)
    found = _count_findings(
        subprocess.run(a_cmd, cwd=cwd, capture_output=True, text=True, check=False).stdout
    )
    b_rc, b_out = _warm(b_cmd, cwd)
    problem = _check_run(b_rc, b_out, peer)
    if problem:
        return Row(label, a_text, b_text, missing=problem, target=target)
    ctx.log(f"{label}: {pairs} pairs")
    a, b = run_pairs(lambda: run_once(a_cmd, cwd), lambda: run_once(b_cmd, cwd), pairs)
    row = paired_row(label, a_text, b_text, a, b, target)
    row.notes.append(_peak_note(a, b))
    if found is not None:
        row.notes.append(f"the command reported {found} findings")
    return row


def row_one_file(ctx: Context) -> Row:
    path = ctx.plan.settings_file
    bare, plugin = ctx.envs["bare"], ctx.envs["plugin"]
    cwd = str(ctx.corpus.root)
    full = ctx.corpus.root / path
    label = f"one settings module through flake8: `{Path(path).name}`"
    if not full.is_file():
        return Row(label, "", "", missing=f"n/a (file missing: {path})")
    lines = full.read_bytes().count(b"\n")
    label = f"one settings module through flake8 ({lines:,} lines, `{path}`)"
    a_cmd = [plugin.bin("flake8"), path]
    b_cmd = [bare.bin("flake8"), path]
    for cmd, what in ((a_cmd, "flake8 + plugin"), (b_cmd, "flake8")):
        problem = _check_run(*_warm(cmd, cwd), what)
        if problem:
            return Row(label, "", "", missing=problem)
    ctx.log(f"{label}: {ctx.plan.one_file_pairs} pairs")
    a, b = run_pairs(
        lambda: run_once(a_cmd, cwd), lambda: run_once(b_cmd, cwd), ctx.plan.one_file_pairs
    )
    row = paired_row(
        label,
        "`flake8 FILE` + plugin (default selection)",
        "`flake8 FILE` alone",
        a,
        b,
        Target("cpu", 1.03),
    )
    row.notes.append(_peak_note(a, b))
    return row


def row_import(ctx: Context) -> Row:
    plugin = ctx.envs["plugin"]
    label = "plugin import on top of flake8's own (`python -X importtime`)"
    ours: List[float] = []
    flake8s: List[float] = []
    for _ in range(ctx.plan.import_runs):
        proc = subprocess.run(
            [plugin.python, "-X", "importtime", "-c", IMPORT_SNIPPET],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or [""])[-1]
            return Row(label, "", "", missing=f"n/a (import failed: {tail[:80]})")
        ours.append(parse_importtime(proc.stderr, PACKAGE) / 1000.0)
        flake8s.append(parse_importtime(proc.stderr, "flake8") / 1000.0)
    row = Row(
        label=label,
        a="`import flake8_celery_pickle.plugin` (cumulative ms of our top-level modules)",
        b="`import flake8.main.cli, flake8.checker` first (flake8's own, for scale)",
        n=len(ours),
        unit="ms",
        a_median=median(ours),
        b_median=median(flake8s),
        target=Target("value", 5.0, " ms"),
    )
    row.notes.append(f"plugin import range {min(ours):.2f}–{max(ours):.2f} ms")
    return row


def row_memory(ctx: Context) -> Row:
    plugin = ctx.envs["plugin"]
    corpus = ctx.corpus
    total = corpus.total.files
    half = corpus.half_files()
    label = f"command peak memory: whole corpus ({total:,} files) vs half ({half:,} files)"
    a_cmd = command_cmd(plugin, str(corpus.root))
    b_cmd = command_cmd(plugin, str(corpus.half_root))
    problem = _command_problem(plugin)
    if problem:
        return Row(label, "whole", "half", missing=problem, target=Target("peak", 1.1))
    for cmd in (a_cmd, b_cmd):
        rc, out = _warm(cmd, str(REPO))
        problem = _check_run(rc, out, COMMAND, COMMAND_OK)
        if problem:
            return Row(label, "whole", "half", missing=problem, target=Target("peak", 1.1))
    ctx.log(f"{label}: {ctx.plan.memory_pairs} pairs")
    a, b = run_pairs(
        lambda: run_once(a_cmd, str(corpus.root)),
        lambda: run_once(b_cmd, str(corpus.half_root)),
        ctx.plan.memory_pairs,
    )
    row = paired_row(
        label, "command, whole corpus", "command, every other file", a, b, Target("peak", 1.1)
    )
    row.unit = "MiB"
    row.a_median = median([s.maxrss_mib for s in a])
    row.b_median = median([s.maxrss_mib for s in b])
    row.notes.append(
        f"wall medians A {format_number(median([s.wall for s in a]), 's')}, "
        f"B {format_number(median([s.wall for s in b]), 's')}"
    )
    return row


# --- report -----------------------------------------------------------------------------------


def corpus_table(corpus: Corpus, plan: Plan) -> str:
    lines = [
        "| dir | source distributions | .py files | lines | MB |",
        "|---|---|---:|---:|---:|",
    ]
    for group, stats in sorted(corpus.stats.items()):
        dists = ", ".join(s.requirement for s in plan.sources if s.group == group)
        lines.append(
            f"| `{group}/` | {dists} | {stats.files:,} | {stats.lines:,} | "
            f"{stats.bytes / 1e6:.1f} |"
        )
    total = corpus.total
    lines.append(
        f"| **total** | | **{total.files:,}** | **{total.lines:,}** | **{total.bytes / 1e6:.1f}** |"
    )
    return "\n".join(lines)


def report(ctx: Context, rows: List[Row], tools: Dict[str, str], started: float) -> str:
    plan = ctx.plan
    minutes = (time.perf_counter() - started) / 60.0
    cmd = "python benchmarks/run.py" + (" --quick" if plan.name == "quick" else "")
    parts = [
        f"Benchmark ({plan.name}), {datetime.date.today().isoformat()}: "
        f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, flake8 {tools['flake8'].split()[0]}, {tools['ruff']}, "
        f"{tools['bandit']}; took {minutes:.1f} min; load average at start {ctx.load_start}, "
        f"at end {_load()}. Reproduce: `{cmd}`.",
        "",
        corpus_table(ctx.corpus, plan),
        "",
        render_table(rows),
    ]
    notes = render_notes(rows)
    if notes:
        parts += ["", notes]
    return "\n".join(parts)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small corpus, few repetitions")
    parser.add_argument(
        "--cache",
        default=str(REPO / ".benchmarks-cache"),
        help="where the corpus and tool environments live (default: %(default)s)",
    )
    parser.add_argument("--output", help="also write the report (markdown) to this file")
    parser.add_argument(
        "--rows",
        default="flake8,command,one-file,import,memory",
        help="comma separated groups of rows to run (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    plan = Plan.quick() if args.quick else Plan.full()
    cache = Path(args.cache).resolve()
    cache.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        print(f"[{stamp}] {message}", file=sys.stderr, flush=True)

    envs = ensure_all(cache, REPO, log)
    tools = versions(envs)
    corpus = build_corpus(cache, pip_command(envs["bare"]), log, plan.sources, plan.corpus_name)
    log(f"corpus: {corpus.total.files:,} files in {corpus.root}")
    ctx = Context(plan, corpus, envs, log, [], _load())
    wanted = {part.strip() for part in args.rows.split(",") if part.strip()}
    rows: List[Row] = []
    if "flake8" in wanted:
        rows.append(row_flake8(ctx, 1))
        rows.append(row_plugin_probe(ctx))
        rows.append(row_flake8(ctx, 2))
    if "one-file" in wanted:
        rows.append(row_one_file(ctx))
    if "import" in wanted:
        rows.append(row_import(ctx))
    if "command" in wanted:
        rows.append(row_command_vs(ctx, "ruff"))
        rows.append(row_command_vs(ctx, "bandit"))
    if "memory" in wanted:
        rows.append(row_memory(ctx))
    text = report(ctx, rows, tools, started)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
