"""The project view's CPK011: Celery pins below 4.0.1 in every declaration and lock format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from project_helpers import run

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.project.versions import (
    ACCEPTS,
    SENDS,
    hold_of_poetry,
    hold_of_specifier_text,
    hold_of_version,
)

NOWHERE = " (no Celery configuration found in the scanned tree)"
LEGACY_NAMES = "CELERY_TASK_SERIALIZER and CELERY_ACCEPT_CONTENT"
LEGACY_MISSING = LEGACY_NAMES + NOWHERE
MODERN_MISSING = "task_serializer and accept_content" + NOWHERE


LEGACY_EXPLICIT = "CELERY_TASK_SERIALIZER='json' and CELERY_ACCEPT_CONTENT=['json']"
EXPLICIT = "task_serializer='json' and accept_content=['json']"


def cpk011(version: str, behaviour: str = SENDS, missing: str = LEGACY_MISSING) -> str:
    """The message at a pin; a 3.x hold asks for the old names, which are all 3.x reads."""
    explicit = LEGACY_EXPLICIT if behaviour == SENDS else EXPLICIT
    return BY_CODE["CPK011"].format(
        version=version, behaviour=behaviour, missing=missing, explicit=explicit
    )


def pin(
    path: str,
    line: int,
    col: int,
    end: int,
    version: str,
    behaviour: str = SENDS,
    missing: str = LEGACY_MISSING,
) -> Finding:
    return Finding(
        line, col, "CPK011", cpk011(version, behaviour, missing), line, end, "project", path
    )


# -- the version arithmetic -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "behaviour"),
    [
        ("<4", SENDS),
        ("==3.1.26", SENDS),
        ("==3.1.26.post2", SENDS),
        ("~=3.1", SENDS),
        ("~=3.1.0", SENDS),
        ("==3.*", SENDS),
        ("<4.0.0", SENDS),
        (">=3.0,<4", SENDS),
        ("<=3.1.26", SENDS),
        ("==4.0.0", ACCEPTS),
        ("<4.0.1", ACCEPTS),
        ("<=4.0.0", ACCEPTS),
        ("3.1.26", SENDS),
        ("===3.1.26", SENDS),
        ("*", None),
        ("", None),
        (">=3", None),
        ("<5", None),
        ("<=4.0.1", None),
        ("==4.0.1", None),
        ("~=4.0.0", None),
        ("==4.0.*", None),
        ("!=3.1.26", None),
        # Exclusions that leave only old releases, with no upper bound below 4.0.1.
        (">=3.1,!=4.*,<5", SENDS),
        ("<5,!=4.*", SENDS),
        (">=3,!=4.0.1,!=4.0.2,<4.1", None),
        (">=3,!=4.0.1,<4.0.2", ACCEPTS),
        (">=3.1,!=4.*", None),
        (">=3.1,!=5.*,<6", None),
        ("not a specifier", None),
    ],
)
def test_hold_of_pep440_specifiers(spec: str, behaviour: str | None) -> None:
    hold = hold_of_specifier_text(spec)
    assert (hold.behaviour if hold else None) == behaviour


@pytest.mark.parametrize(
    ("constraint", "behaviour"),
    [
        ("^3.1", SENDS),
        ("^3.1.26", SENDS),
        ("~3.1", SENDS),
        ("~3", SENDS),
        ("3.1.26", SENDS),
        ("3.1.*", SENDS),
        (">=3,<4", SENDS),
        (">=3 <4", SENDS),
        ("4.0.0", ACCEPTS),
        ("^3.1 || 4.0.0", ACCEPTS),
        ("^3.1 || ^4.0", None),
        ("^4.0", None),
        ("~4.0", None),
        ("^0.9", SENDS),
        ("*", None),
        (">=3.1", None),
        ("latest", None),
    ],
)
def test_hold_of_poetry_constraints(constraint: str, behaviour: str | None) -> None:
    hold = hold_of_poetry(constraint)
    assert (hold.behaviour if hold else None) == behaviour


@pytest.mark.parametrize(
    ("version", "behaviour"),
    [
        ("3.1.26.post2", SENDS),
        ("2.5.5", SENDS),
        ("4.0.0rc7", SENDS),
        ("4.0.0", ACCEPTS),
        ("4.0.1", None),
        ("5.4.0", None),
        ("garbage", None),
    ],
)
def test_hold_of_locked_versions(version: str, behaviour: str | None) -> None:
    hold = hold_of_version(version)
    assert (hold.behaviour if hold else None) == behaviour


# -- requirements files -------------------------------------------------------------------------


def test_requirements_txt_pins(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "requirements.txt": (
                "# the stack\n"
                "Django==1.11.29\n"
                "  Celery[redis]==3.1.26  # old, see ticket\n"
                "kombu<4 --hash=sha256:abc\n"
            ),
        },
    )
    assert result.findings == [pin("requirements.txt", 3, 2, 23, "Celery==3.1.26")]
    assert result.notes == []


@pytest.mark.parametrize(
    ("line", "shown", "behaviour"),
    [
        ("celery<4", "celery<4", SENDS),
        ("celery~=3.1", "celery~=3.1", SENDS),
        ("celery == 4.0.0", "celery==4.0.0", ACCEPTS),
        ("celery>=3.1,<4.0.1", "celery<4.0.1,>=3.1", ACCEPTS),
        ("celery==3.1.26 ; python_version < '3'", "celery==3.1.26", SENDS),
    ],
)
def test_requirements_specifier_forms(
    tmp_path: Path, line: str, shown: str, behaviour: str
) -> None:
    result = run(tmp_path, {"requirements.txt": line + "\n"})
    missing = LEGACY_MISSING if behaviour == SENDS else MODERN_MISSING
    assert [(f.line, f.col, f.message) for f in result.findings] == [
        (1, 0, cpk011(shown, behaviour, missing))
    ]


@pytest.mark.parametrize(
    "line",
    [
        "celery",
        "celery>=4.0.1",
        "celery<5",
        "celery==5.3.6",
        "-e git+https://example.invalid/c.git#egg=celery",
        "celery @ https://example.invalid/celery-3.1.26.tar.gz",
        "celery-progress==0.1",
        "django-celery==3.3.1",
    ],
)
def test_requirements_that_do_not_hold_celery(tmp_path: Path, line: str) -> None:
    assert run(tmp_path, {"requirements.txt": line + "\n"}).findings == []


def test_requirements_includes_and_constraints(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "requirements.txt": "-r deps/base.pip\n--constraint=deps/pins.pip\ncelery\n",
            "deps/base.pip": "requests\ncelery<4 \\\n    --hash=sha256:abc\n",
            "deps/pins.pip": "celery==3.1.25\n-r ../requirements.txt\n",
        },
    )
    assert result.findings == [
        pin("deps/base.pip", 2, 0, 8, "celery<4"),
        pin("deps/pins.pip", 1, 0, 14, "celery==3.1.25"),
    ]


def test_requirements_directory_and_in_files(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "requirements/prod.txt": "celery==4.0.0\n",
            "requirements-dev.in": "celery~=3.1\n",
            "docs/notes.txt": "celery==3.1.26\n",
        },
    )
    assert result.findings == [
        pin("requirements-dev.in", 1, 0, 11, "celery~=3.1"),
        pin("requirements/prod.txt", 1, 0, 13, "celery==4.0.0", ACCEPTS, MODERN_MISSING),
    ]


# -- pyproject, setup.cfg, setup.py, Pipfile ------------------------------------------------------


def test_pyproject_project_dependencies(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "pyproject.toml": """\
                [project]
                name = "svc"
                dependencies = [
                    "requests",
                    "celery[redis]<4",
                ]

                [project.optional-dependencies]
                worker = ['celery==4.0.0']
            """,
        },
    )
    assert result.findings == [
        pin("pyproject.toml", 5, 4, 21, "celery<4"),
        pin("pyproject.toml", 9, 10, 25, "celery==4.0.0", ACCEPTS, MODERN_MISSING),
    ]


def test_pyproject_poetry_dependencies(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "pyproject.toml": """\
                [tool.poetry]
                name = "svc"

                [tool.poetry.dependencies]
                python = "^3.6"
                celery = "^3.1"

                [tool.poetry.group.worker.dependencies]
                Celery = { version = "4.0.0", extras = ["redis"] }
            """,
        },
    )
    assert result.findings == [
        pin("pyproject.toml", 6, 0, 6, "celery ^3.1"),
        pin("pyproject.toml", 9, 0, 6, "Celery 4.0.0", ACCEPTS, MODERN_MISSING),
    ]


def test_pyproject_poetry_inline_dependency_table(tmp_path: Path) -> None:
    files = {"pyproject.toml": '[tool.poetry]\nname = "svc"\ndependencies = { celery = "~3.1" }\n'}
    assert run(tmp_path, files).findings == [pin("pyproject.toml", 3, 17, 23, "celery ~3.1")]


def test_requirement_with_extras_and_marker(tmp_path: Path) -> None:
    files = {"requirements.txt": 'django\ncelery[redis]==3.1.25 ; python_version<"3"\n'}
    assert run(tmp_path, files).findings == [pin("requirements.txt", 2, 0, 42, "celery==3.1.25")]


def test_pyproject_poetry_dependency_that_does_not_hold(tmp_path: Path) -> None:
    files = {"pyproject.toml": '[tool.poetry.dependencies]\ncelery = "^5.3"\n'}
    assert run(tmp_path, files).findings == []


def test_invalid_toml_is_a_note(tmp_path: Path) -> None:
    result = run(tmp_path, {"pyproject.toml": "[project\ndependencies = ['celery<4']\n"})
    assert result.findings == []
    assert result.notes == [
        "pyproject.toml: not read for Celery pins, it is not valid TOML (TOMLDecodeError)"
    ]


def test_setup_cfg_install_requires(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "setup.cfg": """\
                [metadata]
                name = svc

                [options]
                install_requires =
                    requests
                    celery>=3.1,<4  # worker
                packages = find:

                [options.extras_require]
                old = celery==3.1.26
            """,
        },
    )
    assert result.findings == [
        pin("setup.cfg", 7, 4, 18, "celery<4,>=3.1"),
        pin("setup.cfg", 11, 6, 20, "celery==3.1.26"),
    ]


def test_setup_py_install_requires(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "setup.py": """\
                from setuptools import setup

                REQUIRES = ["requests", "celery~=3.1"]

                setup(
                    name="svc",
                    install_requires=REQUIRES,
                    extras_require={"old": ["celery==4.0.0"]},
                )
            """,
        },
    )
    assert result.findings == [
        pin("setup.py", 3, 24, 37, "celery~=3.1"),
        pin("setup.py", 8, 28, 43, "celery==4.0.0", ACCEPTS, MODERN_MISSING),
    ]


def test_pipfile(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "Pipfile": """\
                [[source]]
                url = "https://example.invalid/simple"

                [packages]
                django = "*"
                celery = "==3.1.26"

                [dev-packages]
                "celery" = {version = "<=4.0.0", extras = ["redis"]}
            """,
        },
    )
    assert result.findings == [
        pin("Pipfile", 6, 0, 6, "celery==3.1.26"),
        pin("Pipfile", 9, 0, 8, "celery<=4.0.0", ACCEPTS, MODERN_MISSING),
    ]


# -- lock files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["poetry.lock", "uv.lock", "pdm.lock"])
def test_toml_lock_files(tmp_path: Path, name: str) -> None:
    result = run(
        tmp_path,
        {
            name: """\
                version = 1

                [[package]]
                name = "billiard"
                version = "3.3.0.23"

                [[package]]
                name = "celery"
                version = "3.1.26.post2"
                description = "Distributed Task Queue"

                [[package]]
                name = "celery-progress"
                version = "0.1"
            """,
        },
    )
    assert result.findings == [pin(name, 9, 0, 24, "celery==3.1.26.post2")]


def test_toml_lock_file_with_a_safe_version(tmp_path: Path) -> None:
    files = {"uv.lock": '[[package]]\nname = "celery"\nversion = "5.4.0"\n'}
    assert run(tmp_path, files).findings == []


def test_pipfile_lock(tmp_path: Path) -> None:
    data = {
        "_meta": {"hash": {"sha256": "0"}},
        "default": {
            "celery": {"hashes": ["sha256:0"], "version": "==4.0.0"},
            "kombu": {"version": "==4.0.0"},
        },
        "develop": {},
    }
    result = run(tmp_path, {"Pipfile.lock": json.dumps(data, indent=4) + "\n"})
    assert result.findings == [
        pin("Pipfile.lock", 12, 23, 32, "celery==4.0.0", ACCEPTS, MODERN_MISSING)
    ]


def test_invalid_pipfile_lock_is_a_note(tmp_path: Path) -> None:
    result = run(tmp_path, {"Pipfile.lock": '{"default": {"celery": '})
    assert result.findings == []
    assert result.notes == [
        "Pipfile.lock: not read for Celery pins, it is not valid JSON (JSONDecodeError)"
    ]


# -- the project's configuration decides ----------------------------------------------------------


def test_explicit_celeryconfig_silences_the_pin(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "celery==3.1.26\n",
        "celeryconfig.py": "CELERY_TASK_SERIALIZER = 'json'\nCELERY_ACCEPT_CONTENT = ['json']\n",
    }
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == []


def test_celery_3_reads_only_upper_case_names(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "celery==3.1.26\ncelery==4.0.0\n",
        "celeryconfig.py": "task_serializer = 'json'\naccept_content = ['json']\n",
    }
    # 4.0.0 reads the new names, 3.1 does not
    assert run(tmp_path, files).findings == [
        pin(
            "requirements.txt",
            1,
            0,
            14,
            "celery==3.1.26",
            missing=f"{LEGACY_NAMES} (configuration read from celeryconfig)",
        ),
    ]


def test_app_configuration_decides(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "celery==4.0.0\n",
        "proj/__init__.py": "",
        "proj/celery.py": (
            "from celery import Celery\napp = Celery('proj')\napp.config_from_object('proj.cfg')\n"
        ),
        "proj/cfg.py": "task_serializer = 'json'\n",
        "tests/test_tasks.py": "from celery import Celery\ntest_app = Celery('t')\n",
    }
    result = run(tmp_path, files)
    assert [(f.path, f.line, f.code) for f in result.findings] == [
        ("proj/celery.py", 2, "CPK004"),
        ("requirements.txt", 1, "CPK011"),
    ]
    assert result.findings[1].message == cpk011(
        "celery==4.0.0", ACCEPTS, "accept_content (configuration read from proj.cfg)"
    )
    files["proj/cfg.py"] += "accept_content = ['json']\n"
    assert run(tmp_path, files).findings == []


def test_constructor_settings_do_not_count_for_old_releases(tmp_path: Path) -> None:
    # Celery() keywords become settings only from 5.1; 4.0.0 ignores them
    files = {
        "requirements.txt": "celery==4.0.0\n",
        "app.py": (
            "from celery import Celery\n"
            "app = Celery('a', task_serializer='json', accept_content=['json'])\n"
        ),
    }
    result = run(tmp_path, files)
    assert [f.message for f in result.findings] == [
        cpk011(
            "celery==4.0.0",
            ACCEPTS,
            "task_serializer and accept_content "
            "(no configuration module found for it in the scanned tree)",
        )
    ]


def test_django_celery_project_without_an_app(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "celery==3.1.26\ndjango-celery==3.3.1\n",
        "manage.py": (
            "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_conf.settings')\n"
        ),
        "site_conf/__init__.py": "",
        "site_conf/settings.py": (
            "import djcelery\ndjcelery.setup_loader()\nCELERY_ACCEPT_CONTENT = ['json']\n"
        ),
    }
    assert [f.message for f in run(tmp_path, files).findings] == [
        cpk011(
            "celery==3.1.26",
            SENDS,
            "CELERY_TASK_SERIALIZER (configuration read from site_conf.settings)",
        )
    ]


def test_unresolvable_configuration_turns_the_pin_into_a_note(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "celery<4\n",
        "app.py": "from celery import Celery\napp = Celery('a')\napp.config_from_object(CONFIG)\n",
    }
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == [
        "app.py:2: CPK004 not checked for this Celery app: its configuration comes from "
        "`CONFIG`, which cannot be read without running the code",
        "requirements.txt:1: CPK011 not checked: Celery is held to celery<4, but the project's "
        "Celery configuration could not be read: app.py:2: its configuration comes from "
        "`CONFIG`, which cannot be read without running the code",
    ]


def test_pins_in_several_formats_are_each_reported(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "celery==3.1.26\n",
        "poetry.lock": '[[package]]\nname = "celery"\nversion = "3.1.26"\n',
        "setup.py": "from setuptools import setup\nsetup(install_requires=['celery<4'])\n",
    }
    result: list[tuple[str, int, str]] = [
        (f.path, f.line, f.code) for f in run(tmp_path, files).findings
    ]
    assert result == [
        ("poetry.lock", 3, "CPK011"),
        ("requirements.txt", 1, "CPK011"),
        ("setup.py", 2, "CPK011"),
    ]


def test_a_3x_pin_with_new_names_says_why_they_do_not_count(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "celery==3.1.25\n",
        "tasks.py": """\
            from celery import Celery
            app = Celery("x")
            app.conf.task_serializer = "json"
            app.conf.CELERY_ACCEPT_CONTENT = ["json"]
            """,
    }
    result = run(tmp_path, files)
    detail = "it sets the new lower-case names, which Celery 3.x does not read"
    assert [f.message for f in result.findings] == [
        cpk011("celery==3.1.25", missing=f"CELERY_TASK_SERIALIZER ({detail})")
    ]
    assert "CELERY_TASK_SERIALIZER='json'" in result.findings[0].message
