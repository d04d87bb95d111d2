"""Dockerfiles: why the Bash grammar alone is not enough, and the shell view that replaces it."""

from __future__ import annotations

import pytest
from ast_grep_py import SgRoot

from flake8_celery_pickle.config import scan_text
from flake8_celery_pickle.config.dockerfile import shell_view


def kinds(source: str, kind: str) -> list:
    return [n.text() for n in SgRoot(source, "bash").root().find_all(kind=kind)]


def test_bash_grammar_reads_env_as_a_command_not_an_assignment():
    raw = "ENV CELERY_TASK_SERIALIZER=pickle\n"
    assert kinds(raw, "variable_assignment") == []
    assert kinds(raw, "command_name") == ["ENV"]
    assert kinds(shell_view(raw), "variable_assignment") == ["CELERY_TASK_SERIALIZER=pickle"]


def test_bash_grammar_does_not_read_legacy_env_or_exec_form():
    assert kinds("ENV CELERY_TASK_SERIALIZER pickle\n", "variable_assignment") == []
    view = shell_view("ENV CELERY_TASK_SERIALIZER pickle\n")
    assert view == "    CELERY_TASK_SERIALIZER=pickle\n"
    exec_form = 'CMD ["celery", "worker", "--", "task_serializer=pickle"]\n'
    assert shell_view(exec_form) == '     "celery"  "worker"  "--"  "task_serializer=pickle" \n'
    assert kinds(shell_view(exec_form), "command_name") == ['"celery"']


def test_view_keeps_every_line_length():
    text = (
        '# syntax=docker/dockerfile:1\nFROM python:3.12\nLABEL a="é pickle"\n'
        "RUN --mount=type=cache,target=/root/.cache pip install x && \\\n"
        "    # a comment Docker drops\n    celery call t --serializer pickle\n"
        "ENV A=1 \\\n    B=2\nONBUILD RUN echo pickle\nCOPY . /app\n"
    )
    view = shell_view(text)
    assert [len(line) for line in view.split("\n")] == [len(line) for line in text.split("\n")]
    assert "LABEL" not in view and "FROM" not in view and "COPY" not in view
    assert "é pickle" not in view


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ENV CELERY_TASK_SERIALIZER=pickle\n", [(1, 27, "CPK001")]),
        ("ENV CELERY_ACCEPT_CONTENT json pickle\n", [(1, 26, "CPK002")]),
        ("ARG CELERY_RESULT_SERIALIZER=pickle\n", [(1, 29, "CPK001")]),
        ("ENV A=1 \\\n    CELERY_EVENT_SERIALIZER='pickle'\n", [(2, 28, "CPK001")]),
        (
            "RUN pip install x && \\\n    # note\n    celery call t --serializer pickle\n",
            [(3, 31, "CPK005")],
        ),
        (
            "RUN --mount=type=cache,target=/c celery -A p call t --serializer=pickle\n",
            [(1, 52, "CPK005")],
        ),
        (
            'CMD ["celery", "-A", "p", "worker", "--", "task_serializer=pickle"]\n',
            [(1, 42, "CPK003")],
        ),
        ('ENTRYPOINT ["celery", "call", "t", "--serializer", "pickle"]\n', [(1, 51, "CPK005")]),
        ("ONBUILD ENV CELERY_TASK_SERIALIZER=pickle\n", [(1, 35, "CPK001")]),
        ("RUN <<EOF\nexport CELERY_TASK_SERIALIZER=pickle\nEOF\n", [(2, 30, "CPK001")]),
        ('LABEL description="CELERY_TASK_SERIALIZER=pickle"\n', []),
        ("# ENV CELERY_TASK_SERIALIZER=pickle\n", []),
        ("ENV CELERY_TASK_SERIALIZER=json\n", []),
        ("# escape=`\nRUN CELERY_TASK_SERIALIZER=pickle celery worker\n", []),
        ("# ast-grep-ignore: cpk001-bash\nENV CELERY_TASK_SERIALIZER=pickle\n", []),
    ],
)
def test_dockerfile_findings(text, expected):
    found = scan_text("Dockerfile", text)
    assert [(f.line, f.col, f.code) for f in found] == expected
