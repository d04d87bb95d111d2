"""Hardening: real corpora, adversarial input and hostile trees, through the plugin and the command.

Three promises are proved here, each against the installed tool as a user runs it:

* it never crashes and never loses a file: the standard library of the running Python (and, on
  request, the benchmark corpus) gives zero CPK000 and only the error entries that Python itself
  agrees are broken; every adversarial file is either checked correctly or counted;
* it never imports or executes scanned code, and never opens a network connection;
* its columns mean the same thing in every format, whatever characters come first.

Set ``CPK_FUZZ=1`` to walk every standard library module without the gate, and
``CPK_CORPUS=<dir>`` (for example ``.benchmarks-cache/corpus`` after a benchmark run) to check a
corpus of your own.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import sysconfig
import tokenize
import warnings
from pathlib import Path

import hypothesmith
import pytest
from flake8_helpers import run_flake8
from hypothesis import HealthCheck, given, settings
from test_cli_support import run_main, run_process, where, write

from flake8_celery_pickle.python import check_tree, may_hold_finding
from flake8_celery_pickle.scan import engines, worker
from flake8_celery_pickle.scan.ignore import DEFAULT_EXCLUDE
from flake8_celery_pickle.scan.route import PYTHON, route
from flake8_celery_pickle.settings import DEFAULTS

# Generated programs such as ``1()`` make the compiler warn while hypothesmith builds them.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

FUZZ = os.environ.get("CPK_FUZZ") == "1"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
BAD = "task_serializer = 'pickle'\n"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")


def scan(root: Path, capsys, monkeypatch, *args: str):
    result = run_main(["--format", "json", *args], root, capsys, monkeypatch)
    return result.code, result.json()


def python_rejects(path: Path) -> bool:
    """True when Python itself cannot decode or compile ``path`` (so an error entry is right)."""
    try:
        with tokenize.open(path) as handle:
            source = handle.read()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeError, LookupError, RecursionError, MemoryError):
        return True
    return False


def walk(root: Path, excluded: set, keep) -> list:
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d not in excluded]
        found += [Path(directory, name) for name in files if keep(os.path.join(directory, name))]
    return found


def python_files(root: Path, excluded: set) -> list:
    return walk(root, excluded, lambda path: path.endswith(".py"))


def scannable_files(root: Path, excluded: set) -> list:
    """What the command reads: Python, Python scripts and configuration files."""
    config = engines.config_engine()[0]
    return walk(root, excluded, lambda path: route(path, config) is not None)


def assert_corpus_is_clean(root: Path, doc: dict, excluded: set) -> None:
    """No CPK000; every file accounted for; every error entry a file Python rejects too."""
    assert [f for f in doc["findings"] if f["code"] == "CPK000"] == []
    files = scannable_files(root, excluded)
    counted = doc["files"]["scanned"] + doc["files"]["skipped"] + doc["files"]["errors"]
    assert counted == len(files), (counted, len(files))
    cwd = Path.cwd()
    wrongly_rejected = [
        e
        for e in doc["errors"]
        if e["path"].endswith(".py") and not python_rejects(cwd / e["path"])
    ]
    assert wrongly_rejected == []


# --- real corpora ------------------------------------------------------------------------------


def test_the_standard_library_through_the_command(capsys, monkeypatch) -> None:
    """Every module of the running Python's standard library: no CPK000, nothing lost."""
    excluded = {*DEFAULT_EXCLUDE, "site-packages", "dist-packages"}
    code, doc = scan(
        STDLIB,
        capsys,
        monkeypatch,
        "--no-project",
        "--extend-exclude",
        "site-packages,dist-packages",
    )
    assert code in (0, 2)  # 2: the standard library's own deliberately broken test data
    assert doc["findings"] == []  # it uses pickle, but never through Celery or kombu
    assert doc["files"]["scanned"] > 1000
    assert_corpus_is_clean(STDLIB, doc, excluded)


def _stdlib_modules():
    files = sorted(python_files(STDLIB, {"site-packages", "dist-packages", "__pycache__"}))
    return files if FUZZ else files[::9]


def test_the_standard_library_walked_without_the_gate() -> None:
    """The checker walks modules that the gate would skip, so every node type reaches it, and
    nothing it finds there is a file the gate would have held back."""
    walked = 0
    for path in _stdlib_modules():
        if python_rejects(path):
            continue
        with tokenize.open(path) as handle:
            source = handle.read()
        findings = check_tree(ast.parse(source), None, DEFAULTS)
        assert "CPK000" not in {f.code for f in findings}, path
        # Whatever the walk finds, the gate would have let through.
        assert not findings or may_hold_finding(source), path
        walked += 1
    assert walked > (1000 if FUZZ else 150)


@pytest.mark.skipif(not os.environ.get("CPK_CORPUS"), reason="set CPK_CORPUS=<dir> to run")
def test_a_corpus_of_your_own(capsys, monkeypatch) -> None:
    root = Path(os.environ["CPK_CORPUS"]).resolve()
    code, doc = scan(root, capsys, monkeypatch, "--no-project", "--no-gitignore")
    assert code in (0, 1, 2)
    assert_corpus_is_clean(root, doc, set(DEFAULT_EXCLUDE))


# --- fuzzing the command's per-file path ---------------------------------------------------------

CELERY_PRELUDE = "from celery import Celery\napp = Celery('x')\n"


@settings(
    max_examples=2000 if FUZZ else 150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(hypothesmith.from_grammar())
def test_generated_programs_through_the_command_worker(tmp_path_factory, program: str) -> None:
    """The command's own read-decode-gate-parse path on files holding generated programs."""
    path = tmp_path_factory.mktemp("fuzz") / "generated.py"
    for source in (program, CELERY_PRELUDE + program):
        path.write_bytes(source.encode("utf-8", "surrogatepass"))
        outcome = worker.check_file(worker.Task(str(path), "generated.py", PYTHON, DEFAULTS, 0))
        assert "CPK000" not in {f.code for f in outcome.findings}, source
        if outcome.error is not None:
            assert python_rejects(path), (outcome.error, source)


# --- adversarial files -------------------------------------------------------------------------


def test_nesting_deep_enough_to_exhaust_recursion_in_every_engine(
    tmp_path, capsys, monkeypatch
) -> None:
    write(
        tmp_path,
        {
            "sum.py": BAD + "x = " + "+".join(["1"] * 100_000) + "\n",
            "attrs.py": BAD + "x = a" + ".b" * 100_000 + "\n",
            "parens.py": BAD + "x = " + "(" * 1000 + ")" * 1000 + "\n",
            "lists.py": BAD + "x = " + "[" * 150 + "]" * 150 + "\n",
            "deep.json": '{"CELERY_TASK_SERIALIZER": "pickle", "x": '
            + "[" * 20_000
            + "]" * 20_000
            + "}\n",
            "deep.yaml": "CELERY_TASK_SERIALIZER: pickle\nx: " + "[" * 20_000 + "]" * 20_000 + "\n",
            "pyproject.toml": '[celery]\ntask_serializer = "pickle"\na = '
            + "[" * 5_000
            + "]" * 5_000
            + "\n",
            "ok.py": BAD,
        },
    )
    code, doc = scan(tmp_path, capsys, monkeypatch, "--no-project")
    assert code == 2
    seen = where(doc, columns=True)
    # Too deep for Python's own parser: an error entry, like a syntax error.
    assert seen["sum.py"] == ["error: cannot parse: too deeply nested to parse (RecursionError)"]
    assert seen["attrs.py"] == seen["sum.py"]
    assert seen["parens.py"][0].startswith("error: cannot parse: too many nested parentheses")
    # Deep but parseable: checked, and the finding before it is reported.
    assert seen["lists.py"] == ["CPK001@1:19"]
    assert seen["ok.py"] == ["CPK001@1:19"]
    for name in ("deep.json", "deep.yaml", "pyproject.toml"):
        assert len(seen[name]) == 1 and seen[name][0].startswith("error: cannot parse"), seen
    assert doc["files"] == {"scanned": 2, "skipped": 0, "errors": 6}


def test_a_fifty_megabyte_file(tmp_path, capsys, monkeypatch) -> None:
    filler = "# a line of a large generated module, padded out to a round length\n"
    count = 50 * 1024 * 1024 // len(filler)
    big = tmp_path / "generated.py"
    with big.open("w", encoding="utf-8") as handle:
        handle.write(filler * count)
        handle.write(BAD)
    assert big.stat().st_size >= 50 * 1024 * 1024
    code, doc = scan(tmp_path, capsys, monkeypatch, "--no-project", "--max-file-size", "64M")
    assert (code, where(doc, columns=True)) == (1, {"generated.py": [f"CPK001@{count + 1}:19"]})
    # Under the default limit it is counted as skipped, with the reason.
    code, doc = scan(tmp_path, capsys, monkeypatch, "--no-project")
    assert (code, where(doc)) == (
        0,
        {"generated.py": ["skipped: larger than 10 MiB (--max-file-size)"]},
    )


LINE_ENDINGS = {
    "lf.py": b"x = 1\ntask_serializer = 'pickle'\n",
    "crlf.py": b"x = 1\r\ntask_serializer = 'pickle'\r\n",
    "cr.py": b"x = 1\rtask_serializer = 'pickle'\r",
    "bom.py": b"\xef\xbb\xbfx = 1\ntask_serializer = 'pickle'\n",
    "latin1.py": "# -*- coding: latin-1 -*-\ntask_serializer = 'pickle'  # é\n".encode("latin-1"),
}


def test_line_endings_bom_and_declared_encodings_in_the_command(tmp_path, capsys, monkeypatch):
    write(tmp_path, LINE_ENDINGS)
    code, doc = scan(tmp_path, capsys, monkeypatch, "--no-project")
    assert code == 1
    assert where(doc, columns=True) == {name: ["CPK001@2:19"] for name in LINE_ENDINGS}


def test_line_endings_bom_and_declared_encodings_in_flake8(tmp_path) -> None:
    write(tmp_path, LINE_ENDINGS)
    run = run_flake8(tmp_path, "--select", "CPK", *sorted(LINE_ENDINGS))
    assert [line.split(": ")[0] for line in run.lines] == [
        f"{name}:2:19" for name in sorted(LINE_ENDINGS)
    ]


NON_ASCII = "ñame = 'é€'; task_serializer = 'pickle'\n"
#: Where the literal starts: 31 code points, 35 UTF-8 bytes into the line.
CODE_POINTS, UTF8_BYTES = 31, 35


def test_columns_after_non_ascii_text_in_every_format(tmp_path) -> None:
    """flake8's convention in the plugin and text; code points in JSON and SARIF; rdjson bytes."""
    write(tmp_path, {"uni.py": NON_ASCII})
    flake8 = run_flake8(tmp_path, "--select", "CPK", "uni.py")
    assert [line.split(": ")[0] for line in flake8.lines] == [f"uni.py:1:{UTF8_BYTES + 1}"]

    def report(fmt: str) -> str:
        result = run_process(["--no-project", "-q", "--format", fmt, "uni.py"], tmp_path)
        assert result.code == 1, result.err
        return result.out

    assert report("text").startswith(f"uni.py:1:{UTF8_BYTES + 1}: CPK001 ")
    finding = json.loads(report("json"))["findings"][0]
    assert (finding["column"], finding["end_column"]) == (CODE_POINTS + 1, CODE_POINTS + 9)
    run = json.loads(report("sarif"))["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (CODE_POINTS + 1, CODE_POINTS + 9)
    diagnostic = json.loads(report("rdjson"))["diagnostics"][0]
    assert diagnostic["location"]["range"]["start"] == {"line": 1, "column": UTF8_BYTES + 1}
    assert f"col={CODE_POINTS + 1}," in report("github")


# --- hostile trees -----------------------------------------------------------------------------


def hostile_tree(root: Path, marker: Path) -> None:
    """A Celery project whose every module, build hook and YAML tag would leave ``marker``."""
    touch = f"open({str(marker)!r}, 'a').close()\n"
    yaml_tag = f"!!python/object/apply:builtins.open [{str(marker)!r}, a]"
    write(
        root,
        {
            "proj/__init__.py": touch,
            "proj/celery.py": touch
            + "from celery import Celery\n"
            + "app = Celery('proj')\n"
            + "app.config_from_object('django.conf:settings', namespace='CELERY')\n",
            "proj/settings.py": touch + "CELERY_TASK_SERIALIZER = 'pickle'\n",
            "manage.py": touch
            + "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
            "celeryconfig.py": touch + "accept_content = ['pickle']\n",
            "setup.py": touch
            + "from setuptools import setup\nsetup(install_requires=['celery==3.1.26'])\n",
            "conftest.py": touch,
            "sitecustomize.py": touch,
            # Modules named like the command's dependencies, first on sys.path under python -m.
            "packaging.py": touch,
            "pathspec.py": touch,
            "yaml.py": touch,
            "tomli.py": touch,
            "ast_grep_py.py": touch,
            "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
            'backend-path = ["."]\n',
            "backend.py": touch,
            "deploy/values.yaml": f"celery:\n  taskSerializer: pickle\n  hook: {yaml_tag}\n",
            "deploy/tagged.yaml": f"CELERY_ACCEPT_CONTENT: {yaml_tag}\n",
            "proj/tasks.py": touch
            + "from proj.celery import app\n\n@app.task(serializer='pickle')\ndef add(x, y):\n"
            + "    return x + y\n",
        },
    )


def test_scanned_code_is_never_imported_or_executed(tmp_path) -> None:
    tree, marker = tmp_path / "tree", tmp_path / "MARKER"
    hostile_tree(tree, marker)
    result = run_process(["--format", "json"], tree)
    assert result.code == 1, result.err
    found = {(f["path"], f["code"]) for f in json.loads(result.out)["findings"]}
    # The tree was really read, Python and configuration, file by file and as a project.
    assert {
        ("proj/settings.py", "CPK001"),
        ("celeryconfig.py", "CPK002"),
        ("proj/tasks.py", "CPK005"),
        ("deploy/values.yaml", "CPK001"),
        ("proj/celery.py", "CPK004"),
        ("setup.py", "CPK011"),
    } <= found
    for fmt in ("text", "sarif", "github", "gitlab", "rdjson"):
        assert run_process(["--format", fmt], tree).code == 1
    # python -m puts the working directory first on sys.path: still nothing is imported.
    assert run_process(["--format", "json", "--jobs", "2"], tree, module=True).out == result.out
    flake8 = run_flake8(tree, "--select", "CPK", ".")
    assert "CPK001" in flake8.codes
    assert not marker.exists()
    # The marker mechanism itself works: running one module of the tree leaves it.
    exec(compile((tree / "packaging.py").read_text(), "packaging.py", "exec"), {})
    assert marker.exists()


NO_NETWORK = """\
import socket, sys

RECORD = {record!r}

def refuse(*args, **kwargs):
    with open(RECORD, "a") as handle:
        handle.write(repr(args) + "\\n")
    raise OSError("network access attempted")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.socket.sendto = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
"""


def test_the_command_opens_no_network_connection(tmp_path) -> None:
    guard, record = tmp_path / "guard", tmp_path / "network.log"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NO_NETWORK.format(record=str(record)))
    tree = tmp_path / "tree"
    hostile_tree(tree, tmp_path / "MARKER")
    env = {"PYTHONPATH": str(guard)}
    for args in (["--format", "sarif"], ["--format", "json", "--jobs", "2"]):
        result = run_process(args, tree, env=env)
        assert result.code == 1, result.err
    assert not record.exists()
    # The guard is real: a process that does reach for the network is caught.
    subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
        env=dict(os.environ, **env),
        capture_output=True,
        check=False,
    )
    assert record.exists()


@posix_only
@pytest.mark.parametrize(
    "name",
    ["new\nline.py", "tab\tand\rcr.py", "esc\x1b[31mred.py", 'quote"back\\slash.py', "nul\x7f.py"],
)
def test_any_file_name_keeps_json_and_sarif_valid(tmp_path, name: str) -> None:
    write(tmp_path, {name: BAD})
    documents = {}
    for fmt in ("json", "sarif", "gitlab", "rdjson"):
        result = run_process(["--no-project", "-q", "--format", fmt], tmp_path)
        assert result.code == 1
        documents[fmt] = json.loads(result.out)
    assert documents["json"]["findings"][0]["path"] == name
    assert len(documents["sarif"]["runs"][0]["results"]) == 1
    assert len(documents["gitlab"]) == len(documents["rdjson"]["diagnostics"]) == 1
    text = run_process(["--no-project", "-q"], tmp_path).out
    github = run_process(["--no-project", "-q", "--format", "github"], tmp_path).out
    assert len(text.splitlines()) == 1 and len(github.splitlines()) == 1


@posix_only
def test_a_file_name_that_is_not_utf8(tmp_path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.py"
    with open(raw, "w", encoding="utf-8") as handle:
        handle.write(BAD)
    for fmt in ("text", "json", "sarif", "github", "gitlab", "rdjson"):
        result = run_process(["--no-project", "-q", "--format", fmt], tmp_path)
        assert result.code == 1, (fmt, result.err)
        if fmt not in ("text", "github"):
            json.loads(result.out)
        assert "caf" in result.out, result.out
    text = run_process(["--no-project", "-q"], tmp_path).out
    assert text.startswith("caf\\xe9.py:1:19: CPK001 ")
