"""The plugin as users meet it: the real ``flake8`` command, its exact output lines.

Every run happens in a temporary directory with its own ``setup.cfg`` (see
:mod:`flake8_helpers`). Lines are compared whole: path, line, 1-based column, code and message.
"""

from __future__ import annotations

import ast
import textwrap
from importlib.metadata import version
from pathlib import Path
from typing import Dict, List

import pytest
from flake8_helpers import run_flake8, write_files

from flake8_celery_pickle.plugin import Plugin
from flake8_celery_pickle.python import check_tree
from flake8_celery_pickle.settings import DEFAULTS


def code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --------------------------------------------------------------------------------------------
# One failing and one passing file per code
# --------------------------------------------------------------------------------------------

#: code -> (failing source, the exact line flake8 prints for it, passing source)
PER_CODE = {
    "CPK001": (
        'task_serializer = "pickle"\n',
        "bad.py:1:19: CPK001 task_serializer is 'pickle': pickled task and remote-control "
        "messages can run code on workers; use 'json'",
        'task_serializer = "json"\nSESSION_SERIALIZER = "pickle"\n',
    ),
    "CPK002": (
        'accept_content = ["json", "pickle"]\n',
        "bad.py:1:27: CPK002 accept_content accepts 'pickle': any message of that type can "
        "run code in this process; accept only 'json'",
        'accept_content = ["json"]\nassert "pickle" not in accept_content\n',
    ),
    "CPK003": (
        code(
            """
            from celery import Celery

            app = Celery("proj")
            app.config_from_object("proj.celeryconfig")
            app.conf.update(task_serializer="pickle")
            """
        ),
        "bad.py:5:33: CPK003 app.conf.update() enables 'pickle' in task_serializer: pickled "
        "messages can run code on workers and clients; use 'json'",
        code(
            """
            from celery import Celery

            app = Celery("proj")
            app.config_from_object("proj.celeryconfig")
            app.conf.update(task_serializer="json")
            """
        ),
    ),
    "CPK004": (
        'from celery import Celery\n\napp = Celery("proj", broker="redis://")\n',
        "bad.py:3:7: CPK004 Celery app without explicit task_serializer and accept_content: "
        "Celery before 4.0.1 sends or accepts pickle by default; set task_serializer='json' "
        "and accept_content=['json']",
        code(
            """
            from celery import Celery

            app = Celery(
                "proj",
                broker="redis://",
                task_serializer="json",
                accept_content=["json"],
            )
            """
        ),
    ),
    "CPK005": (
        code(
            """
            from kombu import Producer


            def send(channel):
                return Producer(channel, serializer="pickle")
            """
        ),
        "bad.py:5:41: CPK005 Producer() uses serializer 'pickle': the message is pickled and "
        "can run code where it is consumed; use serializer='json'",
        code(
            """
            from celery import shared_task
            from kombu import Producer


            @shared_task
            def add(x, serializer):
                return x


            def send(channel):
                add.delay(1, serializer="pickle")
                return Producer(channel, serializer="json")
            """
        ),
    ),
    "CPK006": (
        code(
            """
            from kombu import Consumer


            def listen(channel, queues):
                return Consumer(channel, queues, accept=["json", "pickle"])
            """
        ),
        "bad.py:5:54: CPK006 Consumer() accepts 'pickle': a message from anyone who can reach "
        "the broker can run code here; use accept=['json']",
        code(
            """
            from kombu import Consumer


            def listen(channel, queues):
                return Consumer(channel, queues, accept=["json"])
            """
        ),
    ),
    "CPK007": (
        "from kombu import enable_insecure_serializers\n\nenable_insecure_serializers()\n",
        "bad.py:3:1: CPK007 enable_insecure_serializers() turns pickle decoding back on for "
        "consumers without an accept list; remove it and pass accept=['json'] to consumers",
        "from kombu import disable_insecure_serializers\n\ndisable_insecure_serializers()\n",
    ),
    "CPK008": (
        code(
            """
            import pickle

            from kombu.serialization import register

            register("fast", pickle.dumps, pickle.loads, "application/x-fast", "binary")
            """
        ),
        "bad.py:5:1: CPK008 serializer 'fast' is registered with a decoder that can run code "
        "(pickle.loads); register a data-only decoder such as json",
        code(
            """
            import json

            from kombu.serialization import register

            register("fast", json.dumps, json.loads, "application/x-fast", "utf-8")
            """
        ),
    ),
    "CPK009": (
        code(
            """
            from celery import Celery

            app = Celery("proj", task_serializer="auth", accept_content=["auth"])
            app.setup_security(serializer="pickle")
            """
        ),
        "bad.py:4:31: CPK009 message signing carries 'pickle' inside the auth envelope: anyone "
        "holding a signing key can run code; keep the inner serializer 'json'",
        code(
            """
            from celery import Celery

            app = Celery("proj", task_serializer="auth", accept_content=["auth"])
            app.setup_security()
            """
        ),
    ),
    "CPK010": (
        'result_backend = "django-cache"\n',
        "bad.py:1:18: CPK010 result backend 'django-cache' stores results pickled whatever "
        "result_serializer says; write access to it means code execution in result readers",
        'result_backend = "redis://localhost:6379/1"\nCELERY_RESULT_BACKEND = "django-db"\n',
    ),
}


def test_version_lists_the_plugin(tmp_path: Path) -> None:
    run = run_flake8(tmp_path, "--version")
    assert run.returncode == 0, run.stderr
    assert f"flake8-celery-pickle: {version('flake8-celery-pickle')}" in " ".join(run.lines)


@pytest.mark.parametrize("cpk", sorted(PER_CODE))
def test_each_code_prints_exactly_its_line(tmp_path: Path, cpk: str) -> None:
    bad, line, good = PER_CODE[cpk]
    write_files(tmp_path, {"bad.py": bad, "good.py": good})
    select = ("--extend-select", "CPK010") if cpk == "CPK010" else ()
    run = run_flake8(tmp_path, *select, "bad.py", "good.py")
    assert (run.lines, run.returncode) == ([line], 1), run.stderr


def test_every_passing_file_passes_with_every_code_selected(tmp_path: Path) -> None:
    write_files(tmp_path, {f"good_{c.lower()}.py": good for c, (_, _, good) in PER_CODE.items()})
    run = run_flake8(tmp_path, "--extend-select", "CPK010", ".")
    assert (run.lines, run.returncode) == ([], 0), run.stderr


def test_cpk010_is_off_by_default(tmp_path: Path) -> None:
    bad, _, _ = PER_CODE["CPK010"]
    write_files(tmp_path, {"bad.py": bad})
    run = run_flake8(tmp_path, "bad.py")
    assert (run.lines, run.returncode) == ([], 0), run.stderr


def test_cpk010_from_extend_select_in_setup_cfg(tmp_path: Path) -> None:
    bad, line, _ = PER_CODE["CPK010"]
    write_files(tmp_path, {"bad.py": bad})
    run = run_flake8(tmp_path, "bad.py", config="extend-select = CPK010\n")
    assert (run.lines, run.returncode) == ([line], 1), run.stderr


def test_explicit_select_of_the_prefix_beats_the_default_ignore(tmp_path: Path) -> None:
    """flake8: an explicit ``--select CPK`` wins over an extended default ignore."""
    bad, line, _ = PER_CODE["CPK010"]
    write_files(tmp_path, {"bad.py": bad})
    run = run_flake8(tmp_path, "--select", "CPK", "bad.py")
    assert (run.lines, run.returncode) == ([line], 1), run.stderr


# --------------------------------------------------------------------------------------------
# Suppression comments, selection and ignoring
# --------------------------------------------------------------------------------------------

ACCEPT_LINE = 'accept_content = ["json", "pickle"]'
ACCEPT_RESULT = (
    "conf.py:{line}:27: CPK002 accept_content accepts 'pickle': any message of that type can run "
    "code in this process; accept only 'json'"
)


@pytest.mark.parametrize(
    ("comment", "silenced"),
    [
        ("# noqa: CPK002", True),
        ("# noqa:CPK002", True),
        ("# noqa: CPK0", True),
        ("# noqa:CPK0", True),
        ("# noqa", True),
        ("# noqa: E501,CPK002", True),
        ("# noqa: E501", False),
        ("# noqa: CPK001", False),
        ("# type: ignore", False),
    ],
)
def test_noqa_on_the_reported_line(tmp_path: Path, comment: str, silenced: bool) -> None:
    write_files(tmp_path, {"conf.py": f"{ACCEPT_LINE}  {comment}\n{ACCEPT_LINE}\n"})
    run = run_flake8(tmp_path, "conf.py")
    expected = [ACCEPT_RESULT.format(line=2)]
    if not silenced:
        expected.insert(0, ACCEPT_RESULT.format(line=1))
    assert run.lines == expected, run.stderr


def test_noqa_cpk001_silences_cpk001(tmp_path: Path) -> None:
    bad, _, _ = PER_CODE["CPK001"]
    write_files(tmp_path, {"conf.py": bad.rstrip("\n") + "  # noqa: CPK001\n"})
    run = run_flake8(tmp_path, "conf.py")
    assert (run.lines, run.returncode) == ([], 0), run.stderr


def test_noqa_binds_to_the_line_of_the_value_in_a_multi_line_call(tmp_path: Path) -> None:
    source = code(
        """
        from celery import Celery

        app = Celery("proj")
        app.config_from_object("proj.celeryconfig")
        app.conf.update(
            task_serializer="pickle",  # noqa: CPK003
            result_serializer="pickle",
        )  # noqa: CPK003
        """
    )
    write_files(tmp_path, {"conf.py": source})
    run = run_flake8(tmp_path, "conf.py")
    assert run.lines == [
        "conf.py:7:23: CPK003 app.conf.update() enables 'pickle' in result_serializer: pickled "
        "messages can run code on workers and clients; use 'json'"
    ], run.stderr


MIXED = 'import os\ntask_serializer = "pickle"\naccept_content = ["json", "pickle"]\n'
MIXED_F401 = "mixed.py:1:1: F401 'os' imported but unused"
MIXED_CPK001 = (
    "mixed.py:2:19: CPK001 task_serializer is 'pickle': pickled task and remote-control messages "
    "can run code on workers; use 'json'"
)
MIXED_CPK002 = (
    "mixed.py:3:27: CPK002 accept_content accepts 'pickle': any message of that type can run "
    "code in this process; accept only 'json'"
)


@pytest.mark.parametrize(
    ("args", "config", "expected"),
    [
        ((), "", [MIXED_F401, MIXED_CPK001, MIXED_CPK002]),
        (("--extend-ignore", "CPK001"), "", [MIXED_F401, MIXED_CPK002]),
        ((), "extend-ignore = CPK001\n", [MIXED_F401, MIXED_CPK002]),
        (("--extend-ignore", "CPK"), "", [MIXED_F401]),
        (("--select", "CPK"), "", [MIXED_CPK001, MIXED_CPK002]),
        (("--select", "CPK002"), "", [MIXED_CPK002]),
        (("--select", "F"), "", [MIXED_F401]),
        (("--select", "F", "--extend-select", "CPK001"), "", [MIXED_F401, MIXED_CPK001]),
        # A project that writes its own ``select`` without CPK drops every CPK code:
        # users must write ``extend-select = CPK`` (documented in the README).
        ((), "select = E,F\n", [MIXED_F401]),
        ((), "select = E,F\nextend-select = CPK\n", [MIXED_F401, MIXED_CPK001, MIXED_CPK002]),
    ],
    ids=[
        "default",
        "extend-ignore-cli",
        "extend-ignore-cfg",
        "extend-ignore-prefix",
        "select-prefix",
        "select-code",
        "select-other",
        "extend-select-cli",
        "select-in-cfg-drops-cpk",
        "select-in-cfg-with-extend-select",
    ],
)
def test_selection(tmp_path: Path, args: tuple, config: str, expected: List[str]) -> None:
    write_files(tmp_path, {"mixed.py": MIXED})
    run = run_flake8(tmp_path, *args, "mixed.py", config=config)
    assert run.lines == expected, run.stderr
    assert run.returncode == (1 if expected else 0)


# --------------------------------------------------------------------------------------------
# Options, from setup.cfg and from the command line
# --------------------------------------------------------------------------------------------

OPTION_FILES = {
    "settings.py": code(
        """
        MYAPP_TASK_SERIALIZER = "pickle"
        OTHER_ACCEPT_CONTENT = ["json", "pickle"]
        CELERY_TASK_SERIALIZER = "json"
        """
    ),
    # No gate word at all: only the user's serializer name can let this file through.
    "conf.py": 'task_serializer = "myser"\naccept_content = ["json", "application/x-myser"]\n',
}
MYAPP_LINE = (
    "settings.py:1:25: CPK001 MYAPP_TASK_SERIALIZER is 'pickle': pickled task and remote-control "
    "messages can run code on workers; use 'json'"
)
OTHER_LINE = (
    "settings.py:2:33: CPK002 OTHER_ACCEPT_CONTENT accepts 'pickle': any message of that type "
    "can run code in this process; accept only 'json'"
)
MYSER_LINE = (
    "conf.py:1:19: CPK001 task_serializer is 'myser': pickled task and remote-control messages "
    "can run code on workers; use 'json'"
)
MYSER_TYPE_LINE = (
    "conf.py:2:27: CPK002 accept_content accepts 'application/x-myser': any message of that "
    "type can run code in this process; accept only 'json'"
)


@pytest.mark.parametrize(
    ("config", "args", "expected"),
    [
        ("", (), []),
        ("celery-pickle-namespaces = MYAPP\n", (), [MYAPP_LINE]),
        ("celery_pickle_namespaces = MYAPP, OTHER\n", (), [MYAPP_LINE, OTHER_LINE]),
        ("", ("--celery-pickle-namespaces", "OTHER"), [OTHER_LINE]),
        ("celery-pickle-namespaces = MYAPP\n", ("--celery-pickle-namespaces=OTHER",), [OTHER_LINE]),
        ("celery-pickle-unsafe-serializers = myser\n", (), [MYSER_LINE]),
        (
            "celery-pickle-unsafe-serializers =\n    myser,\n    application/x-myser\n",
            (),
            [MYSER_LINE, MYSER_TYPE_LINE],
        ),
        (
            "",
            ("--celery-pickle-unsafe-serializers", "myser,application/x-myser"),
            [MYSER_LINE, MYSER_TYPE_LINE],
        ),
        (
            "celery-pickle-unsafe-serializers = myser\n",
            ("--celery-pickle-unsafe-serializers=",),
            [],
        ),
    ],
    ids=[
        "defaults",
        "namespace-cfg",
        "namespaces-cfg-underscores",
        "namespace-cli",
        "cli-beats-cfg",
        "unsafe-cfg",
        "unsafe-cfg-multiline",
        "unsafe-cli",
        "unsafe-cli-empty-beats-cfg",
    ],
)
def test_options(tmp_path: Path, config: str, args: tuple, expected: List[str]) -> None:
    write_files(tmp_path, OPTION_FILES)
    run = run_flake8(tmp_path, *args, "conf.py", "settings.py", config=config)
    assert run.lines == sorted(expected), run.stderr


def test_options_appear_in_help(tmp_path: Path) -> None:
    run = run_flake8(tmp_path, "--help")
    text = "\n".join(run.lines)
    assert "--celery-pickle-namespaces" in text
    assert "--celery-pickle-unsafe-serializers" in text


# --------------------------------------------------------------------------------------------
# Standard input
# --------------------------------------------------------------------------------------------


def test_stdin_without_display_name(tmp_path: Path) -> None:
    bad, line, _ = PER_CODE["CPK001"]
    run = run_flake8(tmp_path, "-", stdin=bad)
    assert (run.lines, run.returncode) == ([line.replace("bad.py", "stdin", 1)], 1), run.stderr


def test_stdin_with_display_name(tmp_path: Path) -> None:
    bad, line, _ = PER_CODE["CPK002"]
    run = run_flake8(tmp_path, "--stdin-display-name", "proj/celeryconfig.py", "-", stdin=bad)
    assert run.lines == [line.replace("bad.py", "proj/celeryconfig.py", 1)], run.stderr


def test_stdin_reads_options_and_per_file_ignores(tmp_path: Path) -> None:
    source = OPTION_FILES["conf.py"]
    config = "celery-pickle-unsafe-serializers = myser\nper-file-ignores = proj/*.py:CPK002\n"
    run = run_flake8(
        tmp_path, "--stdin-display-name", "proj/conf.py", "-", stdin=source, config=config
    )
    assert run.lines == [MYSER_LINE.replace("conf.py", "proj/conf.py", 1)], run.stderr


def test_stdin_that_passes(tmp_path: Path) -> None:
    _, _, good = PER_CODE["CPK004"]
    run = run_flake8(tmp_path, "-", stdin=good)
    assert (run.lines, run.returncode) == ([], 0), run.stderr


# --------------------------------------------------------------------------------------------
# --jobs: the workers see the same options and give the same results
# --------------------------------------------------------------------------------------------

JOBS_CONFIG = "celery-pickle-namespaces = MYAPP\ncelery-pickle-unsafe-serializers = myser\n"


def _jobs_files() -> Dict[str, str]:
    files = {f"pkg/bad_{c.lower()}.py": bad for c, (bad, _, _) in PER_CODE.items()}
    files.update({f"pkg/good_{c.lower()}.py": good for c, (_, _, good) in PER_CODE.items()})
    files.update({f"pkg/{name}": text for name, text in OPTION_FILES.items()})
    return files


def _jobs_expected() -> List[str]:
    lines = [
        line.replace("bad.py", f"pkg/bad_{c.lower()}.py", 1)
        for c, (_, line, _) in PER_CODE.items()
        if c != "CPK010"
    ]
    lines += [f"pkg/{line}" for line in (MYAPP_LINE, MYSER_LINE)]
    return sorted(lines)


def test_jobs_two_equals_jobs_one(tmp_path: Path) -> None:
    write_files(tmp_path, _jobs_files())
    serial = run_flake8(tmp_path, "--jobs", "1", "pkg", config=JOBS_CONFIG)
    parallel = run_flake8(tmp_path, "--jobs", "2", "pkg", config=JOBS_CONFIG)
    assert serial.lines == _jobs_expected(), serial.stderr
    assert (parallel.lines, parallel.returncode) == (serial.lines, serial.returncode)


#: flake8 as macOS, Windows and Python 3.14+ run it: workers are started fresh (``spawn``) and
#: parse the options again; nothing is inherited from the parent. The wrapped ``Pool`` proves
#: the pool was used at all.
SPAWN = """
import multiprocessing, sys
multiprocessing.set_start_method("spawn")
real_pool = multiprocessing.Pool
def pool(*args, **kwargs):
    sys.stderr.write("POOL STARTED\\n")
    return real_pool(*args, **kwargs)
multiprocessing.Pool = pool
from flake8.main.cli import main
sys.exit(main())
"""


def test_jobs_under_spawn_reparse_the_options(tmp_path: Path) -> None:
    write_files(tmp_path, _jobs_files())
    run = run_flake8(tmp_path, "--jobs", "2", "pkg", config=JOBS_CONFIG, python=("-c", SPAWN))
    assert "POOL STARTED" in run.stderr
    assert (run.lines, run.returncode) == (_jobs_expected(), 1), run.stderr


# --------------------------------------------------------------------------------------------
# CPK000: a checker failure is one result at 1:1, and the run goes on
# --------------------------------------------------------------------------------------------


def _alias_chain(depth: int) -> str:
    """A producer bound to ``p0`` and re-bound ``depth`` times, then used to publish pickle:
    following the aliases back to ``Producer(...)`` one lookup inside the next would exhaust
    the interpreter's recursion limit long before 3000 links."""
    lines = ["from kombu import Producer", "", "channel = body = None", "p0 = Producer(channel)"]
    lines += [f"p{i} = p{i - 1}" for i in range(1, depth + 1)]
    lines.append(f'p{depth}.publish(body, serializer="pickle")')
    return "\n".join(lines) + "\n"


def cpk000_line(path: str, error: str) -> str:
    return (
        f"{path}:1:1: CPK000 internal error: the checker failed on this file ({error}); the file "
        "was not checked, please report this"
    )


def _publish_line(path: str, depth: int) -> str:
    column = len(f"p{depth}.publish(body, serializer=") + 1  # the opening quote, 1-based
    return (
        f"{path}:{depth + 5}:{column}: CPK005 p{depth}.publish() uses serializer 'pickle': the "
        "message is pickled and can run code where it is consumed; use serializer='json'"
    )


@pytest.mark.parametrize("depth", [3, 3000])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_alias_chain_of_any_length_is_followed(tmp_path: Path, jobs: str, depth: int) -> None:
    bad, line, _ = PER_CODE["CPK001"]
    write_files(tmp_path, {"chain.py": _alias_chain(depth), "bad.py": bad})
    run = run_flake8(tmp_path, "--jobs", jobs, "bad.py", "chain.py")
    assert run.lines == [line, _publish_line("chain.py", depth)], run.stderr
    assert run.returncode == 1


#: flake8 with a checker that always fails (a stand-in for any bug in the checker).
BROKEN = """
import sys
import flake8_celery_pickle.python.judge as judge_module
def judge(tree, settings):
    raise KeyError("boom")
judge_module.judge = judge
from flake8.main.cli import main
sys.exit(main())
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_any_checker_exception_is_one_cpk000_per_file(tmp_path: Path, jobs: str) -> None:
    bad, _, good = PER_CODE["CPK001"]
    write_files(tmp_path, {"bad.py": bad, "good.py": good, "plain.py": "x = 1\n"})
    run = run_flake8(
        tmp_path, "--jobs", jobs, "bad.py", "good.py", "plain.py", python=("-c", BROKEN)
    )
    # plain.py cannot hold a finding: the text gate spares it the walk, so nothing can fail.
    assert run.lines == [cpk000_line("bad.py", "KeyError"), cpk000_line("good.py", "KeyError")]
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr


def test_the_guard_in_process_through_check_tree_and_the_plugin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import flake8_celery_pickle.python.judge as judge_module

    def judge(tree: ast.AST, settings: object) -> list:
        raise ZeroDivisionError

    monkeypatch.setattr(judge_module, "judge", judge)
    source = 'task_serializer = "pickle"\n'
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    message = cpk000_line("x", "ZeroDivisionError").split(": ", 1)[1]

    findings = check_tree(tree, lines, DEFAULTS)
    assert [(f.line, f.col, f.text) for f in findings] == [(1, 0, message)]
    assert list(Plugin(tree, lines).run()) == [(1, 0, message, Plugin)]
