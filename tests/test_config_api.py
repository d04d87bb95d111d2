"""The public API of flake8_celery_pickle.config: routing, gate, errors, positions, settings."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flake8_celery_pickle.config import (
    ConfigParseError,
    EngineUnavailable,
    language_for,
    may_hold_finding,
    scan_text,
)
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.settings import Settings


@pytest.mark.parametrize(
    "path,language",
    [
        ("docker-compose.yml", "yaml"),
        ("k8s/deploy.YAML", "yaml"),
        ("task-def.json", "json"),
        ("bin/start.sh", "bash"),
        ("run.bash", "bash"),
        (".env", "bash"),
        ("deploy/.env.production", "bash"),
        ("prod.env", "bash"),
        ("Procfile", "bash"),
        ("Dockerfile", "dockerfile"),
        ("docker/Dockerfile.worker", "dockerfile"),
        ("worker.dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("main.tf", "hcl"),
        ("vars.tfvars", "hcl"),
        ("x.hcl", "hcl"),
        ("pyproject.toml", "toml"),
        ("celery.toml", "toml"),
        ("setup.cfg", "ini"),
        ("development.ini", "ini"),
        ("tox.ini", "ini"),
        ("C:\\proj\\tox.ini", "ini"),
        ("app.py", None),
        ("other.cfg", None),
        ("README.md", None),
        ("yml", None),
        (".json", None),
        ("", None),
    ],
)
def test_language_for(path, language):
    assert language_for(path) == language


def test_importing_the_package_does_not_import_ast_grep_py():
    code = (
        "import sys, flake8_celery_pickle.config as c; "
        "c.language_for('a.yml'); c.may_hold_finding('pickle'); c.pack_config_path(); "
        "print('ast_grep_py' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_missing_ast_grep_py_raises_engine_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "ast_grep_py", None)
    with pytest.raises(EngineUnavailable) as info:
        scan_text("docker-compose.yml", "CELERY_TASK_SERIALIZER: pickle\n")
    message = str(info.value)
    assert "\n" not in message
    assert "pip install 'flake8-celery-pickle[astgrep]'" in message
    # TOML and INI need no extra.
    assert scan_text("x.ini", "[celery]\ntask_serializer = pickle\n")[0].code == "CPK001"


def test_not_a_config_file_is_a_value_error():
    with pytest.raises(ValueError):
        scan_text("app.py", "task_serializer = 'pickle'")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("task_serializer: json", False),
        ("accept: [application/x-python-serialize]", True),
        ("x: pickle", True),
        ('[project.entry-points."kombu.serializers"]', True),
    ],
)
def test_gate(text, expected):
    assert may_hold_finding(text, Settings()) is expected


def test_gate_knows_unsafe_serializers():
    settings = Settings(unsafe_serializers=frozenset({"secure_json"}))
    assert may_hold_finding("CELERY_TASK_SERIALIZER=secure_json", settings)
    assert not may_hold_finding("CELERY_TASK_SERIALIZER=secure_json", Settings())


@pytest.mark.parametrize(
    "path,text",
    [
        ("bad.toml", "a = = pickle\n"),
        ("bad.ini", "no section header pickle\n"),
        ("setup.cfg", "[a]\n= pickle\n"),
        ("bin.yml", "pickle\x00\x01\x02"),
        ("deep.json", "[" * 5000 + '"pickle"' + "]" * 5000),
        ("deep.toml", "a = " + "[" * 5000 + '"pickle"' + "]" * 5000),
        ("deep.yml", "a: " + "{b: " * 5000 + "pickle" + "}" * 5000),
    ],
)
def test_unparsable_files_raise_config_parse_error(path, text):
    with pytest.raises(ConfigParseError):
        scan_text(path, text)


def test_yaml_aliases_are_not_expanded():
    """A billion-laughs document is read as written: 9 aliases per line, never 9**9 nodes."""
    lines = ["a: &a [pickle, pickle, pickle, pickle, pickle, pickle, pickle, pickle, pickle]"]
    for level in range(1, 9):
        prev, name = chr(96 + level), chr(97 + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines.append("accept_content: [json, *i]")
    assert scan_text("bomb.yml", "\n".join(lines) + "\n") == []


def test_columns_are_utf8_bytes_and_lines_one_based():
    text = 'x: "é😀"\nCELERY_TASK_SERIALIZER: {name: "é😀", task_serializer: pickle}\n'
    prefix = 'CELERY_TASK_SERIALIZER: {name: "é😀", task_serializer: '
    assert scan_text("u.yml", text) == [
        Finding(
            line=2,
            col=len(prefix.encode("utf-8")),
            code="CPK001",
            message="task_serializer is 'pickle': pickled task and remote-control messages "
            "can run code on workers; use 'json'",
            end_line=2,
            end_col=len(prefix.encode("utf-8")) + 6,
            engine="ast-grep",
            path="u.yml",
        )
    ]
    assert len(prefix.encode("utf-8")) == 58


@pytest.mark.parametrize(
    "path,text,message",
    [
        (
            "a.yml",
            "env:\n  - name: CELERY_RESULT_SERIALIZER\n    value: pickle\n",
            "CELERY_RESULT_SERIALIZER is 'pickle': pickled results can run code in every client "
            "that reads them; use 'json'",
        ),
        (
            "a.yml",
            "celery:\n  eventSerializer: fernet_pickle\n",
            "eventSerializer is 'fernet_pickle': pickled events are accepted by workers and every "
            "event monitor; use 'json'",
        ),
        (
            "a.json",
            '{"acceptContent": ["json", "application/x-python-serialize"]}',
            "acceptContent accepts 'application/x-python-serialize': any message of that type can "
            "run code in this process; accept only 'json'",
        ),
        (
            "run.sh",
            "celery -A proj beat -- accept_content='(list)[\"pickle\"]'\n",
            "the celery beat command line enables 'pickle' in accept_content: pickled messages can "
            "run code on workers and clients; use 'json'",
        ),
        (
            "run.sh",
            "celery call add --serializer=pickle\n",
            "celery call --serializer uses serializer 'pickle': the message is pickled and can run "
            "code where it is consumed; use serializer='json'",
        ),
        (
            "main.tf",
            'env = { CELERY_CALL_SERIALIZER = "pickle" }\n',
            "CELERY_CALL_SERIALIZER (celery call) uses serializer 'pickle': the message is pickled "
            "and can run code where it is consumed; use serializer='json'",
        ),
    ],
)
def test_messages_name_the_setting_and_value(path, text, message):
    (finding,) = scan_text(path, text)
    assert finding.message == message


def test_extra_namespaces_extend_the_rules():
    text = "MYAPP_TASK_SERIALIZER: pickle\nCELERY_TASK_SERIALIZER: pickle\n"
    assert [f.line for f in scan_text("a.yml", text)] == [2]
    settings = Settings(namespaces=("CELERY", "MYAPP"))
    assert [f.line for f in scan_text("a.yml", text, settings)] == [1, 2]
    assert [f.line for f in scan_text(".env", text.replace(": ", "="), settings)] == [1, 2]


def test_unsafe_serializers_count_as_pickle():
    settings = Settings(unsafe_serializers=frozenset({"secure_json"}))
    text = "accept_content: [json, secure_json]\ntask_serializer: secure_json\n"
    assert scan_text("a.yml", text) == []
    found = scan_text("a.yml", text, settings)
    assert [(f.line, f.code) for f in found] == [(1, "CPK002"), (2, "CPK001")]
    assert "'secure_json'" in found[0].message


def test_bom_is_not_counted_in_columns():
    for path, text, col in (
        ("a.yml", "\ufefftask_serializer: pickle\n", 17),
        ("a.toml", '\ufefftask_serializer = "pickle"\n', 18),
        ("a.ini", "\ufeff[celery]\ntask_serializer = pickle\n", 18),
    ):
        assert [f.col for f in scan_text(path, text)] == [col], path


def test_undecodable_bytes_do_not_break_the_engine():
    """Text read with surrogateescape keeps lone surrogates; they reach no Rust code."""
    text = "a: \udcff\udcfe\ntask_serializer: pickle  # \udcff\n"
    assert [(f.line, f.col, f.code) for f in scan_text("a.yml", text)] == [(2, 17, "CPK001")]
