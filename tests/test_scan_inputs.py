"""Discovery and bad input: every odd file is checked, skipped with a reason, or an error entry.

Runs the command in-process over temporary trees and reads its JSON report, so each case shows
exactly where the file ended up (``findings``, ``skipped`` or ``errors``) and the exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from test_cli_support import command, run_main, where, write

from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.scan import engines, worker
from flake8_celery_pickle.scan import run as scan_run
from flake8_celery_pickle.scan.discover import discover
from flake8_celery_pickle.scan.ignore import Exclude
from flake8_celery_pickle.scan.route import CONFIG, PYTHON, route
from flake8_celery_pickle.settings import DEFAULTS

#: What a parse error adds on a Python older than the newest (the file may use newer syntax).
HINT = (
    ""
    if sys.version_info[:2] >= worker.NEWEST_PYTHON
    else " (Python {}.{} cannot parse it; newer syntax?)".format(*sys.version_info[:2])
)

BAD = "task_serializer = 'pickle'\n"
CLEAN = "task_serializer = 'json'\n"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types")


def scan_json(tmp_path, capsys, monkeypatch, *args):
    result = run_main(["--format", "json", "--no-project", *args], tmp_path, capsys, monkeypatch)
    return result.code, result.json()


# --- discovery -------------------------------------------------------------------------------


def test_gitignore_exclude_and_defaults(tmp_path, capsys, monkeypatch) -> None:
    write(
        tmp_path,
        {
            ".gitignore": "build/\n*.gen.py\n!keep.gen.py\n",
            "app.py": BAD,
            "build/out.py": BAD,
            "drop.gen.py": BAD,
            "keep.gen.py": BAD,
            "sub/.gitignore": "local.py\n",
            "sub/local.py": BAD,
            "sub/other.py": BAD,
            ".venv/lib/site.py": BAD,
            "node_modules/x.py": BAD,
            "vendor/third.py": BAD,
            "docs/example.py": BAD,
            ".github/settings.py": BAD,
        },
    )
    code, doc = scan_json(
        tmp_path, capsys, monkeypatch, "--extend-exclude", "vendor,./docs/example.py"
    )
    assert code == 1
    assert sorted(where(doc)) == [".github/settings.py", "app.py", "keep.gen.py", "sub/other.py"]
    assert doc["files"] == {"scanned": 4, "skipped": 0, "errors": 0}
    _, everything = scan_json(tmp_path, capsys, monkeypatch, "--no-gitignore", "--exclude", "")
    assert sorted(where(everything)) == [
        ".github/settings.py",
        ".venv/lib/site.py",
        "app.py",
        "build/out.py",
        "docs/example.py",
        "drop.gen.py",
        "keep.gen.py",
        "node_modules/x.py",
        "sub/local.py",
        "sub/other.py",
        "vendor/third.py",
    ]


def test_repository_gitignore_applies_to_a_subdirectory(tmp_path, capsys, monkeypatch) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {".gitignore": "generated/\n", "pkg/generated/x.py": BAD, "pkg/y.py": BAD})
    result = run_main(["--no-project", "pkg"], tmp_path, capsys, monkeypatch)
    assert result.out.splitlines() == [
        "pkg/y.py:1:19: CPK001 task_serializer is 'pickle': pickled task and remote-control "
        "messages can run code on workers; use 'json'"
    ]


def test_a_named_ignored_directory_is_walked_with_its_own_rules(tmp_path, capsys, monkeypatch):
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        {
            ".gitignore": "vendored/\n",
            "vendored/lib/a.py": BAD,
            "vendored/.gitignore": "skip.py\n",
            "vendored/skip.py": BAD,
        },
    )
    _, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert where(doc) == {}
    _, doc = scan_json(tmp_path, capsys, monkeypatch, "vendored")
    assert where(doc) == {"vendored/lib/a.py": ["CPK001@1"]}


def test_named_files_are_checked_whatever_the_ignore_rules(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {".gitignore": "*.py\n", "a.py": BAD, "notes.txt": "pickle"})
    code, doc = scan_json(tmp_path, capsys, monkeypatch, "a.py", "notes.txt", "missing.py")
    assert code == 2
    assert where(doc) == {
        "a.py": ["CPK001@1"],
        "notes.txt": ["skipped: not a Python or configuration file"],
        "missing.py": ["error: no such file or directory"],
    }


def test_python_shebang_scripts(tmp_path, capsys, monkeypatch) -> None:
    write(
        tmp_path,
        {
            "bin/worker": "#!/usr/bin/env python3\n" + BAD,
            "bin/py2": "#!/usr/bin/python2.7 -u\n" + BAD,
            "bin/run": "#!/bin/sh\necho pickle\n",
            "README": "task_serializer = 'pickle'\n",
        },
    )
    _, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert where(doc) == {"bin/py2": ["CPK001@2"], "bin/worker": ["CPK001@2"]}
    assert route(str(tmp_path / "bin/run")) is None
    assert route(str(tmp_path / "x.pyw")) == PYTHON


@posix_only
def test_symlink_loops_and_duplicates(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"pkg/a.py": BAD})
    os.symlink("..", tmp_path / "pkg" / "up")  # a directory loop
    os.symlink("pkg", tmp_path / "alias")  # a second way to the same directory
    os.symlink("a.py", tmp_path / "pkg" / "same.py")  # a second name for the same file
    os.symlink("loop2.py", tmp_path / "loop1.py")
    os.symlink("loop1.py", tmp_path / "loop2.py")
    os.symlink("nowhere.py", tmp_path / "broken.py")
    os.symlink("nowhere.png", tmp_path / "broken.png")  # not a file type we read: not counted
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert code == 1
    assert where(doc) == {
        "broken.py": ["skipped: broken symbolic link"],
        "loop1.py": ["skipped: symbolic link loop"],
        "loop2.py": ["skipped: symbolic link loop"],
        "pkg/a.py": ["CPK001@1"],
    }
    assert doc["files"] == {"scanned": 1, "skipped": 3, "errors": 0}


# --- bad input ---------------------------------------------------------------------------------


def test_syntax_error_is_an_error_entry_and_the_rest_is_reported(
    tmp_path, capsys, monkeypatch
) -> None:
    write(tmp_path, {"broken.py": "x = 'pickle'\ndef (:\n", "ok.py": BAD, "clean.py": CLEAN})
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert code == 2
    assert doc["errors"] == [
        {"path": "broken.py", "line": 2, "message": "cannot parse: invalid syntax (line 2)" + HINT}
    ]
    assert [f["path"] for f in doc["findings"]] == ["ok.py"]
    assert doc["files"] == {"scanned": 2, "skipped": 0, "errors": 1}


def test_a_file_the_gate_rejects_is_never_parsed(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"broken.py": "def (:\n"})  # no gate word: never parsed, so no error
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert (code, doc["files"]) == (0, {"scanned": 1, "skipped": 0, "errors": 0})


def test_nul_bytes_non_utf8_and_declared_encodings(tmp_path, capsys, monkeypatch) -> None:
    write(
        tmp_path,
        {
            "nul.py": b"x = 'pickle'\x00\n",
            "latin.py": b"x = '\xe9'\n",
            "declared.py": (
                "# -*- coding: latin-1 -*-\nx = 'é'; task_serializer = 'pickle'\n"
            ).encode("latin-1"),
            "bom.py": b"\xef\xbb\xbf" + BAD.encode(),
            "crlf.py": b"x = 1\r\ntask_serializer = 'pickle'\r\n",
        },
    )
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert code == 2
    seen = where(doc)
    assert seen["latin.py"] == ["error: cannot decode as utf-8: invalid byte 0xe9 at offset 5"]
    assert seen["nul.py"][0].startswith("error: cannot parse: source code")
    assert seen["declared.py"] == ["CPK001@2"]
    assert seen["bom.py"] == ["CPK001@1"]
    assert seen["crlf.py"] == ["CPK001@2"]
    declared = next(f for f in doc["findings"] if f["path"] == "declared.py")
    # 'é' is one code point (two UTF-8 bytes once parsed): the string starts at code point 27.
    assert (declared["column"], declared["end_column"]) == (28, 36)


def test_huge_files_are_skipped_with_a_reason(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"big.py": BAD + "#" * 2048 + "\n", "small.py": BAD})
    code, doc = scan_json(tmp_path, capsys, monkeypatch, "--max-file-size", "1K")
    assert code == 1
    assert where(doc) == {
        "big.py": ["skipped: larger than 1 KiB (--max-file-size)"],
        "small.py": ["CPK001@1"],
    }
    code, doc = scan_json(tmp_path, capsys, monkeypatch, "--max-file-size", "0")
    assert sorted(where(doc)) == ["big.py", "small.py"] and doc["skipped"] == []


def test_default_size_limit_is_ten_mebibytes(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"a.py": BAD})
    with open(tmp_path / "huge.py", "wb") as handle:  # sparse: costs no disk space
        handle.truncate(10 * 1024 * 1024 + 1)
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert (code, where(doc)["huge.py"]) == (1, ["skipped: larger than 10 MiB (--max-file-size)"])


def test_yaml_bomb_and_binary_yaml_through_the_real_engine(tmp_path, capsys, monkeypatch) -> None:
    import importlib.util

    if engines.config_engine()[0] is None or importlib.util.find_spec("ast_grep_py") is None:
        pytest.skip("the configuration engine or ast-grep-py is not installed")
    levels = ["a0: &a0 [pickle, pickle, pickle, pickle, pickle, pickle, pickle, pickle, pickle]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 12)]
    write(
        tmp_path,
        {
            "bomb.yaml": "\n".join(levels) + "\nCELERY_TASK_SERIALIZER: pickle\n",
            "blob.yaml": b"CELERY_TASK_SERIALIZER: pickle\n\x00\x01\x02",
        },
    )
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert code == 1
    assert where(doc) == {
        "blob.yaml": ["skipped: binary file"],
        "bomb.yaml": [f"CPK001@{len(levels) + 1}"],
    }


@posix_only
def test_fifo_is_skipped_without_blocking(tmp_path, capsys, monkeypatch) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    write(tmp_path, {"a.py": BAD})
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert code == 1
    assert where(doc)["pipe.py"] == ["skipped: not a regular file (a FIFO)"]
    # Named on the command line, too.
    code, doc = scan_json(tmp_path, capsys, monkeypatch, "pipe.py")
    assert (code, where(doc)) == (0, {"pipe.py": ["skipped: not a regular file (a FIFO)"]})


@posix_only
def test_fifo_with_the_project_view_does_not_hang(tmp_path) -> None:
    """The project view opens the files discovery hands it: a FIFO among them blocked forever."""
    os.mkfifo(tmp_path / "pipe.py")
    os.mkfifo(tmp_path / "requirements.txt")  # a name the project view reads
    write(tmp_path, {"a.py": BAD, "pyproject.toml": '[project]\nname = "x"\n'})
    done = subprocess.run(
        [*command(), "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert where(doc) == {"a.py": ["CPK001@1"], "pipe.py": ["skipped: not a regular file (a FIFO)"]}


@posix_only
def test_the_project_view_is_given_regular_files_only(tmp_path) -> None:
    write(tmp_path, {"a.py": BAD, "sub/requirements.txt": "celery==3.1\n", "real.cfg": ""})
    os.mkfifo(tmp_path / "pipe.txt")
    os.symlink("missing", tmp_path / "dangling.txt")
    os.symlink("loop2.txt", tmp_path / "loop1.txt")
    os.symlink("loop1.txt", tmp_path / "loop2.txt")
    os.symlink("real.cfg", tmp_path / "link.cfg")
    os.symlink("sub", tmp_path / "dirlink")
    found = discover([str(tmp_path)], Exclude(()), cwd=str(tmp_path))
    assert [os.path.relpath(f, tmp_path) for f in found.roots[0].files] == [
        "a.py",
        "link.cfg",
        "real.cfg",
        os.path.join("sub", "requirements.txt"),
    ]


def test_parse_errors_of_configuration_files_carry_their_line(tmp_path, capsys, monkeypatch):
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.x]\na = 1\ntask_serializer = "pickle" junk\n',
            "celery.ini": "task_serializer = pickle\n[celery]\n",
        },
    )
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert code == 2
    assert [(e["path"], e["line"]) for e in doc["errors"]] == [
        ("celery.ini", 1),
        ("pyproject.toml", 3),
    ]
    assert doc["errors"][1]["message"].startswith("cannot parse: invalid TOML: ")


def test_error_line_of_a_parse_error() -> None:
    class Own(Exception):
        lineno = 4

    class Wrapped(Exception):
        pass

    text = "a\nb\nc\nd\ne\n"
    assert worker._error_line(Own("x"), text) == 4
    try:
        try:
            raise Own("inner")
        except Own as inner:
            raise Wrapped("outer") from inner
    except Wrapped as outer:
        assert worker._error_line(outer, text) == 4
    assert worker._error_line(Wrapped("bad value (at line 2, column 7)"), text) == 2
    assert worker._error_line(Wrapped("[line  5]: bad"), text) == 5
    # Out of range or absent: unknown.
    assert worker._error_line(Wrapped("at line 99"), text) is None
    assert worker._error_line(Wrapped("no position"), text) is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_for_real(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"secret.py": BAD, "ok.py": BAD})
    (tmp_path / "secret.py").chmod(0)
    try:
        code, doc = scan_json(tmp_path, capsys, monkeypatch)
    finally:
        (tmp_path / "secret.py").chmod(0o644)
    assert code == 2
    assert where(doc)["secret.py"] == ["error: cannot read: Permission denied"]


def test_unreadable_file_and_directory(tmp_path, capsys, monkeypatch) -> None:
    """Permission errors, simulated so the test also means something when run as root."""
    write(tmp_path, {"secret.py": BAD, "ok.py": BAD, "locked/inner.py": BAD})
    real_open, real_scandir = os.open, os.scandir

    def fake_open(path, flags, *args, **kwargs):
        if os.fspath(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    def fake_scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "scandir", fake_scandir)
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert code == 2
    assert where(doc) == {
        "locked": ["error: cannot list directory: Permission denied"],
        "ok.py": ["CPK001@1"],
        "secret.py": ["error: cannot read: Permission denied"],
    }


def test_file_deleted_during_the_scan(tmp_path) -> None:
    task = worker.Task(str(tmp_path / "gone.py"), "gone.py", PYTHON, DEFAULTS, 1 << 20)
    outcome = worker.check_file(task)
    assert outcome.error == ("cannot read: the file disappeared during the scan", None)


def test_engine_crash_is_an_error_entry_not_a_crash(tmp_path, monkeypatch) -> None:
    write(tmp_path, {"a.py": BAD})

    class Panic(BaseException):
        pass

    def explode(source, settings):
        raise Panic("boom")

    monkeypatch.setattr("flake8_celery_pickle.python.check_source", explode)
    outcome = worker.check_file(worker.Task(str(tmp_path / "a.py"), "a.py", PYTHON, DEFAULTS, 0))
    assert outcome.error == ("internal error while checking: Panic", None)

    def fail(source, settings):
        raise KeyError("x")

    monkeypatch.setattr("flake8_celery_pickle.python.check_source", fail)
    outcome = worker.check_file(worker.Task(str(tmp_path / "a.py"), "a.py", PYTHON, DEFAULTS, 0))
    assert [(f.code, f.line, f.path) for f in outcome.findings] == [("CPK000", 1, "a.py")]


# --- the configuration engine, through a stand-in with its interface -------------------------


class EngineUnavailable(Exception):
    pass


class ConfigParseError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def fake_config_engine() -> types.ModuleType:
    module = types.ModuleType("fake_config")

    def language_for(path):
        return {".yaml": "yaml", ".yml": "yaml", ".env": "bash"}.get(Path(path).suffix)

    def may_hold_finding(text, settings):
        return "pickle" in text

    def scan_text(path, text, settings, *, honour_suppressions=True):
        if "needs-engine" in text:
            raise EngineUnavailable("install flake8-celery-pickle[astgrep] to check YAML files")
        if "!!bad" in text:
            raise ConfigParseError("mapping values are not allowed here", 2)
        findings = []
        for number, line in enumerate(text.splitlines(), 1):
            if "pickle" in line:
                col = len(line[: line.index("pickle")].encode("utf-8"))
                findings.append(
                    Finding(
                        number, col, "CPK001", "setting is 'pickle'", number, col + 6, "ast-grep"
                    )
                )
        return findings

    module.language_for = language_for
    module.may_hold_finding = may_hold_finding
    module.scan_text = scan_text
    module.EngineUnavailable = EngineUnavailable
    module.ConfigParseError = ConfigParseError
    return module


@pytest.fixture
def fake_config(monkeypatch):
    module = fake_config_engine()
    monkeypatch.setattr(engines, "config_engine", lambda: (module, None))
    monkeypatch.setattr(scan_run, "config_engine", lambda: (module, None))
    return module


def test_config_files_through_the_engine_interface(
    tmp_path, capsys, monkeypatch, fake_config
) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": ("env:\n  CELERY_TASK_SERIALIZER: pickle\n  OTHER: json\n"),
            "é/values.yml": "x: 'é😀' pickle\n",
            "binary.yaml": b"\x00\x01pickle",
            "latin.yaml": b"k: \xe9 pickle\n",
            "broken.yaml": "a: b\n!!bad pickle\n",
            "needs.env": "needs-engine pickle\n",
            "more.env": "needs-engine pickle\n",
            "clean.yaml": "task_serializer: json\n",
        },
    )
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert code == 2
    unavailable = "skipped: install flake8-celery-pickle[astgrep] to check YAML files"
    assert where(doc) == {
        "binary.yaml": ["skipped: binary file"],
        "broken.yaml": ["error: cannot parse: mapping values are not allowed here"],
        "compose.yaml": ["CPK001@2"],
        "latin.yaml": ["error: cannot decode as utf-8: invalid byte 0xe9 at offset 3"],
        "more.env": [unavailable],
        "needs.env": [unavailable],
        "é/values.yml": ["CPK001@1"],
    }
    assert doc["errors"][0]["line"] == 2
    values = next(f for f in doc["findings"] if f["path"] == "é/values.yml")
    assert (values["column"], values["end_column"], values["engine"]) == (9, 15, "ast-grep")
    assert doc["files"] == {"scanned": 3, "skipped": 3, "errors": 2}
    text = run_main(["--no-project"], tmp_path, capsys, monkeypatch)
    # The engine's message is shown once, with the number of files it kept from being checked.
    assert text.err.count("install flake8-celery-pickle[astgrep]") == 1
    assert "2 install flake8-celery-pickle[astgrep] to check YAML files" in text.err


def test_config_engine_crash_becomes_cpk000(tmp_path, capsys, monkeypatch, fake_config) -> None:
    def broken(path, text, settings, *, honour_suppressions=True):
        raise RuntimeError("bug")

    monkeypatch.setattr(fake_config, "scan_text", broken)
    write(tmp_path, {"a.yaml": "x: pickle\n"})
    code, doc = scan_json(tmp_path, capsys, monkeypatch)
    assert code == 1
    assert [(f["code"], f["line"], f["engine"]) for f in doc["findings"]] == [
        ("CPK000", 1, "config")
    ]
    assert "RuntimeError" in doc["findings"][0]["message"]


def test_route_uses_the_config_engine(tmp_path, fake_config) -> None:
    assert route(str(tmp_path / "a.yaml"), fake_config) == CONFIG
    assert route(str(tmp_path / "a.py"), fake_config) == PYTHON
    assert route(str(tmp_path / "a.txt"), fake_config) is None
