"""Celery's service files (systemd units, init-script defaults), positions of list items and
block scalars, and ``honour_suppressions=False`` (``--disable-noqa``).

Findings are (1-based line, 0-based UTF-8 byte column, code), as in test_config_shapes.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_celery_pickle.config import language_for, pack_config_path, scan_text
from flake8_celery_pickle.config.systemd import shell_view
from flake8_celery_pickle.scan.route import CONFIG, PYTHON, route

_BESIDE = Path(sys.executable).with_name("ast-grep")
AST_GREP = str(_BESIDE) if _BESIDE.exists() else shutil.which("ast-grep")
needs_cli = pytest.mark.skipif(AST_GREP is None, reason="the ast-grep CLI is not installed")


def found(name: str, text: str, **kwargs) -> list:
    return [(f.line, f.col, f.code) for f in scan_text(name, text, **kwargs)]


def cli_found(tmp_path: Path, name: str, text: str) -> list:
    """(line, column, code) of ``ast-grep scan`` with the packaged pack on one file."""
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [AST_GREP, "scan", "-c", str(pack_config_path()), "--json=stream", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = []
    for line in result.stdout.splitlines():
        match = json.loads(line)
        start = match["range"]["start"]
        out.append((start["line"] + 1, start["column"], match["ruleId"].split("-")[0].upper()))
    return sorted(out)


# --- file kinds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path,language",
    [
        ("celery.service", "systemd"),
        ("deploy/systemd/celerybeat.service", "systemd"),
        ("celeryd", "bash"),
        ("celerybeat", "bash"),
        ("etc/default/celeryd", "bash"),
        ("celeryd.conf", "bash"),
        ("extra/celerybeat.conf", "bash"),
        ("celery.conf", None),
        ("celeryd.py", None),
        ("celeryd.sysconfig", None),
        ("service", None),
    ],
)
def test_language_for_service_files(path, language):
    assert language_for(path) == language


# --- systemd units -----------------------------------------------------------------------

UNIT = """\
[Unit]
Description=Celery Service CELERY_TASK_SERIALIZER=pickle
After=network.target

[Service]
Type=forking
EnvironmentFile=-/etc/conf.d/celery
Environment=CELERY_TASK_SERIALIZER=pickle
Environment="CELERY_ACCEPT_CONTENT=json,pickle" "OTHER=1"
Environment=A=1 CELERY_RESULT_SERIALIZER=pickle
Environment="CELERYD_OPTS=--time-limit=300 -- result_serializer=pickle"
ExecStart=/bin/sh -c '${CELERY_BIN} -A $CELERY_APP multi start $CELERYD_NODES \\
    --pidfile=${CELERYD_PID_FILE} --logfile=${CELERYD_LOG_FILE} \\
    --loglevel="${CELERYD_LOG_LEVEL}" $CELERYD_OPTS -- task_serializer=pickle'
ExecStartPost=-/usr/bin/celery -A proj worker -- accept_content=json,pickle
ExecReload=/usr/bin/celery -A proj call add --serializer pickle
ExecStop=/bin/sh -c '${CELERY_BIN} multi stopwait $CELERYD_NODES -- task_serializer=json'

[Install]
WantedBy=multi-user.target
"""


def test_systemd_unit_environment_and_exec_lines():
    assert found("celery.service", UNIT) == [
        (8, 12, "CPK001"),  # Environment=NAME=pickle: at the assignment, as `- NAME=...` items
        (9, 12, "CPK002"),  # quoted assignment: at its quote
        (10, 16, "CPK001"),  # the second assignment of the line
        (11, 12, "CPK003"),  # CELERYD_OPTS after `--`, appended to `celery multi start`
        (14, 55, "CPK003"),  # inside /bin/sh -c '...', on the line that holds it
        (15, 49, "CPK003"),
        (16, 57, "CPK005"),
    ]


def test_systemd_unit_messages_name_the_setting_and_the_command():
    messages = {f.line: f.message for f in scan_text("celery.service", UNIT)}
    assert messages[8].startswith("CELERY_TASK_SERIALIZER is 'pickle'")
    assert messages[9].startswith("CELERY_ACCEPT_CONTENT accepts 'pickle'")
    assert messages[11].startswith(
        "the celery worker command line enables 'pickle' in result_serializer"
    )
    assert messages[14].startswith(
        "the celery worker command line enables 'pickle' in task_serializer"
    )


def test_systemd_view_keeps_positions_and_reads_only_environment_and_exec():
    view = shell_view(UNIT)
    assert [len(line) for line in view.split("\n")] == [len(line) for line in UNIT.split("\n")]
    lines = view.split("\n")
    assert lines[0].strip() == ""  # [Unit]
    assert lines[1].strip() == ""  # Description= is not read, whatever it says
    assert lines[6].strip() == ""  # EnvironmentFile= is a path
    assert lines[7] == "env         CELERY_TASK_SERIALIZER=pickle"
    assert lines[11].startswith(" " * 22 + "${CELERY_BIN} -A $CELERY_APP multi start")
    assert lines[13].endswith("task_serializer=pickle ")  # the closing quote blanked
    assert lines[14].startswith(" " * 15 + "/usr/bin/celery")  # `ExecStartPost=-` blanked


def test_systemd_environment_file_and_other_keys_are_silent():
    text = (
        "[Service]\nEnvironmentFile=/etc/default/pickle\nUser=pickle\n"
        "Description=CELERY_TASK_SERIALIZER=pickle\nEnvironment=CELERY_TASK_SERIALIZER=json\n"
    )
    assert found("w.service", text) == []


def test_systemd_comments_suppress_on_the_line_above():
    text = (
        "[Service]\n"
        "# ast-grep-ignore: cpk001-bash\n"
        "Environment=CELERY_TASK_SERIALIZER=pickle\n"
        "; ast-grep-ignore\n"
        "ExecStart=/usr/bin/celery -A proj worker -- task_serializer=pickle\n"
        "Environment=CELERY_EVENT_SERIALIZER=pickle\n"
    )
    assert found("w.service", text) == [(6, 12, "CPK001")]
    assert found("w.service", text, honour_suppressions=False) == [
        (3, 12, "CPK001"),
        (5, 44, "CPK003"),
        (6, 12, "CPK001"),
    ]


def test_systemd_continued_environment_and_comment_inside_a_continuation():
    text = (
        "[Service]\n"
        "Environment=A=1 \\\n"
        "# a comment line inside the value\n"
        "  CELERY_TASK_SERIALIZER=pickle\n"
        "ExecStart=/usr/bin/celery -A proj worker \\\n"
        "    -- accept_content=json,pickle\n"
    )
    assert found("w.service", text) == [(4, 2, "CPK001"), (6, 7, "CPK003")]


@needs_cli
def test_cli_does_not_read_systemd_units(tmp_path):
    """A unit is not shell: the CLI pack leaves it to the in-process view (README table)."""
    assert cli_found(tmp_path, "celery.service", UNIT) == []


# --- Celery init-script default files ------------------------------------------------------

DEFAULTS_FILE = """\
# /etc/default/celeryd
CELERYD_NODES="worker1"
CELERY_BIN="/usr/local/bin/celery"
CELERYD_OPTS="--time-limit=300 --concurrency=8 -- task_serializer=pickle"
export CELERY_TASK_SERIALIZER=pickle
CELERYD_USER="celery"
"""

BEAT_FILE = 'CELERYBEAT_OPTS="--schedule=/var/run/celery/beat -- accept_content=json,pickle"\n'


@pytest.mark.parametrize("name", ["celeryd", "etc/default/celeryd", "celeryd.conf"])
def test_init_script_defaults(name):
    assert found(name, DEFAULTS_FILE) == [(4, 13, "CPK003"), (5, 30, "CPK001")]


def test_celerybeat_defaults_message_names_beat():
    findings = scan_text("celerybeat", BEAT_FILE)
    assert [(f.line, f.col, f.code) for f in findings] == [(1, 16, "CPK003")]
    assert findings[0].message.startswith(
        "the celery beat command line enables 'pickle' in accept_content"
    )


def test_init_script_opts_without_pickle_after_the_separator_are_silent():
    text = (
        'CELERYD_OPTS="--time-limit=300 --concurrency=8"\n'
        'CELERYD_OPTS="--task_serializer=pickle"\n'
        'OTHER_OPTS="-- task_serializer=pickle"\n'
        'CELERYBEAT_OPTS="-- task_serializer=json"\n'
    )
    assert found("celeryd", text) == []


@needs_cli
@pytest.mark.parametrize(
    "name,text",
    [
        ("etc/default/celeryd", DEFAULTS_FILE),
        ("celerybeat", BEAT_FILE),
        ("celeryd.conf", DEFAULTS_FILE),
    ],
)
def test_cli_reads_init_script_defaults_like_the_in_process_runner(tmp_path, name, text):
    assert cli_found(tmp_path, name, text) == found(name, text)


SUPERVISORD = """\
[program:celery]
command=celery -A proj worker --loglevel=INFO
environment=CELERY_TASK_SERIALIZER=pickle
"""


def test_supervisord_celeryd_conf_is_read_as_ini():
    findings = scan_text("extra/supervisord/celeryd.conf", SUPERVISORD)
    assert [(f.line, f.col, f.code, f.engine) for f in findings] == [(3, 35, "CPK001", "ini")]


def test_route_sends_service_files_to_the_config_engine(tmp_path):
    import flake8_celery_pickle.config as config

    (tmp_path / "celeryd").write_text(DEFAULTS_FILE, encoding="utf-8")
    (tmp_path / "celery.service").write_text(UNIT, encoding="utf-8")
    assert route(str(tmp_path / "celeryd"), config) == CONFIG
    assert route(str(tmp_path / "celery.service"), config) == CONFIG
    # Celery's old `celeryd` console script is Python: the shebang wins over the name.
    script = tmp_path / "bin" / "celeryd"
    script.parent.mkdir()
    script.write_text("#!/usr/bin/env python3\nimport celery\n", encoding="utf-8")
    assert route(str(script), config) == PYTHON
    assert route(str(script), config, probe_shebang=False) == CONFIG


# --- positions: list items and block scalars -----------------------------------------------

COMPOSE = """\
services:
  worker:
    environment:
      - CELERY_ACCEPT_CONTENT=["json","pickle"]
      - CELERY_TASK_SERIALIZER=pickle
      - "CELERY_RESULT_SERIALIZER=pickle"
    env_file: .env
"""


def test_compose_list_items_are_reported_where_the_item_starts():
    """A `- NAME=value` item is one YAML scalar, the smallest node ast-grep can report; JSON
    strings, HCL tuple items, shell words and systemd assignments are reported the same way."""
    assert found("docker-compose.yml", COMPOSE) == [
        (4, 8, "CPK002"),
        (5, 8, "CPK001"),
        (6, 8, "CPK001"),
    ]
    assert found("t.json", '{"Env": ["CELERY_TASK_SERIALIZER=pickle"]}\n') == [(1, 9, "CPK001")]
    assert found("t.tf", 'env = ["CELERY_TASK_SERIALIZER=pickle"]\n') == [(1, 7, "CPK001")]
    assert found("t.sh", "docker run -e CELERY_TASK_SERIALIZER=pickle img\n") == [(1, 14, "CPK001")]


@needs_cli
def test_cli_reports_compose_list_items_at_the_same_place(tmp_path):
    assert cli_found(tmp_path, "docker-compose.yml", COMPOSE) == found(
        "docker-compose.yml", COMPOSE
    )


BLOCK = """\
environment:
  CELERY_ACCEPT_CONTENT: |
    ["json","pickle"]
  CELERY_TASK_SERIALIZER: >-
    pickle
  CELERY_RESULT_ACCEPT_CONTENT: json,
    pickle
worker:
  command: >
    celery -A proj worker
    -- task_serializer=pickle
"""


def test_block_scalars_are_reported_at_the_indicator_on_the_key_line():
    """The only line of a block scalar that can hold a comment: below it, `# noqa` would be part
    of the value."""
    assert found("docker-compose.yml", BLOCK) == [
        (2, 25, "CPK002"),
        (4, 26, "CPK001"),
        (6, 32, "CPK002"),
        (9, 11, "CPK003"),
    ]


@needs_cli
def test_cli_reports_block_scalars_at_the_same_place(tmp_path):
    assert cli_found(tmp_path, "docker-compose.yml", BLOCK) == found("docker-compose.yml", BLOCK)


def test_block_scalar_suppressions():
    text = (
        "a:\n"
        "  CELERY_ACCEPT_CONTENT: |  # noqa: CPK002\n"
        '    ["json","pickle"]\n'
        "  # ast-grep-ignore: cpk001-yaml\n"
        "  CELERY_TASK_SERIALIZER: >-\n"
        "    pickle\n"
        "  CELERY_RESULT_ACCEPT_CONTENT: json,\n"
        "    pickle  # noqa: CPK002\n"
        "  CELERY_EVENT_SERIALIZER: |\n"
        "    pickle\n"
        "  other: 1  # noqa\n"
    )
    # Suppressed by: noqa on the indicator line, ast-grep-ignore above the key, noqa after
    # the last line of a multi-line plain scalar (as flake8 reads noqa after a multi-line
    # string). The noqa of the line after a block scalar does not reach back into it.
    assert found("values.yaml", text) == [(9, 27, "CPK001")]
    assert found("values.yaml", text, honour_suppressions=False) == [
        (2, 25, "CPK002"),
        (5, 26, "CPK001"),
        (7, 32, "CPK002"),
        (9, 27, "CPK001"),
    ]


# --- honour_suppressions=False -------------------------------------------------------------


@pytest.mark.parametrize(
    "name,text,expected",
    [
        pytest.param(
            "docker-compose.yml",
            "# ast-grep-ignore\n\nx:\n  CELERY_TASK_SERIALIZER: pickle\n"
            "  CELERY_ACCEPT_CONTENT: json,pickle  # noqa\n",
            [(4, 26, "CPK001"), (5, 25, "CPK002")],
            id="yaml-file-level-ignore-and-noqa",
        ),
        pytest.param(
            ".env",
            "CELERY_TASK_SERIALIZER=pickle  # noqa: CPK001\n"
            "# ast-grep-ignore: cpk002-bash\nCELERY_ACCEPT_CONTENT=json,pickle\n",
            [(1, 23, "CPK001"), (3, 22, "CPK002")],
            id="env",
        ),
        pytest.param(
            "Dockerfile",
            "FROM python\n# ast-grep-ignore\nENV CELERY_TASK_SERIALIZER=pickle\n",
            [(3, 27, "CPK001")],
            id="dockerfile",
        ),
        pytest.param(
            "ecs.json",
            '{"environment": [{"name": "CELERY_TASK_SERIALIZER", "value": "pickle"}]}\n',
            [(1, 61, "CPK001")],
            id="json-has-no-comments",
        ),
        pytest.param(
            "main.tf",
            'x = {\n  CELERY_TASK_SERIALIZER = "pickle" # noqa\n}\n',
            [(2, 27, "CPK001")],
            id="hcl",
        ),
        pytest.param(
            "pyproject.toml",
            '[tool.celery]\ntask_serializer = "pickle"  # noqa: CPK001\n'
            '# ast-grep-ignore: cpk002-toml\naccept_content = ["json", "pickle"]\n',
            [(2, 18, "CPK001"), (4, 26, "CPK002")],
            id="toml",
        ),
        pytest.param(
            "development.ini",
            "[celery]\n; ast-grep-ignore\ntask_serializer = pickle\n"
            "accept_content = json pickle  # noqa\n",
            [(3, 18, "CPK001"), (4, 22, "CPK002")],
            id="ini",
        ),
    ],
)
def test_disable_noqa_reports_suppressed_findings(name, text, expected):
    assert found(name, text) == [f for f in expected if name == "ecs.json"]
    assert found(name, text, honour_suppressions=False) == expected


def test_honour_suppressions_is_keyword_only():
    with pytest.raises(TypeError):
        scan_text("a.yml", "task_serializer: pickle\n", None, False)  # type: ignore[misc]
