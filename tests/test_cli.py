"""End-to-end: the command over ``examples/`` and temporary trees, in-process and as a process.

Covers every output format (SARIF validated against the official schema when the shared copy
is present), exit codes 0/1/2, the options, ``--jobs`` determinism and the project view hook.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from test_cli_support import (
    EXAMPLES,
    SCHEMA,
    Result,
    annotated,
    command,
    run_main,
    run_process,
    write,
)

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.report import FORMATS
from flake8_celery_pickle.scan import run as scan_run

BAD = "task_serializer = 'pickle'\n"
CPK001 = BY_CODE["CPK001"].format(
    setting="task_serializer",
    value="pickle",
    risk="pickled task and remote-control messages can run code on workers",
)
needs_examples = pytest.mark.skipif(not (EXAMPLES / "vulnerable").is_dir(), reason="no examples/")
HAS_AST_GREP = importlib.util.find_spec("ast_grep_py") is not None
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names")


def cli(tmp_path, capsys, monkeypatch, *args) -> Result:
    return run_main(list(args), tmp_path, capsys, monkeypatch)


# --- examples/ -----------------------------------------------------------------------------------


@needs_examples
def test_examples_vulnerable_report_exactly_the_annotated_lines(capsys, monkeypatch) -> None:
    result = cli(
        EXAMPLES, capsys, monkeypatch, "--format", "json", "--extend-select", "CPK010", "vulnerable"
    )
    assert result.code == 1, result.err
    doc = result.json()
    got = {(f["path"], f["line"], f["code"]) for f in doc["findings"]}
    expected = annotated(EXAMPLES / "vulnerable")
    if not HAS_AST_GREP:  # no wheel for this Python: those files are skipped, with the reason
        skipped = {s["path"] for s in doc["skipped"]}
        assert skipped and all("ast-grep" in s["reason"] for s in doc["skipped"])
        expected = {e for e in expected if e[0] not in skipped}
    assert got == expected
    assert doc["files"]["errors"] == 0 and doc["errors"] == []
    for finding in doc["findings"]:
        assert finding["name"] == BY_CODE[finding["code"]].name
        assert finding["severity"] == BY_CODE[finding["code"]].severity
        assert finding["column"] >= 1 and finding["line"] >= 1


@needs_examples
def test_examples_fixed_are_clean(capsys, monkeypatch) -> None:
    result = cli(EXAMPLES, capsys, monkeypatch, "--extend-select", "CPK010", "fixed")
    assert (result.code, result.out) == (0, "")
    skipped = "0 skipped" if HAS_AST_GREP else r"\d+ skipped \(.*ast-grep.*\)"
    assert re.fullmatch(
        rf"flake8-celery-pickle: \d+ files scanned, {skipped}, 0 errors, 0 findings\n", result.err
    )


@pytest.fixture(scope="module")
def reference():
    """The JSON report over examples/, once per module."""
    return run_process(["--format", "json", "-q", "vulnerable", "fixed"], EXAMPLES).json()


@needs_examples
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_over_examples_as_a_process(fmt: str, reference) -> None:
    result = run_process(["--format", fmt, "vulnerable", "fixed"], EXAMPLES)
    assert result.code == 1, result.err
    count = len(reference["findings"])
    assert count > 20
    if fmt == "text":
        lines = result.out.splitlines()
        assert len(lines) == count
        assert all(re.fullmatch(r"vulnerable/\S+:\d+:\d+: CPK\d{3} .+", line) for line in lines)
        assert "files scanned" in result.err
    elif fmt == "github":
        lines = result.out.splitlines()
        assert all(
            re.fullmatch(r"::(error|warning|notice) file=vulnerable/[^,]+,line=\d+,.*::.+", line)
            for line in lines[:count]
        )
        assert lines[count].startswith("::notice title=flake8-celery-pickle::")
        assert "files scanned" not in result.err
    elif fmt == "json":
        assert result.json() == reference
        assert reference["version"] and reference["files"]["errors"] == 0
    elif fmt == "sarif":
        doc = result.json()
        assert len(doc["runs"]) == 1
        assert len(doc["runs"][0]["results"]) == count
        engines = {r["properties"]["engine"] for r in doc["runs"][0]["results"]}
        assert engines == {f["engine"] for f in reference["findings"]} and "python" in engines
        validate_sarif(doc)
    elif fmt == "gitlab":
        issues = result.json()
        assert len(issues) == count
        assert len({i["fingerprint"] for i in issues}) == count
    elif fmt == "rdjson":
        assert len(result.json()["diagnostics"]) == count


def validate_sarif(doc) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.is_file():
        pytest.skip("the SARIF 2.1.0 schema is not in the shared data folder")
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert sorted(str(e) for e in validator.iter_errors(doc)) == []


def test_python_m_and_version() -> None:
    from importlib.metadata import version

    for module in (False, True):
        result = run_process(["--version"], Path.cwd(), module=module)
        assert (result.code, result.out) == (
            0,
            f"flake8-celery-pickle {version('flake8-celery-pickle')}\n",
        )


# --- exit codes, output and options --------------------------------------------------------------


def test_exit_codes_and_text_output(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"clean.py": "task_serializer = 'json'\n"})
    assert cli(tmp_path, capsys, monkeypatch).code == 0
    write(tmp_path, {"pkg/bad.py": "x = 1\n" + BAD})
    result = cli(tmp_path, capsys, monkeypatch)
    assert result.code == 1
    assert result.out == f"pkg/bad.py:2:19: CPK001 {CPK001}\n"
    assert result.err == "flake8-celery-pickle: 2 files scanned, 0 skipped, 0 errors, 1 finding\n"
    write(tmp_path, {"broken.py": "pickle = (\n"})
    result = cli(tmp_path, capsys, monkeypatch)
    assert result.code == 2
    assert result.out == f"pkg/bad.py:2:19: CPK001 {CPK001}\n"
    assert result.err.splitlines()[0].startswith("broken.py:1: error: cannot parse: ")
    assert result.err.splitlines()[-1] == (
        "flake8-celery-pickle: 2 files scanned, 0 skipped, 1 error, 1 finding"
    )
    quiet = cli(tmp_path, capsys, monkeypatch, "-q")
    assert (
        quiet.code == 2 and "files scanned" not in quiet.err and "broken.py:1: error" in quiet.err
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xml"], "invalid choice: 'xml'"),
        (["--select", "CPK1001"], "invalid code or prefix 'CPK1001'"),
        (["--extend-ignore", "cpk"], "invalid code or prefix 'cpk'"),
        (["--jobs", "0"], "--jobs must be at least 1"),
        (["--jobs", "many"], "invalid job count 'many'"),
        (["--max-file-size", "big"], "invalid size 'big'"),
        (["--no-such-option"], "unrecognized arguments"),
    ],
)
def test_usage_errors_exit_2(tmp_path, capsys, monkeypatch, args, message) -> None:
    result = cli(tmp_path, capsys, monkeypatch, *args)
    assert result.code == 2
    assert message in result.err and result.out == ""


def test_output_file(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"a.py": BAD})
    result = cli(
        tmp_path, capsys, monkeypatch, "--format", "sarif", "--output", "out/../report.sarif"
    )
    assert result.code == 2  # out/ does not exist
    assert "cannot write out/../report.sarif" in result.err
    result = cli(tmp_path, capsys, monkeypatch, "--format", "sarif", "-o", "report.sarif")
    assert (result.code, result.out) == (1, "")
    doc = json.loads((tmp_path / "report.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["CPK001"]
    validate_sarif(doc)


def test_select_ignore_and_default_off_codes(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"conf.py": BAD + "result_backend = 'db+postgresql://db/results'\n"})

    def codes(*args):
        return [
            f["code"]
            for f in cli(tmp_path, capsys, monkeypatch, "--format", "json", *args).json()[
                "findings"
            ]
        ]

    assert codes() == ["CPK001"]
    assert codes("--extend-select", "CPK010") == ["CPK001", "CPK010"]
    assert codes("--select", "CPK") == ["CPK001", "CPK010"]
    assert codes("--ignore", "CPK001") == ["CPK010"]
    assert codes("--extend-ignore", "CPK001") == []
    assert codes("--select", "CPK01") == ["CPK010"]  # explicit selection beats the default ignore
    assert codes("--select", "E,W") == []
    assert cli(tmp_path, capsys, monkeypatch, "--select", "E").code == 0


def test_noqa_in_python(tmp_path, capsys, monkeypatch) -> None:
    write(
        tmp_path,
        {
            "a.py": "task_serializer = 'pickle'  # noqa: CPK001\n"
            "result_serializer = 'pickle'  # noqa:E501\n"
            "event_serializer = 'pickle'  # noqa\n",
            "b.py": "# flake8: noqa\n" + BAD,
        },
    )
    doc = cli(tmp_path, capsys, monkeypatch, "--format", "json").json()
    assert [(f["path"], f["line"]) for f in doc["findings"]] == [("a.py", 2)]
    doc = cli(tmp_path, capsys, monkeypatch, "--format", "json", "--disable-noqa").json()
    assert [(f["path"], f["line"]) for f in doc["findings"]] == [
        ("a.py", 1),
        ("a.py", 2),
        ("a.py", 3),
        ("b.py", 2),
    ]


def test_disable_noqa_reports_suppressed_configuration_findings(
    tmp_path, capsys, monkeypatch
) -> None:
    if not HAS_AST_GREP:
        pytest.skip("ast-grep-py is not installed")
    write(
        tmp_path,
        {
            ".env": "CELERY_TASK_SERIALIZER=pickle  # ast-grep-ignore\n"
            "CELERY_RESULT_SERIALIZER=pickle  # noqa: CPK001\n",
            "pyproject.toml": '[tool.celery]\ntask_serializer = "pickle"  # noqa: CPK001\n',
        },
    )
    doc = cli(tmp_path, capsys, monkeypatch, "--format", "json").json()
    assert doc["findings"] == []
    doc = cli(tmp_path, capsys, monkeypatch, "--format", "json", "--disable-noqa").json()
    assert [(f["path"], f["line"], f["column"], f["code"]) for f in doc["findings"]] == [
        (".env", 1, 24, "CPK001"),
        (".env", 2, 26, "CPK001"),
        ("pyproject.toml", 2, 19, "CPK001"),
    ]


def test_configuration_files_through_the_real_engine(tmp_path, capsys, monkeypatch) -> None:
    from flake8_celery_pickle.scan.engines import config_engine

    if config_engine()[0] is None or not HAS_AST_GREP:
        pytest.skip("the configuration engine or ast-grep-py is not installed")
    write(
        tmp_path,
        {
            "deploy/docker-compose.yml": "services:\n  worker:\n    environment:\n"
            "      CELERY_TASK_SERIALIZER: pickle\n"
            "      CELERY_RESULT_SERIALIZER: pickle  # ast-grep-ignore: cpk001-yaml\n",
            "app.py": BAD,
        },
    )
    result = cli(tmp_path, capsys, monkeypatch, "--format", "json")
    assert result.code == 1, result.err
    found = [(f["path"], f["line"], f["column"], f["code"]) for f in result.json()["findings"]]
    assert found == [
        ("app.py", 1, 19, "CPK001"),
        ("deploy/docker-compose.yml", 4, 31, "CPK001"),
    ]
    assert result.json()["files"] == {"scanned": 2, "skipped": 0, "errors": 0}


def test_plugin_options(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"s.py": "MYAPP_TASK_SERIALIZER = 'pickle'\ntask_serializer = 'fastjson'\n"})
    assert cli(tmp_path, capsys, monkeypatch).code == 0
    result = cli(
        tmp_path,
        capsys,
        monkeypatch,
        "--format",
        "json",
        "--celery-pickle-namespaces",
        "MYAPP",
        "--celery-pickle-unsafe-serializers",
        "fastjson",
    )
    assert [(f["line"], f["code"]) for f in result.json()["findings"]] == [
        (1, "CPK001"),
        (2, "CPK001"),
    ]


def test_jobs_do_not_change_the_output(tmp_path, capsys, monkeypatch) -> None:
    files = {}
    for n in range(40):
        files[f"pkg{n % 4}/m{n:02d}.py"] = "x = 1\n" * (n % 5) + BAD
    files["pkg0/bad.py"] = "pickle(\n"
    write(tmp_path, files)
    outputs = {}
    for jobs in ("1", "2", "auto"):
        result = cli(tmp_path, capsys, monkeypatch, "--format", "json", "--jobs", jobs)
        assert result.code == 2
        outputs[jobs] = result.out
    assert outputs["1"] == outputs["2"] == outputs["auto"]
    doc = json.loads(outputs["1"])
    assert len(doc["findings"]) == 40 and doc["files"] == {"scanned": 40, "skipped": 0, "errors": 1}
    paths = [f["path"] for f in doc["findings"]]
    assert paths == sorted(paths)


@posix_only
def test_file_names_cannot_forge_output_lines(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"a\nb.py:1:1: CPK999 forged\n.py": BAD, "x,y:z.py": BAD})
    text = cli(tmp_path, capsys, monkeypatch)
    assert text.out.splitlines() == [
        f"a\\x0ab.py:1:1: CPK999 forged\\x0a.py:1:19: CPK001 {CPK001}",
        f"x,y:z.py:1:19: CPK001 {CPK001}",
    ]
    github = cli(tmp_path, capsys, monkeypatch, "--format", "github").out.splitlines()
    assert len(github) == 2
    assert github[0].startswith(
        "::error file=a%0Ab.py%3A1%3A1%3A CPK999 forged%0A.py,line=1,col=19,"
    )
    assert github[1].startswith("::error file=x%2Cy%3Az.py,line=1,")
    doc = cli(tmp_path, capsys, monkeypatch, "--format", "json").json()
    assert doc["findings"][0]["path"] == "a\nb.py:1:1: CPK999 forged\n.py"
    validate_sarif(json.loads(cli(tmp_path, capsys, monkeypatch, "--format", "sarif").out))


def test_non_ascii_paths_with_an_ascii_terminal(tmp_path) -> None:
    write(tmp_path, {"é/ü.py": "x = 'é'; " + BAD})
    result = run_process([], tmp_path, env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
    assert result.code == 1
    assert result.out.startswith("\\xe9/\\xfc.py:1:29: CPK001 ") or result.out.startswith(
        "é/ü.py:1:29: CPK001 "
    )
    doc = run_process(["--format", "json"], tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert doc.code == 1


@posix_only
def test_a_reader_that_stops_early_causes_no_traceback(tmp_path) -> None:
    write(tmp_path, {f"m{n:03d}.py": BAD for n in range(300)})
    argv = [*command(), "--format", "sarif", "--jobs", "1"]
    with subprocess.Popen(
        argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(10) == b'{\n  "$sche'
        proc.stdout.close()
        err = proc.stderr.read().decode("utf-8", "replace")
        code = proc.wait(timeout=120)
    assert "Traceback" not in err and code == 1


def test_print_pack_path(tmp_path, capsys, monkeypatch) -> None:
    result = cli(tmp_path, capsys, monkeypatch, "--print-pack-path")
    from flake8_celery_pickle.scan.engines import config_engine

    config, _ = config_engine()
    if config is None:
        assert result.code == 2 and "not available" in result.err
    else:
        assert result.code == 0
        path = Path(result.out.strip())
        assert path.name == "sgconfig.yml" and path.is_file()


# --- the whole-project view ----------------------------------------------------------------------


def fake_project(findings=(), notes=(), fail=False):
    module = types.ModuleType("fake_project")
    calls = []

    def analyze(root, files, settings):
        calls.append((root, sorted(p.name for p in files)))
        if fail:
            raise RuntimeError("boom")
        return types.SimpleNamespace(findings=list(findings), notes=list(notes))

    module.analyze = analyze
    module.calls = calls
    return module


def test_project_findings_notes_and_suppression(tmp_path, capsys, monkeypatch) -> None:
    write(
        tmp_path,
        {
            "requirements.txt": "celery==3.1.26\ncelery==3.1.25  # noqa: CPK011\n",
            "proj/celery.py": "from celery import Celery\napp = Celery('proj')\n",
            "README.md": "# docs\n",
        },
    )
    project = fake_project(
        findings=[
            Finding(
                1,
                0,
                "CPK011",
                "Celery is held to celery==3.1.26",
                1,
                14,
                "project",
                "requirements.txt",
            ),
            Finding(
                2,
                0,
                "CPK011",
                "Celery is held to celery==3.1.25",
                2,
                14,
                "project",
                "requirements.txt",
            ),
        ],
        notes=["proj/celery.py: config_from_object(name) names a module computed at run time"],
    )
    monkeypatch.setattr(scan_run, "project_engine", lambda: (project, None))
    text = cli(tmp_path, capsys, monkeypatch, "--extend-ignore", "CPK004")
    assert text.code == 1
    assert text.out == (
        "requirements.txt:1:1: CPK011 Celery is held to celery==3.1.26\n"
    )  # line 2: noqa
    assert (
        "flake8-celery-pickle: note: proj/celery.py: config_from_object(name) names a module"
        in text.err
    )
    root, names = project.calls[0]
    assert root == tmp_path and names == ["README.md", "celery.py", "requirements.txt"]
    doc = cli(tmp_path, capsys, monkeypatch, "--format", "json", "--extend-ignore", "CPK004").json()
    assert [(f["path"], f["line"], f["code"], f["engine"]) for f in doc["findings"]] == [
        ("requirements.txt", 1, "CPK011", "project")
    ]
    assert doc["findings"][0]["end_column"] == 15
    assert doc["notes"] == [
        "proj/celery.py: config_from_object(name) names a module computed at run time"
    ]
    assert cli(tmp_path, capsys, monkeypatch, "-q", "--extend-ignore", "CPK004").err == ""
    project.calls.clear()
    assert cli(tmp_path, capsys, monkeypatch, "--no-project", "--extend-ignore", "CPK004").code == 0
    assert project.calls == []


@pytest.mark.parametrize(
    ("config_module", "expected"),
    [
        # no CELERY_CONFIG_MODULE: the single-file checker judges the app
        (None, [("tasks.py", 2, 7, "CPK004", "python")]),
        # the module it names sets both settings: the project view clears the app
        ("task_serializer = 'json'\naccept_content = ['json']\n", []),
        # the module leaves one implicit: the project view reports it, once
        ("task_serializer = 'json'\n", [("tasks.py", 2, 7, "CPK004", "project")]),
    ],
)
def test_celery_config_module_set_outside_the_app_module(
    tmp_path, capsys, monkeypatch, config_module, expected
) -> None:
    files = {
        "tasks.py": "from celery import Celery\napp = Celery('tasks')\n",
        # neither a value computed at run time nor a test's setting configures the app
        "cli.py": "import os\ndef main(name):\n    os.environ['CELERY_CONFIG_MODULE'] = name\n",
        "tests/conftest.py": "import os\nos.environ['CELERY_CONFIG_MODULE'] = 'testconf'\n",
    }
    if config_module is not None:
        files["celeryconf.py"] = config_module
        files[".env"] = "CELERY_CONFIG_MODULE=celeryconf\n"
    write(tmp_path, files)
    doc = cli(tmp_path, capsys, monkeypatch, "--format", "json").json()
    found = [(f["path"], f["line"], f["column"], f["code"], f["engine"]) for f in doc["findings"]]
    assert found == expected
    if expected and expected[0][4] == "project":
        assert "configuration read from celeryconf" in doc["findings"][0]["message"]


def test_project_failure_is_an_error_entry(tmp_path, capsys, monkeypatch) -> None:
    write(tmp_path, {"a.py": "x = 1\n"})
    monkeypatch.setattr(scan_run, "project_engine", lambda: (fake_project(fail=True), None))
    result = cli(tmp_path, capsys, monkeypatch, "--format", "json")
    assert result.code == 2
    assert result.json()["errors"] == [
        {"path": ".", "line": None, "message": "the whole-project view failed: RuntimeError"}
    ]


# --- --diff-base ----------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(repo),
    )
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    try:
        git(tmp_path, "init", "-q", "-b", "main")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    write(
        tmp_path,
        {
            "old.py": BAD + "x = 1\n",
            "moved.py": "a = 1\nresult_serializer = 'pickle'\n",
            "spaced name.py": "y = 1\n",
            ".gitignore": "ignored.py\n",
        },
    )
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def test_diff_base_reports_only_new_lines(repo, capsys, monkeypatch) -> None:
    write(
        repo,
        {
            "old.py": BAD + "x = 1\naccept_content = ['pickle']\n",  # line 3 is new
            "moved.py": "# a comment pushes everything down\na = 1\nresult_serializer = 'pickle'\n",
            "spaced name.py": "y = 1\nevent_serializer = 'pickle'\n",
            "new.py": BAD,  # untracked: every line is new
            "ignored.py": BAD,  # ignored by git: not scanned at all
        },
    )
    git(repo, "add", "spaced name.py")

    def found(*args, cwd=repo):
        result = cli(cwd, capsys, monkeypatch, "--format", "json", *args)
        return result.code, [(f["path"], f["line"], f["code"]) for f in result.json()["findings"]]

    assert found()[1] == [
        ("moved.py", 3, "CPK001"),
        ("new.py", 1, "CPK001"),
        ("old.py", 1, "CPK001"),
        ("old.py", 3, "CPK002"),
        ("spaced name.py", 2, "CPK001"),
    ]
    assert found("--diff-base", "HEAD") == (
        1,
        [("new.py", 1, "CPK001"), ("old.py", 3, "CPK002"), ("spaced name.py", 2, "CPK001")],
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    assert found("--diff-base", "HEAD") == (0, [])
    assert found("--diff-base", "HEAD~1")[1] == [
        ("new.py", 1, "CPK001"),
        ("old.py", 3, "CPK002"),
        ("spaced name.py", 2, "CPK001"),
    ]
    # From a subdirectory, naming the tree above it.
    (repo / "sub").mkdir()
    code, findings = found("--diff-base", "HEAD~1", "..", cwd=repo / "sub")
    assert code == 1 and ("../old.py", 3, "CPK002") in findings and len(findings) == 3


def test_diff_base_errors(repo, tmp_path_factory, capsys, monkeypatch) -> None:
    result = cli(repo, capsys, monkeypatch, "--diff-base", "no-such-ref")
    assert result.code == 2
    assert (
        result.err
        == "flake8-celery-pickle: error: --diff-base no-such-ref: unknown revision 'no-such-ref'\n"
    )
    result = cli(repo, capsys, monkeypatch, "--diff-base", "--output=x")
    assert result.code == 2
    outside = tmp_path_factory.mktemp("plain")
    result = cli(outside, capsys, monkeypatch, "--diff-base", "HEAD")
    assert result.code == 2 and "--diff-base HEAD:" in result.err


def test_diff_base_with_a_missing_path_reports_the_path_not_git(repo, capsys, monkeypatch) -> None:
    result = cli(repo, capsys, monkeypatch, "--diff-base", "HEAD", "--format", "json", "gone/x.py")
    assert result.code == 2
    assert result.json()["errors"] == [
        {"path": "gone/x.py", "line": None, "message": "no such file or directory"}
    ]
    assert "cannot run git" not in result.err


def test_diff_base_keeps_the_fingerprints_of_a_full_run(repo, capsys, monkeypatch) -> None:
    """A new line identical to an old one must not take over the old finding's fingerprint."""
    write(repo, {"old.py": BAD + "x = 1\n" + BAD})  # line 3 repeats line 1, and is new

    def prints(fmt, *args):
        out = cli(repo, capsys, monkeypatch, "--format", fmt, *args).json()
        if fmt == "gitlab":
            return {i["location"]["lines"]["begin"]: i["fingerprint"] for i in out}
        return {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]: (
                r["partialFingerprints"]["primaryLocationLineHash"],
                r["partialFingerprints"]["flake8CeleryPickle/v1"],
            )
            for r in out["runs"][0]["results"]
            if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "old.py"
        }

    for fmt in ("gitlab", "sarif"):
        full = prints(fmt)
        new = prints(fmt, "--diff-base", "HEAD")
        assert set(new) == {3}
        assert new[3] == full[3] and full[3] != full[1]
    assert prints("sarif", "--diff-base", "HEAD")[3][0].endswith(":2")


@posix_only
def test_a_file_name_cannot_become_a_workflow_command(tmp_path, capsys, monkeypatch) -> None:
    """GitHub's runner runs any output line that starts with ``::`` (after blanks) as a command."""
    write(
        tmp_path,
        {
            "::error file=x.py::forged.py": BAD,
            " ::warning::also.py": BAD,
            "::add-mask::broken.py": "pickle = (\n",
        },
    )
    result = cli(tmp_path, capsys, monkeypatch)
    assert result.code == 2
    assert result.out.splitlines() == [
        f"./ ::warning::also.py:1:19: CPK001 {CPK001}",
        f"./::error file=x.py::forged.py:1:19: CPK001 {CPK001}",
    ]
    assert result.err.splitlines()[0].startswith("./::add-mask::broken.py:1: error: cannot parse")
    for line in (result.out + result.err).splitlines():
        assert not line.lstrip().startswith("::")
    # The JSON report keeps the real names.
    doc = cli(tmp_path, capsys, monkeypatch, "--format", "json").json()
    assert [f["path"] for f in doc["findings"]] == [
        " ::warning::also.py",
        "::error file=x.py::forged.py",
    ]


def test_diff_base_ignores_git_settings_that_reshape_the_diff(repo, capsys, monkeypatch) -> None:
    """diff.mnemonicPrefix writes "w/old.py", diff.noprefix "b/x.py" for a file in b/, and a
    textconv driver moves lines: none of them may change which lines count as new."""
    write(repo, {"b/x.py": "x = 1\n", ".gitattributes": "*.py diff=dropfirst\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "more")
    git(repo, "config", "diff.dropfirst.textconv", "sed 1d")
    write(
        repo,
        {
            "old.py": BAD + "x = 1\naccept_content = ['pickle']\n",
            "b/x.py": "x = 1\n" + BAD,
        },
    )
    expected = [("b/x.py", 2, "CPK001"), ("old.py", 3, "CPK002")]
    for setting in ("diff.mnemonicPrefix", "diff.noprefix"):
        git(repo, "config", setting, "true")
        result = cli(repo, capsys, monkeypatch, "--format", "json", "--diff-base", "HEAD")
        found = [(f["path"], f["line"], f["code"]) for f in result.json()["findings"]]
        assert (result.code, found) == (1, expected), setting
