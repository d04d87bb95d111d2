"""Selection, suppression comments and git diff parsing, as pure functions."""

from __future__ import annotations

import pytest

from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.scan import noqa
from flake8_celery_pickle.scan.diffbase import parse_diff, unquote
from flake8_celery_pickle.scan.read import (
    Skipped,
    Unreadable,
    config_lines,
    decode_config,
    decode_python,
    human_size,
    python_lines,
)
from flake8_celery_pickle.scan.select import Selection, invalid_prefixes

ALL = ["CPK000", "CPK001", "CPK002", "CPK004", "CPK010", "CPK011"]


def selected(**kwargs) -> list:
    selection = Selection(**kwargs)
    return [code for code in ALL if selection.is_selected(code)]


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        pytest.param(
            {}, ["CPK000", "CPK001", "CPK002", "CPK004", "CPK011"], id="defaults-hide-CPK010"
        ),
        pytest.param({"extend_select": ["CPK010"]}, ALL, id="extend-select-shows-CPK010"),
        pytest.param({"select": ["CPK"]}, ALL, id="explicit-select-beats-default-ignore"),
        pytest.param(
            {"select": ["CPK00"]}, ["CPK000", "CPK001", "CPK002", "CPK004"], id="select-prefix"
        ),
        pytest.param({"select": ["E", "F"]}, [], id="select-without-CPK-drops-all"),
        pytest.param(
            {"ignore": ["CPK001"]},
            ["CPK000", "CPK002", "CPK004", "CPK010", "CPK011"],
            id="explicit-ignore-replaces-default-ignore",
        ),
        pytest.param(
            {"extend_ignore": ["CPK001"]},
            ["CPK000", "CPK002", "CPK004", "CPK011"],
            id="extend-ignore-keeps-default-ignore",
        ),
        pytest.param(
            {"select": ["CPK0"], "ignore": ["CPK00"]},
            ["CPK010", "CPK011"],
            id="both-explicit-longer-prefix-wins",
        ),
        pytest.param(
            {"select": ["CPK001"], "ignore": ["CPK0"]},
            ["CPK001"],
            id="both-explicit-longer-select-wins",
        ),
        pytest.param({"ignore": ["CPK"]}, [], id="ignore-all"),
        pytest.param(
            {"ignore": ["CPK"], "extend_select": ["CPK004"]},
            ["CPK004"],
            id="both-explicit-longer-extend-select-wins",
        ),
        pytest.param({"extend_ignore": ["CPK0"]}, [], id="implicit-select-explicit-ignore"),
    ],
)
def test_selection_follows_flake8(kwargs, expected) -> None:
    assert selected(**kwargs) == expected


def test_invalid_prefixes() -> None:
    assert invalid_prefixes(["CPK", "CPK001", "E", "W5"]) == ()
    assert invalid_prefixes(["CPK1001", "cpk", "CPKX", ""]) == ("CPK1001", "cpk", "CPKX", "")


@pytest.mark.parametrize(
    "line, code, silenced",
    [
        ("x = 'pickle'  # noqa", "CPK001", True),
        ("x = 'pickle'  # NOQA", "CPK001", True),
        ("x = 'pickle'  # noqa: CPK001", "CPK001", True),
        ("x = 'pickle'  # noqa:CPK001,CPK002", "CPK002", True),
        ("x = 'pickle'  # noqa: E501 CPK002", "CPK002", True),
        ("x = 'pickle'  # noqa: CPK0", "CPK001", True),
        ("x = 'pickle'  # noqa: CPK002", "CPK001", False),
        ("x = 'pickle'  # noqa:E501", "CPK001", False),
        ("x = 'pickle'  # noqa: CPK", "CPK001", True),  # no digits: flake8 reads a bare noqa
        ("x = 'pickle'  # type: ignore  # noqa: CPK001", "CPK001", True),
        ("x = 'pickle'  # no qa", "CPK001", False),
        ("x = 'pickle'", "CPK001", False),
    ],
)
def test_noqa_line(line: str, code: str, silenced: bool) -> None:
    assert noqa.noqa_silences(line, code) is silenced


def f(line: int, code: str = "CPK001") -> Finding:
    return Finding(line, 0, code, "m")


def test_filter_python_binds_to_the_reported_line() -> None:
    source = (
        "app.conf.update(\n    task_serializer='pickle',\n"
        "    accept_content=['pickle'],  # noqa: CPK002\n)  # noqa\n"
    )
    lines = python_lines(source)
    kept = noqa.filter_python([f(2), f(3, "CPK002"), f(3, "CPK003")], source, lines)
    assert kept == [f(2), f(3, "CPK003")]


def test_filter_python_joins_multi_line_strings() -> None:
    source = 'x = """pickle\nmore\n"""  # noqa: CPK001\ny = 1\n'
    lines = python_lines(source)
    assert noqa.filter_python([f(1), f(2), f(4)], source, lines) == [f(4)]


def test_file_level_noqa() -> None:
    source = "import x\n# flake8: noqa\ntask_serializer = 'pickle'\n"
    assert noqa.filter_python([f(3)], source, python_lines(source)) == []
    inline = "task_serializer = 'pickle'  # flake8: noqa\n"
    # Not at the start of a line: flake8 does not skip the file (the inline form still applies).
    assert noqa.file_noqa(python_lines(inline)) is False


def test_disabled_noqa_words_do_not_silence() -> None:
    source = "task_serializer = 'pickle'  # noqa is explained below\n"
    assert noqa.filter_python([f(1)], source, python_lines(source)) == []
    plain = "task_serializer = 'pickle'\n"
    assert noqa.filter_python([f(1)], plain, python_lines(plain)) == [f(1)]


@pytest.mark.parametrize(
    "text, kept_lines",
    [
        pytest.param("A: pickle  # ast-grep-ignore\nB: pickle\n", [2], id="same-line"),
        pytest.param("# ast-grep-ignore\nA: pickle\nB: pickle\n", [3], id="line-above"),
        pytest.param("# ast-grep-ignore: cpk002-yaml\nA: pickle\n", [2], id="other-rule-id"),
        pytest.param("# ast-grep-ignore: cpk002-toml, cpk001-toml\nA: pickle\n", [], id="rule-ids"),
        pytest.param("# ast-grep-ignore: CPK001\nA: pickle\n", [], id="bare-code"),
        pytest.param("# ast-grep-ignore\n\nA: pickle\nB: pickle\n", [], id="whole-file"),
        pytest.param("x: 1  # ast-grep-ignore\nA: pickle\n", [2], id="trailing-covers-own-line"),
        pytest.param("A: pickle  # noqa\nB: pickle  # noqa: CPK002\n", [2], id="noqa"),
        pytest.param("celery==3.1  # noqa: CPK001\n", [], id="requirements-noqa"),
    ],
)
def test_filter_config(text: str, kept_lines) -> None:
    lines = config_lines(text)
    findings = [f(n) for n, line in enumerate(lines, 1) if "pickle" in line]
    assert [x.line for x in noqa.filter_config(findings, lines)] == kept_lines


def test_python_and_config_lines() -> None:
    assert python_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]
    assert config_lines("a\r\nb\rc\nd") == ["a", "b\rc", "d"]


def test_decode_python_follows_pep_263() -> None:
    assert (
        decode_python("# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1"))
        == "# -*- coding: latin-1 -*-\nx = 'é'\n"
    )
    assert decode_python(b"\xef\xbb\xbfx = 1\n") == "x = 1\n"
    bad = decode_python(b"x = '\xff'\n")
    assert isinstance(bad, Unreadable)
    assert bad.message == "cannot decode as utf-8: invalid byte 0xff at offset 5"
    unknown = decode_python(b"# coding: klingon\nx = 1\n")
    assert isinstance(unknown, Unreadable) and "klingon" in unknown.message


def test_decode_config() -> None:
    assert decode_config(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"
    assert decode_config(b"a: \x00\x01") == Skipped("binary file")
    bad = decode_config(b"a: \xe9\n")
    assert isinstance(bad, Unreadable) and bad.message.startswith("cannot decode as utf-8")


def test_human_size() -> None:
    assert (human_size(10 << 20), human_size(512 << 10), human_size(1000), human_size(1 << 30)) == (
        "10 MiB",
        "512 KiB",
        "1000 bytes",
        "1 GiB",
    )


def test_parse_diff() -> None:
    diff = (
        b"diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n"
        b"@@ -3 +3 @@\n-x\n+y\n@@ -10,0 +11,2 @@\n+a\n+b\n@@ -20,3 +22,0 @@\n-c\n"
        b"diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n"
        b"diff --git a/with space.py b/with space.py\n"
        b"--- a/with space.py\t\n+++ b/with space.py\t\n"
        b"@@ -1 +1,2 @@\n+s\n"
        b'diff --git "a/sp\\303\\251c\\tial.py" "b/sp\\303\\251c\\tial.py"\n'
        b'--- "a/sp\\303\\251c\\tial.py"\n+++ "b/sp\\303\\251c\\tial.py"\n@@ -0,0 +1 @@\n+n\n'
    )
    assert parse_diff(diff) == {
        b"app.py": {3, 11, 12},
        b"with space.py": {1, 2},
        "spéc\tial.py".encode(): {1},
    }


def test_unquote() -> None:
    assert unquote(b'"a\\"b\\\\c\\n"') == b'a"b\\c\n'
    assert unquote(b"plain") == b"plain"
