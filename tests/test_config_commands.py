"""Celery command lines split over Kubernetes/compose ``command:`` + ``args:`` and written in
supervisord ``[program:x]`` ``command=`` lines (CPK003, CPK005)."""

from __future__ import annotations

import pytest

from flake8_celery_pickle.config import scan_text


def found(path: str, text: str) -> list:
    return [(f.code, f.line, f.col) for f in scan_text(path, text)]


K8S_FLOW = """\
spec:
  containers:
    - name: worker
      command: ["celery"]
      args: ["-A", "proj", "worker", "--", "task_serializer=pickle"]
"""

K8S_BLOCK = """\
spec:
  containers:
    - name: beat
      command:
        - celery
      args:
        - -A
        - proj
        - beat
        - --
        - accept_content=json,pickle
"""

COMPOSE_SCALAR = """\
services:
  worker:
    command: celery
    args: [-A, proj, worker, --, result_serializer=pickle]
"""


def test_split_command_flow_args():
    assert found("k8s/worker.yaml", K8S_FLOW) == [("CPK003", 5, 43)]


def test_split_command_block_args_names_beat():
    findings = scan_text("k8s/beat.yaml", K8S_BLOCK)
    assert [(f.code, f.line, f.col) for f in findings] == [("CPK003", 11, 10)]
    assert findings[0].message.startswith(
        "the celery beat command line enables 'pickle' in accept_content"
    )


def test_split_command_scalar_command():
    assert found("docker-compose.yml", COMPOSE_SCALAR) == [("CPK003", 4, 33)]


@pytest.mark.parametrize(
    "command",
    ['["sh", "-c"]', '["python"]', '["echo", "celery"]', '["celery", "-A", "proj"]'],
)
def test_split_command_silent_when_command_is_not_celery_alone(command):
    assert found("k8s/worker.yaml", K8S_FLOW.replace('["celery"]', command)) == []


@pytest.mark.parametrize(
    "args",
    [
        '["-A", "proj", "worker", "--", "task_serializer=json"]',
        '["-A", "proj", "worker", "task_serializer=pickle"]',
        '["-A", "proj", "call", "t", "--", "task_serializer=pickle"]',
        '["--", "task_serializer=pickle"]',
    ],
)
def test_split_command_silent_args(args):
    text = K8S_FLOW.replace('["-A", "proj", "worker", "--", "task_serializer=pickle"]', args)
    assert found("k8s/worker.yaml", text) == []


def test_args_without_command_is_silent():
    text = K8S_FLOW.replace('      command: ["celery"]\n', "")
    assert found("k8s/worker.yaml", text) == []


SUPERVISORD = """\
[program:celery]
command=celery -A proj worker -- task_serializer=pickle
[program:beat]
command=/venv/bin/celery -A proj beat -l info -- "accept_content=['json','pickle']"
[program:call]
command=celery -A proj call t --serializer pickle
[program:call2]
command=python -m celery -A proj call t --serializer=pickle
"""


@pytest.mark.parametrize(
    "path", ["celeryd.conf", "deploy/supervisord.ini", "etc/supervisord.conf", "supervisor.conf"]
)
def test_supervisord_command(path):
    assert found(path, SUPERVISORD) == [
        ("CPK003", 2, 33),
        ("CPK003", 4, 49),
        ("CPK005", 6, 43),
        ("CPK005", 8, 40),
    ]


def test_supervisord_messages():
    messages = [f.message for f in scan_text("celeryd.conf", SUPERVISORD)]
    assert messages[0].startswith(
        "the celery worker command line enables 'pickle' in task_serializer"
    )
    assert messages[1].startswith("the celery beat command line enables 'pickle' in accept_content")
    assert messages[2].startswith("celery call --serializer uses serializer 'pickle'")


def test_supervisord_column_counts_bytes():
    text = "[program:x]\ncommand=celery -A projé worker -- task_serializer=pickle\n"
    assert found("celeryd.conf", text) == [("CPK003", 2, 35)]


@pytest.mark.parametrize(
    "text",
    [
        "[program:ok]\ncommand=celery -A proj worker -- task_serializer=json\n",
        "[program:ok]\ncommand=echo celery -A proj worker -- task_serializer=pickle\n",
        "[program:ok]\ncommand=celery -A proj worker task_serializer=pickle\n",
        "[program:ok]\ncommand=celery -A proj call t --serializer json\n",
        "[other]\ncommand=celery -A proj worker -- task_serializer=pickle\n",
        "[program:ok]\ncommand=celery -A proj worker -- task_serializer=pickle ; # noqa: CPK003\n",
        "[program:ok]\ncommand=celery -A proj worker ; -- task_serializer=pickle\n",
    ],
)
def test_supervisord_silent(text):
    assert found("celeryd.conf", text) == []
