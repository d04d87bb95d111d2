"""The command's pipeline: streamed per-file checks, worker processes that die, the project view
running beside the checks, project notes located like findings, parse errors on an older Python,
and the project view's reads (never blocking, bounded cache)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import types
from pathlib import Path

import pytest
from test_cli_support import run_main, write

from flake8_celery_pickle.project import tree as project_tree
from flake8_celery_pickle.project.tree import ProjectTree
from flake8_celery_pickle.scan import pool, worker
from flake8_celery_pickle.scan import run as scan_run
from flake8_celery_pickle.scan.options import ScanOptions
from flake8_celery_pickle.scan.run import scan

BAD = "task_serializer = 'pickle'\n"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types")
forked = pytest.mark.skipif(
    sys.platform == "win32" or multiprocessing.get_start_method() != "fork",
    reason="the worker processes must inherit the test's patches",
)


def cli_json(cwd: Path, capsys, monkeypatch, *args: str):
    result = run_main(["--format", "json", *args], cwd, capsys, monkeypatch)
    return result.code, result.out, result.json()


# --- streamed checks ------------------------------------------------------------------------------


def test_chunks_cover_every_file_once_and_shrink_towards_the_end() -> None:
    for count in (0, 1, 7, 64, 65, 500, 6620):
        for workers in (2, 3, 8):
            ranges = list(pool._chunks(count, workers))
            assert [i for start, stop in ranges for i in range(start, stop)] == list(range(count))
            sizes = [stop - start for start, stop in ranges]
            assert all(1 <= size <= pool.MAX_CHUNK for size in sizes)
            assert sizes == sorted(sizes, reverse=True)


def test_worker_count() -> None:
    assert pool.worker_count(1, 10**9, 4) == 1
    assert pool.worker_count(3, 0, 8) == 3
    assert pool.worker_count(100, 0, 2) == 2
    assert pool.worker_count(100, 10**9, 1) == 1
    assert pool.worker_count(pool.AUTO_PARALLEL_FILES - 1, 10**9, None) == 1
    assert pool.worker_count(10**4, pool.AUTO_PARALLEL_BYTES - 1, None) == 1


def test_many_files_give_the_same_report_whatever_the_jobs(tmp_path, capsys, monkeypatch) -> None:
    files: dict[str, object] = {}
    for n in range(300):
        files[f"pkg{n % 7}/m{n:03d}.py"] = ("x = 1\n" * (n % 3) + BAD) if n % 5 else "x = 1\n"
    files["pkg1/broken.py"] = "x = 'pickle'\ndef (:\n"
    files["pkg2/big.py"] = "# pickle\n" + "x = 1\n" * 400
    files["pkg3/not_utf8.py"] = b"x = '\xff pickle'\n"
    write(tmp_path, files)
    outputs = set()
    for jobs in ("1", "2", "3", "auto"):
        code, out, doc = cli_json(
            tmp_path, capsys, monkeypatch, "--jobs", jobs, "--max-file-size", "2K"
        )
        assert code == 2
        outputs.add(out)
    assert len(outputs) == 1
    assert doc["files"] == {"scanned": 300, "skipped": 1, "errors": 2}
    assert len(doc["findings"]) == 240
    assert [e["path"] for e in doc["errors"]] == ["pkg1/broken.py", "pkg3/not_utf8.py"]
    assert doc["skipped"] == [
        {"path": "pkg2/big.py", "reason": "larger than 2 KiB (--max-file-size)"}
    ]


@forked
def test_a_file_that_kills_its_worker_is_an_error_entry(tmp_path, monkeypatch) -> None:
    main_process = os.getpid()
    real = worker._check_python

    def deadly(task, data):
        if os.path.basename(task.path) == "boom.py":
            if os.getpid() == main_process:
                raise AssertionError("boom.py was checked in the main process")
            os._exit(3)
        return real(task, data)

    monkeypatch.setattr(worker, "_check_python", deadly)
    files = {f"m{n:02d}.py": BAD for n in range(30)}
    files["boom.py"] = BAD
    write(tmp_path, files)
    options = ScanOptions(jobs=2, project=False, paths=(".",))
    report = scan(options, cwd=str(tmp_path))
    assert [(e.path, e.message, e.line) for e in report.errors] == [
        ("boom.py", "internal error while checking: the process checking it died", None)
    ]
    assert report.scanned == 30
    assert sorted({item.path for item in report.items}) == sorted(f"m{n:02d}.py" for n in range(30))


@forked
def test_when_every_worker_dies_each_file_is_an_error_entry(tmp_path, monkeypatch) -> None:
    main_process = os.getpid()

    def deadly(task, data):
        if os.getpid() == main_process:
            raise AssertionError("checked in the main process")
        os._exit(3)

    monkeypatch.setattr(worker, "_check_python", deadly)
    write(tmp_path, {"a.py": BAD, "b.py": BAD, "c.py": BAD})
    report = scan(ScanOptions(jobs=2, project=False, paths=(".",)), cwd=str(tmp_path))
    assert [(e.path, e.message) for e in report.errors] == [
        (name, pool.WORKER_DIED) for name in ("a.py", "b.py", "c.py")
    ]
    assert report.scanned == 0 and report.items == []


def test_without_process_support_the_checks_run_here(tmp_path, monkeypatch) -> None:
    def no_processes(workers, common):
        raise NotImplementedError("no semaphores here")

    monkeypatch.setattr(pool, "_executor", no_processes)
    write(tmp_path, {f"m{n}.py": BAD for n in range(5)})
    report = scan(ScanOptions(jobs=2, project=False, paths=(".",)), cwd=str(tmp_path))
    assert report.scanned == 5 and report.errors == []
    assert [item.path for item in report.items] == [f"m{n}.py" for n in range(5)]


# --- the project view beside the checks -----------------------------------------------------------


def fake_project(notes):
    module = types.ModuleType("fake_project")

    def analyze(root, files, settings):
        assert all(isinstance(f, Path) for f in files)
        return types.SimpleNamespace(findings=[], notes=list(notes))

    module.analyze = analyze
    return module


def test_project_notes_name_paths_as_findings_do(tmp_path, capsys, monkeypatch) -> None:
    write(
        tmp_path,
        {"tree/proj/celery.py": BAD, "tree/setup.cfg": "[metadata]\n", "tree/a:b.py": "x = 1\n"},
    )
    notes = [
        "proj/celery.py:14: CPK004 not checked for this Celery app: computed at run time",
        "setup.cfg: not read for Celery pins",
        "a:b.py:2: a file name with a colon",
        "gone.py:3: a file that is not there stays as it is",
        "the project view failed (RuntimeError); CPK004 and CPK011 were not checked across files",
    ]
    monkeypatch.setattr(scan_run, "project_engine", lambda: (fake_project(notes), None))
    code, _, doc = cli_json(tmp_path, capsys, monkeypatch, "--jobs", "1", "tree")
    assert code == 1
    assert doc["findings"][0]["path"] == "tree/proj/celery.py"
    assert doc["notes"] == [
        "tree/proj/celery.py:14: CPK004 not checked for this Celery app: computed at run time",
        "tree/setup.cfg: not read for Celery pins",
        "tree/a:b.py:2: a file name with a colon",
        "gone.py:3: a file that is not there stays as it is",
        "the project view failed (RuntimeError); CPK004 and CPK011 were not checked across files",
    ]
    # From inside the root, the paths stay as the project view gave them.
    code, _, doc = cli_json(tmp_path / "tree", capsys, monkeypatch, "--jobs", "1")
    assert doc["notes"] == notes


def test_the_project_view_runs_while_the_workers_check(tmp_path, capsys, monkeypatch) -> None:
    files = {f"pkg/m{n:02d}.py": BAD for n in range(20)}
    files["pkg/celery.py"] = (
        "from celery import Celery\napp = Celery('pkg')\napp.config_from_object('pkg.conf')\n"
    )
    files["pkg/conf.py"] = "broker_url = 'redis://'\n"
    files["requirements.txt"] = "celery==3.1.25\n"
    write(tmp_path, files)
    outputs = set()
    for jobs in ("1", "2"):
        code, out, doc = cli_json(tmp_path, capsys, monkeypatch, "--jobs", jobs)
        assert code == 1
        outputs.add(out)
    assert len(outputs) == 1
    assert {(f["path"], f["code"]) for f in doc["findings"] if f["engine"] == "project"} == {
        ("pkg/celery.py", "CPK004"),
        ("requirements.txt", "CPK011"),
    }


# --- parse errors on an older Python --------------------------------------------------------------


def test_a_parse_error_on_an_older_python_says_the_syntax_may_be_newer() -> None:
    exc = SyntaxError("invalid syntax", ("a.py", 7, 8, "class C[T]: pass\n"))
    assert worker.syntax_error_message(exc, (3, 11)) == (
        "cannot parse: invalid syntax (line 7) (Python 3.11 cannot parse it; newer syntax?)"
    )
    assert worker.syntax_error_message(exc, worker.NEWEST_PYTHON) == (
        "cannot parse: invalid syntax (line 7)"
    )
    limit = SyntaxError("too many nested parentheses", ("a.py", 1, 200, "((((\n"))
    assert worker.syntax_error_message(limit, (3, 9)) == (
        "cannot parse: too many nested parentheses (line 1)"
    )
    indent = IndentationError("unexpected indent", ("a.py", 2, 4, "    x\n"))
    assert worker.syntax_error_message(indent, (3, 9)) == "cannot parse: unexpected indent (line 2)"


def test_newer_syntax_in_a_file(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"generic.py": "x = 'pickle'\nclass C[T]:\n    pass\n"})
    code, _, doc = cli_json(tmp_path, capsys, monkeypatch, "--no-project")
    if sys.version_info >= (3, 12):
        assert code == 0 and doc["errors"] == []
    else:
        version = "{}.{}".format(*sys.version_info[:2])
        assert doc["errors"] == [
            {
                "path": "generic.py",
                "line": 2,
                "message": f"cannot parse: invalid syntax (line 2) "
                f"(Python {version} cannot parse it; newer syntax?)",
            }
        ]


# --- the project view's reads ---------------------------------------------------------------------


@posix_only
def test_the_project_tree_never_blocks_on_a_file_that_became_a_fifo(tmp_path) -> None:
    write(tmp_path, {"pipe.py": "x = 1\n", "ok.py": "y = 2\n", "sub/x.py": "z = 3\n"})
    tree = ProjectTree(tmp_path, [str(tmp_path / n) for n in ("pipe.py", "ok.py", "sub/x.py")])
    os.unlink(tmp_path / "pipe.py")
    os.mkfifo(tmp_path / "pipe.py")
    os.unlink(tmp_path / "sub/x.py")
    os.mkdir(tmp_path / "sub/x.py")

    def hung(*_):
        raise AssertionError("the project tree blocked opening a FIFO")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        assert tree.text("pipe.py") is None
        assert tree.module("pipe.py") is None
        assert tree.text("sub/x.py") is None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert tree.text("ok.py") == "y = 2\n"
    assert tree.notes == [
        "pipe.py: could not be read (OSError)",
        "sub/x.py: could not be read (IsADirectoryError)",
    ]


def test_the_project_tree_keeps_a_bounded_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(project_tree, "TEXT_CACHE_CHARS", 100)
    monkeypatch.setattr(project_tree, "TREE_CACHE_CHARS", 100)
    files = {f"m{n}.py": f"x = {n}  # {'.' * 40}\n" for n in range(10)}
    write(tmp_path, files)
    tree = ProjectTree(tmp_path, [str(tmp_path / name) for name in files])
    for name, text in files.items():
        assert tree.text(name) == text
        assert tree.module(name) is not None
    assert tree._text_chars <= 100 and len(tree._text) == 2
    assert tree._tree_chars <= 100 and len(tree._trees) == 2
    # what was dropped is read again, with the same result and no note
    assert tree.text("m0.py") == files["m0.py"]
    assert tree.module("m0.py").body[0].value.value == 0
    assert tree.notes == []
    # the latest text is kept even when it alone is over the limit
    write(tmp_path, {"big.py": "y = 1\n" * 50})
    assert tree.add("big.py")
    assert tree.text("big.py") == "y = 1\n" * 50
    assert list(tree._text) == ["big.py"]
    tree.forget("big.py")
    assert tree._text == {} and tree._text_chars == 0
