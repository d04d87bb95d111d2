"""TOML and INI files: settings, kombu.serializers entry points, positions."""

from __future__ import annotations

import pytest

from flake8_celery_pickle.config import scan_text


def found(path: str, text: str) -> list:
    return [(f.line, f.col, f.code, f.engine) for f in scan_text(path, text)]


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            '[project.entry-points."kombu.serializers"]\nfast = "p.s:args"\n',
            [(2, 0, "CPK008", "toml")],
        ),
        (
            '[tool.poetry.plugins."kombu.serializers"]\n  fast = "p.s:args"\n',
            [(2, 2, "CPK008", "toml")],
        ),
        ('[project.entry-points."console_scripts"]\npickle = "p:main"\n', []),
        ('[tool.celery]\ntask_serializer = "pickle"\n', [(2, 18, "CPK001", "toml")]),
        ("[tool.celery]\ntask_serializer = 'json'\n", []),
        (
            '[tool.celery]\naccept_content = [\n  "json",\n  "pickle",\n]\n',
            [(4, 2, "CPK002", "toml")],
        ),
        ('[celery]\nCELERY_ACCEPT_CONTENT = "json,pickle"\n', [(2, 24, "CPK002", "toml")]),
        (
            'celery = { resultSerializer = "application/x-python-serialize" }\n',
            [(1, 30, "CPK001", "toml")],
        ),
        ('[tool.other]\nformat = "pickle"\nSESSION_SERIALIZER = "pickle"\n', []),
        ('description = "task_serializer = pickle"\n', []),
    ],
)
def test_toml(text, expected):
    assert found("pyproject.toml", text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("[celery]\ntask_serializer = pickle\n", [(2, 18, "CPK001", "ini")]),
        ("[celery]\nCELERY_RESULT_SERIALIZER: pickle\n", [(2, 26, "CPK001", "ini")]),
        ("[celery]\naccept_content = json pickle\n", [(2, 22, "CPK002", "ini")]),
        (
            "[celery]\naccept_content = [json, application/x-python-serialize]\n",
            [(2, 24, "CPK002", "ini")],
        ),
        ("[celery]\naccept_content =\n    json\n    pickle\n", [(4, 4, "CPK002", "ini")]),
        ("[celery]\ntask_serializer = json\naccept_content = json msgpack\n", []),
        ("[celery]\nsession_serializer = pickle\nformat = pickle\n", []),
        (
            "[options.entry_points]\nkombu.serializers =\n    fast = p.s:args\n",
            [(3, 4, "CPK008", "ini")],
        ),
        ("[options.entry_points]\nconsole_scripts =\n    pickle = p:main\n", []),
        (
            "[testenv]\nsetenv =\n    CELERY_TASK_SERIALIZER=pickle\n"
            "    CELERY_CALL_SERIALIZER = pickle\n",
            [(3, 27, "CPK001", "ini"), (4, 29, "CPK005", "ini")],
        ),
        (
            "[testenv]\nsetenv =\n    CELERY_ACCEPT_CONTENT=json,pickle\n    OTHER=pickle\n",
            [(3, 26, "CPK002", "ini")],
        ),
        ("[celery]\n# task_serializer = pickle\n", []),
    ],
)
def test_ini(text, expected):
    assert found("development.ini", text) == expected
