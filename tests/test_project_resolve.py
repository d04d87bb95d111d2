"""Module names to files, environment variables and Django settings discovery, and loaders."""

from __future__ import annotations

from pathlib import Path

import pytest
from project_helpers import build, run, tree_of

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.project import analyze
from flake8_celery_pickle.project.django_settings import django_settings_module
from flake8_celery_pickle.project.environment import (
    env_assignments,
    is_deployment_file,
    text_env_assignments,
)
from flake8_celery_pickle.project.module_index import ModuleIndex
from flake8_celery_pickle.project.tree import ProjectTree

# -- module names ------------------------------------------------------------------------------


def test_module_index_src_layout_and_names(tmp_path: Path) -> None:
    tree = tree_of(
        tmp_path,
        {
            "src/proj/__init__.py": "",
            "src/proj/settings/__init__.py": "",
            "src/proj/settings/base.py": "",
            "scripts/tool.py": "",
        },
    )
    index = ModuleIndex(tree)
    assert index.find("proj.settings.base") == "src/proj/settings/base.py"
    assert index.find("proj.settings") == "src/proj/settings/__init__.py"
    assert index.find("proj") == "src/proj/__init__.py"
    assert index.find("tool") == "scripts/tool.py"
    # a suffix that starts inside a package still resolves when nothing better exists
    assert index.find("settings.base") == "src/proj/settings/base.py"
    assert index.find("nothing.here") is None
    assert index.name_of("src/proj/settings/base.py") == "proj.settings.base"
    assert index.name_of("src/proj/settings/__init__.py") == "proj.settings"
    assert index.name_of("scripts/tool.py") == "tool"
    assert index.relative("src/proj/settings/base.py", 2, "celery") is None
    assert index.relative("src/proj/settings/base.py", 1, None) == "src/proj/settings/__init__.py"
    assert index.relative("src/proj/settings/base.py", 2, "settings.base") == (
        "src/proj/settings/base.py"
    )


def test_module_index_prefers_the_copy_nearest_the_referrer(tmp_path: Path) -> None:
    tree = tree_of(
        tmp_path,
        {
            "services/a/proj/__init__.py": "",
            "services/a/proj/settings.py": "",
            "services/b/proj/__init__.py": "",
            "services/b/proj/settings.py": "",
            "services/b/proj/celery.py": "",
        },
    )
    index = ModuleIndex(tree)
    assert index.find("proj.settings", referrer="services/b/proj/celery.py") == (
        "services/b/proj/settings.py"
    )
    assert index.find("proj.settings", referrer="services/a/x.py") == "services/a/proj/settings.py"


def test_monorepo_apps_resolve_their_own_settings(tmp_path: Path) -> None:
    app = (
        "from celery import Celery\napp = Celery('proj')\napp.config_from_object('proj.settings')\n"
    )
    result = run(
        tmp_path,
        {
            "a/proj/__init__.py": "",
            "a/proj/celery.py": app,
            "a/proj/settings.py": "task_serializer = 'json'\naccept_content = ['json']\n",
            "b/proj/__init__.py": "",
            "b/proj/celery.py": app,
            "b/proj/settings.py": "task_serializer = 'json'\n",
        },
    )
    assert [(f.path, f.line, f.code) for f in result.findings] == [
        ("b/proj/celery.py", 2, "CPK004")
    ]


# -- environment variables -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("CELERY_CONFIG_MODULE=proj.cfg\n", "proj.cfg"),
        ("export CELERY_CONFIG_MODULE='proj.cfg'\n", "proj.cfg"),
        ("ENV CELERY_CONFIG_MODULE proj.cfg\n", "proj.cfg"),
        ("    environment:\n      - CELERY_CONFIG_MODULE=proj.cfg\n", "proj.cfg"),
        ('    environment:\n      CELERY_CONFIG_MODULE: "proj.cfg"\n', "proj.cfg"),
        ('{"env": {"CELERY_CONFIG_MODULE": "proj.cfg"}}\n', "proj.cfg"),
        ("# CELERY_CONFIG_MODULE=commented.out\n", None),
        ("MY_CELERY_CONFIG_MODULE=other\n", None),
    ],
)
def test_text_environment_assignments(text: str, value: str | None) -> None:
    found = text_env_assignments(text, "CELERY_CONFIG_MODULE")
    assert [v for v, _ in found] == ([value] if value else [])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".env", True),
        (".env.production", True),
        ("prod.env", True),
        ("Dockerfile", True),
        ("Dockerfile.worker", True),
        ("docker-compose.yml", True),
        ("Procfile", True),
        ("deploy/start.sh", True),
        ("README.md", False),
        ("logo.png", False),
    ],
)
def test_deployment_files(name: str, expected: bool) -> None:
    assert is_deployment_file(name) is expected


def test_python_environment_assignments_rank_nearest_first(tmp_path: Path) -> None:
    tree = tree_of(
        tmp_path,
        {
            "manage.py": (
                "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'a.settings')\n"
            ),
            "b/celery.py": "import os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'b.settings'\n",
            "b/wsgi.py": (
                "from os import environ\nenviron.update({'DJANGO_SETTINGS_MODULE': 'b.prod'})\n"
            ),
            "c/other.py": "import os\nos.putenv('DJANGO_SETTINGS_MODULE', 'c.settings')\n",
            ".env": "DJANGO_SETTINGS_MODULE=env.settings\n",
            "logo.png": "DJANGO_SETTINGS_MODULE=not.read\n",
        },
    )
    values = env_assignments(tree, "DJANGO_SETTINGS_MODULE", near="b/tasks.py")
    assert [(v.value, v.path, v.line) for v in values] == [
        ("b.settings", "b/celery.py", 2),
        ("b.prod", "b/wsgi.py", 2),
        ("c.settings", "c/other.py", 2),
        ("a.settings", "manage.py", 2),
        ("env.settings", ".env", 1),
    ]
    django = env_assignments(
        tree, "DJANGO_SETTINGS_MODULE", python_only=True, python_names=("manage.py",)
    )
    assert [v.value for v in django] == ["a.settings"]


def test_values_computed_at_run_time_are_kept_apart(tmp_path: Path) -> None:
    tree = tree_of(
        tmp_path,
        {
            "manage.py": (
                "import os\n"
                "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings.%s' % ENV)\n"
            ),
            "proj/__init__.py": "",
            "proj/settings/__init__.py": "",
            "proj/wsgi.py": (
                "import os\nos.environ.update(DJANGO_SETTINGS_MODULE=f'proj.settings.{ENV}')\n"
            ),
        },
    )
    assert env_assignments(tree, "DJANGO_SETTINGS_MODULE") == []
    computed = env_assignments(tree, "DJANGO_SETTINGS_MODULE", near="proj/x.py", computed=True)
    assert [(v.value, v.path, v.line, v.computed) for v in computed] == [
        ("f'proj.settings.{ENV}'", "proj/wsgi.py", 2, True),
        ("'proj.settings.%s' % ENV", "manage.py", 2, True),
    ]
    found = django_settings_module(tree, ModuleIndex(tree), "proj/celery.py")
    assert found is not None
    assert (found.path, found.how, found.computed) == (
        None,
        "DJANGO_SETTINGS_MODULE in proj/wsgi.py:2",
        tuple(computed),
    )


def test_files_that_cannot_set_a_variable_are_not_parsed(tmp_path: Path) -> None:
    # a Python file sets a variable only through environ or putenv: one without either word
    # is not parsed for it, and one without the variable's name is not parsed either
    tree = tree_of(
        tmp_path,
        {
            "names.py": "DJANGO_SETTINGS_MODULE = (\n",
            "other.py": "import os\nos.environ['OTHER'] = (\n",
            "manage.py": "import os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'proj.settings'\n",
        },
    )
    values = env_assignments(tree, "DJANGO_SETTINGS_MODULE")
    assert [(v.value, v.path) for v in values] == [("proj.settings", "manage.py")]
    assert tree.notes == []
    # what a Python file holds of the watched words outlives its text: no second read
    tree.forget("other.py")
    (tmp_path / "other.py").unlink()
    assert tree.mentions("other.py", "environ")
    assert not tree.mentions("other.py", "putenv")
    assert tree.notes == []


def test_django_settings_discovery(tmp_path: Path) -> None:
    tree = tree_of(
        tmp_path,
        {
            "manage.py": (
                "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.conf')\n"
            ),
            "site/__init__.py": "",
            "site/conf.py": "",
            "site/settings.py": "",
            "worker/__init__.py": "",
            "worker/settings/__init__.py": "",
            "worker/celery.py": "",
        },
    )
    index = ModuleIndex(tree)
    found = django_settings_module(tree, index, "site/celery.py")
    assert found is not None
    assert (found.module, found.path, found.how) == (
        "site.conf",
        "site/conf.py",
        "DJANGO_SETTINGS_MODULE in manage.py:2",
    )
    bare = ProjectTree(
        tmp_path,
        [
            tmp_path / p
            for p in ("worker/__init__.py", "worker/settings/__init__.py", "worker/celery.py")
        ],
    )
    found = django_settings_module(bare, ModuleIndex(bare), "worker/celery.py")
    assert found is not None
    assert (found.module, found.path, found.how) == (
        "worker.settings",
        "worker/settings/__init__.py",
        "the conventional layout",
    )


# -- loaders --------------------------------------------------------------------------------------


def test_namespace_without_a_source_reads_only_the_module(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {"w.py": "from celery import Celery\napp = Celery('w', namespace='CELERY')\n"},
    )
    assert [f.message for f in result.findings] == [
        BY_CODE["CPK004"].format(
            missing="CELERY_TASK_SERIALIZER and CELERY_ACCEPT_CONTENT "
            "(no configuration module found for it in the scanned tree)"
        )
    ]


def test_default_loader_reads_celeryconfig_for_the_pin(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "celery==3.1.26\n",
        "w.py": "from celery import Celery\napp = Celery('w', loader='default')\n",
        "celeryconfig.py": "CELERY_TASK_SERIALIZER = 'json'\n",
    }
    result = run(tmp_path, files)
    # the project view follows the default loader to celeryconfig: the app and the pin
    assert [(f.path, f.code, f.message) for f in result.findings] == [
        (
            "requirements.txt",
            "CPK011",
            BY_CODE["CPK011"].format(
                version="celery==3.1.26",
                behaviour="sends and accepts",
                missing="CELERY_ACCEPT_CONTENT (configuration read from celeryconfig)",
                explicit="CELERY_TASK_SERIALIZER='json' and CELERY_ACCEPT_CONTENT=['json']",
            ),
        ),
        (
            "w.py",
            "CPK004",
            BY_CODE["CPK004"].format(
                missing="accept_content (configuration read from celeryconfig)"
            ),
        ),
    ]
    files["celeryconfig.py"] += "CELERY_ACCEPT_CONTENT = ['json']\n"
    assert run(tmp_path, files).findings == []


def test_celery_config_module_for_an_app_without_a_source(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "celery==4.0.0\n",
        "proj/__init__.py": "",
        "proj/app.py": "from celery import Celery\napp = Celery('proj')\n",
        "proj/cfg.py": "task_serializer = 'json'\naccept_content = ['json']\n",
        "docker-compose.yml": "services:\n  worker:\n    environment:\n"
        "      CELERY_CONFIG_MODULE: proj.cfg\n",
    }
    assert run(tmp_path, files).findings == []
    files["proj/cfg.py"] = "task_serializer = 'json'\n"
    # the project view judges the plain app through CELERY_CONFIG_MODULE, and the pin
    assert [(f.path, f.code) for f in run(tmp_path, files).findings] == [
        ("proj/app.py", "CPK004"),
        ("requirements.txt", "CPK011"),
    ]


def test_binary_files_are_not_read(tmp_path: Path) -> None:
    names = ["w.py", "requirements.txt", "image.png", ".env"]
    build(
        tmp_path,
        {
            "w.py": "from celery import Celery\napp = Celery('w')\n",
            "requirements.txt": "celery==4.0.0\n",
        },
    )
    (tmp_path / "image.png").write_bytes(b"\x89PNG\xff\xfe CELERY_CONFIG_MODULE=x")
    (tmp_path / ".env").write_bytes(b"\xff\xfe\xfa CELERY_CONFIG_MODULE=y")
    result = analyze(tmp_path, [tmp_path / n for n in names])
    assert [(f.path, f.code) for f in result.findings] == [("requirements.txt", "CPK011")]
    assert result.notes == []
