"""Deployment-file shapes of the config engines: exact code, line and column, CLI agreement.

Each case is (file name, text, findings) with findings as (1-based line, 0-based UTF-8 byte
column, code), the units of :class:`flake8_celery_pickle.finding.Finding`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_celery_pickle.config import language_for, pack_config_path, scan_text

_BESIDE = Path(sys.executable).with_name("ast-grep")
AST_GREP = str(_BESIDE) if _BESIDE.exists() else shutil.which("ast-grep")
needs_cli = pytest.mark.skipif(AST_GREP is None, reason="the ast-grep CLI is not installed")

CASES = [
    pytest.param(
        "docker-compose.yml",
        "services:\n  worker:\n    command:\n      - celery\n      - -A\n      - proj\n"
        "      - worker\n      - --\n      - task_serializer=pickle\n",
        [(9, 8, "CPK003")],
        id="compose-block-exec-form-worker",
    ),
    pytest.param(
        "docker-compose.yml",
        "services:\n  call:\n    entrypoint:\n      - celery\n      - call\n      - tasks.add\n"
        "      - --serializer\n      - pickle\n",
        [(8, 8, "CPK005")],
        id="compose-block-exec-form-call",
    ),
    pytest.param(
        "docker-compose.yml",
        "x:\n  entrypoint:\n    - python\n    - -m\n    - celery\n    - call\n"
        "    - add\n    - --serializer=pickle\n",
        [(8, 6, "CPK005")],
        id="compose-block-exec-form-python-m-celery",
    ),
    pytest.param(
        "docker-compose.yml",
        "x:\n  command:\n    - echo\n    - celery\n    - worker\n    - --\n"
        "    - task_serializer=pickle\n",
        [],
        id="block-list-not-starting-with-celery",
    ),
    pytest.param(
        "docker-compose.yml",
        'x:\n  command: ["echo", "celery", "worker", "--", "task_serializer=pickle"]\n',
        [],
        id="flow-list-not-starting-with-celery",
    ),
    pytest.param(
        "template.yaml",
        "Environment:\n  - Name: CELERY_TASK_SERIALIZER\n    Value: pickle\n"
        "  - Name: CELERY_ACCEPT_CONTENT\n    Value: json,pickle\n",
        [(3, 11, "CPK001"), (5, 11, "CPK002")],
        id="cloudformation-yaml-Name-Value",
    ),
    pytest.param(
        "template.json",
        '{"Environment": [{"Name": "CELERY_CALL_SERIALIZER", "Value": "pickle"}]}\n',
        [(1, 61, "CPK005")],
        id="cloudformation-json-Name-Value",
    ),
    pytest.param(
        ".gitlab-ci.yml",
        "variables:\n  CELERY_TASK_SERIALIZER:\n    value: pickle\n    description: serializer\n",
        [(3, 11, "CPK001")],
        id="gitlab-ci-variable-value",
    ),
    pytest.param(
        "values.yaml",
        "a: !!str pickle\nb:\n  CELERY_RESULT_SERIALIZER: &s pickle\n"
        "  CELERY_TASK_SERIALIZER: !!str pickle\n",
        [(3, 28, "CPK001"), (4, 26, "CPK001")],
        id="yaml-anchor-and-tag",
    ),
    pytest.param(
        "docker-compose.yml",
        "environment:\n  CELERY_TASK_SERIALIZER: ${CELERY_TASK_SERIALIZER:-pickle}\n"
        "  CELERY_RESULT_SERIALIZER: ${CELERY_RESULT_SERIALIZER:-json}\n"
        "list:\n  - CELERY_ACCEPT_CONTENT=${A:-json,pickle}\n",
        [(2, 26, "CPK001"), (5, 4, "CPK002")],
        id="compose-interpolation-defaults",
    ),
    pytest.param(
        "playbook.yml",
        "- name: worker\n"
        "  ansible.builtin.shell: celery -A proj worker -- task_serializer=pickle\n",
        [(2, 25, "CPK003")],
        id="ansible-fqcn-shell-key",
    ),
    pytest.param(
        "devcontainer.json",
        '{"postStartCommand": "celery -A proj call add --serializer pickle"}\n',
        [(1, 21, "CPK005")],
        id="camel-case-command-key",
    ),
    pytest.param(
        "k.yaml",
        "description: CELERY_TASK_SERIALIZER=pickle\nnote: CELERY_CALL_SERIALIZER=pickle\n",
        [],
        id="yaml-NAME=pickle-outside-a-list",
    ),
    pytest.param(
        "t.json",
        '{"description": "CELERY_TASK_SERIALIZER=pickle", '
        '"Env": ["CELERY_TASK_SERIALIZER=pickle"]}\n',
        [(1, 57, "CPK001")],
        id="json-NAME=pickle-only-in-a-list",
    ),
    pytest.param(
        "t.tf",
        'description = "CELERY_TASK_SERIALIZER=pickle"\nenv = ["CELERY_TASK_SERIALIZER=pickle"]\n',
        [(2, 7, "CPK001")],
        id="hcl-NAME=pickle-only-in-a-tuple",
    ),
    pytest.param(
        "main.tf",
        'resource "x" "y" {\n'
        '  command = ["celery", "-A", "proj", "worker", "--", "task_serializer=pickle"]\n'
        '  args    = ["celery", "call", "add", "--serializer", "pickle"]\n'
        '  other   = ["celery", "call", "add", "--serializer", "json"]\n'
        "}\n",
        [(2, 53, "CPK003"), (3, 54, "CPK005")],
        id="hcl-exec-form-tuples",
    ),
    pytest.param(
        "main.tf",
        'locals {\n  command = "celery -A proj worker -- accept_content=json,pickle"\n'
        '  note = "celery -A proj worker -- task_serializer=pickle"\n}\n',
        [(2, 12, "CPK003")],
        id="hcl-command-string",
    ),
    pytest.param(
        "entry.sh",
        "export CELERY_TASK_SERIALIZER=${CELERY_TASK_SERIALIZER:-pickle}\n"
        ': "${CELERY_ACCEPT_CONTENT:=json,pickle}"\n'
        "CELERY_CALL_SERIALIZER=${CELERY_CALL_SERIALIZER-pickle}\n"
        "CELERY_RESULT_SERIALIZER=${CELERY_RESULT_SERIALIZER:-json}\n"
        'echo "${CELERY_EVENT_SERIALIZER:+pickle}"\n',
        [(1, 56, "CPK001"), (2, 28, "CPK002"), (3, 48, "CPK005")],
        id="shell-parameter-defaults",
    ),
    pytest.param(
        "check.sh",
        'if grep -q "CELERY_TASK_SERIALIZER=pickle" .env; then exit 1; fi\n'
        "rg CELERY_CALL_SERIALIZER=pickle\n/usr/bin/grep CELERY_ACCEPT_CONTENT=pickle x\n",
        [],
        id="shell-search-commands-are-reads",
    ),
    pytest.param(
        "Dockerfile",
        "FROM python\nENV CELERY_TASK_SERIALIZER=${CELERY_TASK_SERIALIZER:-pickle}\n",
        [(2, 53, "CPK001")],
        id="dockerfile-env-default",
    ),
    pytest.param(
        "supervisord.ini",
        "[program:worker]\n"
        'environment=PATH="/bin",CELERY_TASK_SERIALIZER=pickle,'
        'CELERY_ACCEPT_CONTENT="json,pickle"\n',
        [(2, 47, "CPK001"), (2, 76, "CPK002")],
        id="supervisord-environment-one-line",
    ),
    pytest.param(
        "supervisord.ini",
        '[program:worker]\nenvironment=A="x,CELERY_TASK_SERIALIZER=pickle"\n',
        [],
        id="supervisord-comma-inside-quotes",
    ),
    pytest.param(
        "tox.ini",
        "[testenv]\nsetenv =\n    CELERY_ACCEPT_CONTENT=json,pickle\n",
        [(3, 26, "CPK002")],
        id="tox-setenv-list-value-not-split",
    ),
]


@pytest.mark.parametrize("name,text,expected", CASES)
def test_shape(name, text, expected):
    assert [(f.line, f.col, f.code) for f in scan_text(name, text)] == expected


def test_cloudformation_and_gitlab_messages_name_the_variable():
    text = "Environment:\n  - Name: CELERY_TASK_SERIALIZER\n    Value: pickle\n"
    assert scan_text("t.yaml", text)[0].message.startswith("CELERY_TASK_SERIALIZER is 'pickle'")
    text = "variables:\n  CELERY_ACCEPT_CONTENT:\n    value: json pickle\n"
    assert scan_text("t.yml", text)[0].message.startswith("CELERY_ACCEPT_CONTENT accepts 'pickle'")
    text = ': "${CELERY_RESULT_SERIALIZER:=pickle}"\n'
    assert scan_text("t.sh", text)[0].message.startswith("CELERY_RESULT_SERIALIZER is 'pickle'")


@needs_cli
def test_cli_agrees_with_in_process_on_the_shapes(tmp_path):
    """The ast-grep CLI and the in-process runner report the same (line, column, code)."""
    expected = set()
    for index, param in enumerate(CASES):
        name, text, _ = param.values
        if language_for(name) not in ("yaml", "json", "bash", "hcl"):
            continue  # Dockerfile, INI: read in-process only
        folder = tmp_path / f"case{index}"
        folder.mkdir()
        (folder / name).write_text(text, encoding="utf-8")
        for f in scan_text(name, text):
            expected.add((f"case{index}", f.line, f.col, f.code))
    result = subprocess.run(
        [AST_GREP, "scan", "-c", str(pack_config_path()), "--json=stream", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    seen = set()
    for line in result.stdout.splitlines():
        match = json.loads(line)
        start = match["range"]["start"]
        case = Path(match["file"]).parent.name
        code = match["ruleId"].split("-")[0].upper()
        seen.add((case, start["line"] + 1, start["column"], code))
    assert seen == expected


@pytest.mark.parametrize("name", ["start.zsh", "start.ksh"])
def test_shells_the_cli_reads_as_bash_are_read_in_process(name):
    assert language_for(name) == "bash"
    assert [
        (f.line, f.col, f.code) for f in scan_text(name, "CELERY_TASK_SERIALIZER=pickle\n")
    ] == [(1, 23, "CPK001")]
