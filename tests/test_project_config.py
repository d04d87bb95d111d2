"""The project view's CPK004: Celery apps followed to the configuration they load.

Every test builds a small project tree in ``tmp_path`` and runs :func:`analyze` over it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from project_helpers import build, run

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.project import ProjectResult, analyze
from flake8_celery_pickle.settings import Settings


def cpk004(missing: str) -> str:
    return BY_CODE["CPK004"].format(missing=missing)


def located(result: ProjectResult) -> list[tuple[str, int, int, str]]:
    return [(f.path, f.line, f.col, f.code) for f in result.findings]


DJANGO_CELERY = """\
    import os

    from celery import Celery

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")

    app = Celery("proj")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks()
"""
MANAGE = """\
    import os
    import sys

    if __name__ == "__main__":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
"""


# -- Django ------------------------------------------------------------------------------------


def test_django_layout_without_celery_settings(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "manage.py": MANAGE,
            "proj/__init__.py": "",
            "proj/celery.py": DJANGO_CELERY,
            "proj/settings.py": "DEBUG = True\nCELERY_BROKER_URL = 'redis://'\n",
        },
    )
    assert result.findings == [
        Finding(
            7,
            6,
            "CPK004",
            cpk004(
                "CELERY_TASK_SERIALIZER and CELERY_ACCEPT_CONTENT "
                "(configuration read from proj.settings)"
            ),
            7,
            20,
            "project",
            "proj/celery.py",
        )
    ]
    assert result.notes == []


def test_namespace_other_than_celery(tmp_path: Path) -> None:
    files = {
        "manage.py": MANAGE,
        "proj/__init__.py": "",
        "proj/celery.py": (
            "import os\n"
            "from celery import Celery as App\n"
            "app = App('proj', namespace='TASKQ')\n"
            "app.config_from_object('django.conf:settings')\n"
        ),
        # CELERY_* names are not read with namespace TASKQ
        "proj/settings.py": "CELERY_TASK_SERIALIZER = 'json'\nCELERY_ACCEPT_CONTENT = ['json']\n",
    }
    result = run(tmp_path, files)
    assert [f.message for f in result.findings] == [
        cpk004(
            "TASKQ_TASK_SERIALIZER and TASKQ_ACCEPT_CONTENT (configuration read from proj.settings)"
        )
    ]
    assert located(result) == [("proj/celery.py", 3, 6, "CPK004")]

    files["proj/settings.py"] = "TASKQ_TASK_SERIALIZER = 'json'\nTASKQ_ACCEPT_CONTENT = ['json']\n"
    assert run(tmp_path, files).findings == []


def test_lower_case_namespace_reads_lower_case_keys_of_a_plain_module(tmp_path: Path) -> None:
    files = {
        "proj/__init__.py": "",
        "proj/worker.py": (
            "import celery\n"
            "app = celery.Celery('proj')\n"
            "app.config_from_object('proj.conf', namespace='tq')\n"
        ),
        "proj/conf.py": "tq_task_serializer = 'json'\naccept_content = ['json']\n",
    }
    assert run(tmp_path, files).findings == []
    files["proj/conf.py"] = "TQ_TASK_SERIALIZER = 'json'\naccept_content = ['json']\n"
    assert [f.message for f in run(tmp_path, files).findings] == [
        cpk004("tq_task_serializer (configuration read from proj.conf)")
    ]


# -- settings chosen by the deployment ---------------------------------------------------------

#: goldstone-server's layout: manage.py names the settings package, whose __init__ holds only a
#: docstring; the deployment names base or production.
SETTINGS_PACKAGE = {
    "manage.py": (
        "import os\n"
        "import sys\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"
    ),
    "proj/__init__.py": "",
    "proj/settings/__init__.py": '"""Pick base or production with DJANGO_SETTINGS_MODULE."""\n',
    "proj/settings/base.py": (
        "DEBUG = False\nCELERY_TASK_SERIALIZER = 'json'\nCELERY_ACCEPT_CONTENT = ['json']\n"
    ),
    "proj/settings/production.py": "from .base import *\nDEBUG = False\n",
    "proj/celery.py": (
        "from celery import Celery\n"
        "app = Celery('proj')\n"
        "app.config_from_object('django.conf:settings')\n"
    ),
    "requirements.txt": "celery==3.1.19\n",
}
DEPLOYMENT_DECIDES = (
    "its Django settings module 'proj.settings' (DJANGO_SETTINGS_MODULE in manage.py:5) is a "
    "package that sets no settings itself; the deployment's DJANGO_SETTINGS_MODULE decides "
    "which of its submodules is used"
)


def test_settings_package_that_sets_nothing_is_left_to_the_deployment(tmp_path: Path) -> None:
    result = run(tmp_path, SETTINGS_PACKAGE)
    why = (
        f"{DEPLOYMENT_DECIDES} (Celery settings are set in proj.settings.base and "
        "proj.settings.production)"
    )
    assert result.findings == []
    assert result.notes == [
        f"proj/celery.py:2: CPK004 not checked for this Celery app: {why}",
        "requirements.txt:1: CPK011 not checked: Celery is held to celery==3.1.19, but the "
        f"project's Celery configuration could not be read: proj/celery.py:2: {why}",
    ]


def test_settings_package_whose_submodules_set_no_celery_setting(tmp_path: Path) -> None:
    files = {
        **SETTINGS_PACKAGE,
        "proj/settings/base.py": "DEBUG = False\n",
        "proj/settings/helpers.py": "def env(name):\n    return name\n",
        "proj/settings/envs/__init__.py": "from ..base import *\nDEBUG = True\n",
    }
    del files["requirements.txt"]
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == [
        "proj/celery.py:2: CPK004 not checked for this Celery app: "
        f"{DEPLOYMENT_DECIDES} (none of proj.settings.base, proj.settings.envs and "
        "proj.settings.production sets a Celery setting)"
    ]


def test_settings_package_without_an_app_leaves_the_pin_unchecked(tmp_path: Path) -> None:
    # django-celery 3.x: no Celery(...) in the tree, the default app reads Django's settings
    files = {k: v for k, v in SETTINGS_PACKAGE.items() if k != "proj/celery.py"}
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == [
        "requirements.txt:1: CPK011 not checked: Celery is held to celery==3.1.19, but the "
        f"project's Celery configuration could not be read: {DEPLOYMENT_DECIDES} (Celery "
        "settings are set in proj.settings.base and proj.settings.production)"
    ]


@pytest.mark.parametrize(
    "init",
    [
        pytest.param("from .base import *\n", id="star-import"),
        pytest.param("DEBUG = True\n", id="a-setting"),
    ],
)
def test_settings_package_that_sets_something_is_judged(tmp_path: Path, init: str) -> None:
    files = {
        **SETTINGS_PACKAGE,
        "proj/settings/__init__.py": init,
        "proj/settings/base.py": "DEBUG = False\n",
    }
    result = run(tmp_path, files)
    missing = (
        "CELERY_TASK_SERIALIZER and CELERY_ACCEPT_CONTENT (configuration read from proj.settings)"
    )
    assert located(result) == [
        ("proj/celery.py", 2, 6, "CPK004"),
        ("requirements.txt", 1, 0, "CPK011"),
    ]
    assert result.findings[0].message == cpk004(missing)
    assert result.notes == []


def test_settings_package_without_submodules_that_set_settings_is_judged(tmp_path: Path) -> None:
    files = {
        **SETTINGS_PACKAGE,
        "proj/settings/base.py": "def env(name):\n    return name\n",
        "proj/settings/production.py": "from .base import env\n",
    }
    del files["requirements.txt"]
    assert [f.message for f in run(tmp_path, files).findings] == [
        cpk004(
            "CELERY_TASK_SERIALIZER and CELERY_ACCEPT_CONTENT "
            "(configuration read from proj.settings)"
        )
    ]


# -- DJANGO_SETTINGS_MODULE computed at run time ---------------------------------------------------


@pytest.mark.parametrize(
    ("where", "setter", "shown"),
    [
        pytest.param(
            "manage.py",
            'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.{}".format(flavor))',
            "manage.py:3 (`'config.settings.{}'.format(flavor)`)",
            id="format-in-manage",
        ),
        pytest.param(
            "config/celery.py",
            'os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"config.settings.{flavor}")',
            "config/celery.py:3 (`f'config.settings.{flavor}'`)",
            id="f-string-in-the-app-module",
        ),
        pytest.param(
            "config/wsgi.py",
            'os.environ["DJANGO_SETTINGS_MODULE"] = flavor',
            "config/wsgi.py:3 (`flavor`)",
            id="assigned-a-name",
        ),
    ],
)
def test_django_settings_module_computed_at_run_time_is_a_note(
    tmp_path: Path, where: str, setter: str, shown: str
) -> None:
    celery = (
        "from celery import Celery\n"
        "app = Celery('config')\n"
        "app.config_from_object('django.conf:settings', namespace='CELERY')\n"
    )
    files = {
        "config/__init__.py": "",
        "config/celery.py": celery,
        # the conventional layout is no answer: the variable is set, to a value not known
        "config/settings/__init__.py": "CELERY_BROKER_URL = 'redis://'\n",
        "config/settings/local.py": "from . import *\n",
    }
    setting = f"import os\nflavor = os.environ.get('FLAVOR', 'local')\n{setter}\n"
    files[where] = setting + (celery if where == "config/celery.py" else "")
    result = run(tmp_path, files)
    line = 5 if where == "config/celery.py" else 2
    assert result.findings == []
    assert result.notes == [
        f"config/celery.py:{line}: CPK004 not checked for this Celery app: it reads Django's "
        f"settings, but DJANGO_SETTINGS_MODULE is computed at run time in {shown}"
    ]


def test_computed_django_settings_module_leaves_the_pin_unchecked(tmp_path: Path) -> None:
    # no Celery(...) in the tree: the default app reads the settings the deployment picks
    result = run(
        tmp_path,
        {
            "manage.py": (
                "import os\n"
                "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.' + os.getenv('E'))\n"
            ),
            "proj/__init__.py": "",
            "proj/settings.py": "DEBUG = False\n",
            "requirements.txt": "celery==3.1.19\n",
        },
    )
    assert result.findings == []
    assert result.notes == [
        "requirements.txt:1: CPK011 not checked: Celery is held to celery==3.1.19, but the "
        "project's Celery configuration could not be read: it reads Django's settings, but "
        "DJANGO_SETTINGS_MODULE is computed at run time in manage.py:2 "
        "(`'proj.' + os.getenv('E')`)"
    ]


def test_a_literal_django_settings_module_nearer_the_app_wins(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "manage.py": (
                "import os\n"
                "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.' + os.getenv('E'))\n"
            ),
            "proj/__init__.py": "",
            "proj/celery.py": DJANGO_CELERY,
            "proj/settings.py": (
                "CELERY_TASK_SERIALIZER = 'json'\nCELERY_ACCEPT_CONTENT = ['json']\n"
            ),
        },
    )
    assert result.findings == []
    assert result.notes == []


# -- plain modules, objects and classes -------------------------------------------------------


def test_plain_celeryconfig(tmp_path: Path) -> None:
    files = {
        "tasks.py": (
            "from celery import Celery\n"
            "\n"
            "app = Celery('tasks', broker='redis://')\n"
            "app.config_from_object('celeryconfig')\n"
        ),
        "celeryconfig.py": "broker_url = 'redis://'\nresult_backend = 'redis://'\n",
    }
    result = run(tmp_path, files)
    assert result.findings == [
        Finding(
            3,
            6,
            "CPK004",
            cpk004("task_serializer and accept_content (configuration read from celeryconfig)"),
            3,
            40,
            "project",
            "tasks.py",
        )
    ]
    files["celeryconfig.py"] = (
        "task_serializer = 'json'\nif True:\n    CELERY_ACCEPT_CONTENT: list = ['json']\n"
    )
    assert run(tmp_path, files).findings == []


def test_settings_class_with_colon_path_and_inherited_settings(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/worker.py": (
            "from celery import Celery\n"
            "celery_app = Celery(__name__)\n"
            "celery_app.config_from_object('app.config:ProductionConfig')\n"
        ),
        "app/base.py": "class BaseConfig:\n    accept_content = ['json']\n",
        "app/config.py": (
            "from app.base import BaseConfig\n"
            "\n"
            "class ProductionConfig(BaseConfig):\n"
            "    broker_url = 'redis://'\n"
        ),
    }
    result = run(tmp_path, files)
    assert [f.message for f in result.findings] == [
        cpk004("task_serializer (configuration read from app.config:ProductionConfig)")
    ]
    assert located(result) == [("app/worker.py", 2, 13, "CPK004")]
    files["app/config.py"] += "    task_serializer = 'json'\n"
    assert run(tmp_path, files).findings == []


def test_settings_class_with_dotted_path(tmp_path: Path) -> None:
    files = {
        "svc/__init__.py": "",
        "svc/app.py": (
            "from celery import Celery\n"
            "app = Celery()\n"
            "app.config_from_object('svc.settings.CeleryConfig')\n"
        ),
        "svc/settings.py": (
            "class CeleryConfig:\n    task_serializer = 'json'\n    accept_content = ['json']\n"
        ),
    }
    assert run(tmp_path, files).findings == []
    files["svc/settings.py"] = "class CeleryConfig:\n    task_serializer = 'json'\n"
    assert [f.message for f in run(tmp_path, files).findings] == [
        cpk004("accept_content (configuration read from svc.settings:CeleryConfig)")
    ]


def test_config_source_keyword(tmp_path: Path) -> None:
    files = {
        "proj/__init__.py": "",
        "proj/app.py": (
            "from celery import Celery\napp = Celery('proj', config_source='proj.cfg')\n"
        ),
        "proj/cfg.py": "imports = ['proj.tasks']\n",
    }
    result = run(tmp_path, files)
    assert result.findings == [
        Finding(
            2,
            6,
            "CPK004",
            cpk004("task_serializer and accept_content (configuration read from proj.cfg)"),
            2,
            46,
            "project",
            "proj/app.py",
        )
    ]


def test_settings_split_between_module_and_config(tmp_path: Path) -> None:
    files = {
        "proj/__init__.py": "",
        "proj/app.py": (
            "from celery import Celery\n"
            "app = Celery('proj')\n"
            "app.config_from_object('proj.cfg')\n"
            "app.conf.task_serializer = 'json'\n"
        ),
        "proj/cfg.py": "accept_content = ['json']\n",
    }
    assert run(tmp_path, files).findings == []


def test_apps_are_told_apart_by_binding(tmp_path: Path) -> None:
    files = {
        "two.py": (
            "from celery import Celery\n"
            "good = Celery('good')\n"
            "bad = Celery('bad')\n"
            "good.config_from_object('goodconf')\n"
            "bad.config_from_object('badconf')\n"
        ),
        "goodconf.py": "task_serializer = 'json'\naccept_content = ['json']\n",
        "badconf.py": "task_serializer = 'json'\n",
    }
    result = run(tmp_path, files)
    assert located(result) == [("two.py", 3, 6, "CPK004")]
    assert result.findings[0].message == cpk004("accept_content (configuration read from badconf)")


# -- environment variables ----------------------------------------------------------------------


# -- what the project view leaves alone, and what it cannot resolve ----------------------------


@pytest.mark.parametrize(
    ("call", "note"),
    [
        pytest.param(
            "app.config_from_object(f'proj.settings.{ENV}')",
            "its configuration comes from `f'proj.settings.{ENV}'`, which cannot be read "
            "without running the code",
            id="f-string",
        ),
        pytest.param(
            "app.config_from_object(load_settings())",
            "its configuration comes from `load_settings()`, which cannot be read without "
            "running the code",
            id="call",
        ),
        pytest.param(
            "app.config_from_object('othercorp.celery_settings')",
            "module 'othercorp.celery_settings' is not in the scanned tree",
            id="outside-tree",
        ),
        pytest.param(
            "app.config_from_object('cfg:Missing')",
            "'cfg:Missing' cannot be read statically",
            id="missing-object",
        ),
        pytest.param(
            "app.conf.update(flask_app.config)",
            "its configuration comes from `flask_app.config`, which cannot be read without "
            "running the code",
            id="flask-config",
        ),
        pytest.param(
            "app.config_from_object('starred')",
            "starred.py imports * from company.defaults, which is not in the scanned tree",
            id="star-import-outside-tree",
        ),
    ],
)
def test_unresolvable_configuration_is_a_note(tmp_path: Path, call: str, note: str) -> None:
    result = run(
        tmp_path,
        {
            "app.py": f"from celery import Celery\nENV = 'prod'\napp = Celery('a')\n{call}\n",
            "cfg.py": "broker_url = 'redis://'\n",
            "starred.py": "from company.defaults import *\n",
        },
    )
    assert result.findings == []
    assert result.notes == [f"app.py:3: CPK004 not checked for this Celery app: {note}"]


def test_unparsable_and_unreadable_files_never_raise(tmp_path: Path) -> None:
    files = build(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/app.py": (
                "from celery import Celery\n"
                "app = Celery('proj')\n"
                "app.config_from_object('proj.cfg')\n"
            ),
            "proj/cfg.py": "task_serializer = (\n",
            # an app that loads its configuration: the view needs this module, which fails
            "broken.py": "import celery\napp = celery.Celery(namespace=:\n",
        },
    )
    binary = tmp_path / "proj" / "blob.py"
    binary.write_bytes(b"\xff\xfe\x00Celery\x00")
    files += [binary, tmp_path / "does-not-exist.py", Path("/nonexistent/elsewhere.py")]
    result = analyze(tmp_path, files)
    assert result.findings == []
    assert result.notes == [
        "/nonexistent/elsewhere.py: could not be read (FileNotFoundError)",
        "broken.py: not used by the project view, it does not parse (SyntaxError)",
        "does-not-exist.py: could not be read (FileNotFoundError)",
        "proj/blob.py: could not be read (SyntaxError)",
        "proj/cfg.py: not used by the project view, it does not parse (SyntaxError)",
        "proj/app.py:2: CPK004 not checked for this Celery app: proj/cfg.py does not parse",
    ]


def test_modules_that_cannot_matter_are_not_parsed(tmp_path: Path) -> None:
    # Neither builds an app that loads configuration from elsewhere, and the tree pins no
    # Celery: the project view has no use for them, so it never parses them (no note).
    result = run(
        tmp_path,
        {
            "broken.py": "import celery\ndef Celery(:\n",
            "env.py": "import os\nos.environ['CELERY_BROKER_URL'] = (\n",
        },
    )
    assert result.findings == []
    assert result.notes == []


def test_modules_that_may_build_an_app_are_parsed_when_celery_is_pinned(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {"broken.py": "import celery\ndef Celery(:\n", "requirements.txt": "celery==3.1.25\n"},
    )
    # CPK011 needs every app of the tree, so the module is read, and its failure said
    assert located(result) == [("requirements.txt", 1, 0, "CPK011")]
    assert result.notes == [
        "broken.py: not used by the project view, it does not parse (SyntaxError)"
    ]


def test_relative_file_arguments_and_namespaces_from_settings(tmp_path: Path) -> None:
    build(
        tmp_path,
        {
            "app.py": (
                "from celery import Celery\n"
                "app = Celery('a')\n"
                "app.config_from_object('cfg')\n"
                "app.conf.update(JOBS_TASK_SERIALIZER='json')\n"
            ),
            "cfg.py": "accept_content = ['json']\n",
        },
    )
    relative = [Path("app.py"), Path("cfg.py")]
    assert analyze(tmp_path, relative).findings[0].message == cpk004(
        "task_serializer (configuration read from cfg)"
    )
    # a namespace the user declares makes JOBS_TASK_SERIALIZER a setting name
    assert analyze(tmp_path, relative, Settings(namespaces=("CELERY", "JOBS"))).findings == []


# -- django-configurations and django-split-settings ---------------------------------------------

CONFIGURATIONS = """\
    from configurations import Configuration, values


    class Base(Configuration):
        CELERY_TASK_SERIALIZER = values.Value("json")


    class Prod(Base):
        CELERY_ACCEPT_CONTENT = ["json"]


    class Dev(Base):
        DEBUG = True
"""
CONFIGURATIONS_CELERY = """\
    import os

    from celery import Celery

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    {configuration}
    app = Celery("proj")
    app.config_from_object("django.conf:settings", namespace="CELERY")
"""


def _configurations(tmp_path: Path, configuration: str, settings: str) -> ProjectResult:
    return run(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/celery.py": CONFIGURATIONS_CELERY.format(configuration=configuration),
            "proj/settings.py": settings,
        },
    )


def test_django_configurations_class_named_by_the_environment(tmp_path: Path) -> None:
    setdefault = 'os.environ.setdefault("DJANGO_CONFIGURATION", "Dev")'
    result = _configurations(tmp_path, setdefault, CONFIGURATIONS)
    assert result.findings == [
        Finding(
            7,
            6,
            "CPK004",
            cpk004("CELERY_ACCEPT_CONTENT (configuration read from proj.settings:Dev)"),
            7,
            20,
            "project",
            "proj/celery.py",
        )
    ]
    assert result.notes == []


def test_django_configurations_class_that_sets_both_is_silent(tmp_path: Path) -> None:
    setdefault = 'os.environ.setdefault("DJANGO_CONFIGURATION", "Prod")'
    result = _configurations(tmp_path, setdefault, CONFIGURATIONS)
    assert result.findings == []
    assert result.notes == []


def test_django_configurations_classes_that_differ_without_a_choice_is_a_note(
    tmp_path: Path,
) -> None:
    result = _configurations(tmp_path, "", CONFIGURATIONS)
    assert result.findings == []
    assert result.notes == [
        "proj/celery.py:7: CPK004 not checked for this Celery app: DJANGO_CONFIGURATION is "
        "not set in the scanned tree and the django-configurations classes of proj.settings "
        "(Base, Prod, Dev) differ"
    ]


def test_django_configurations_classes_that_all_miss_a_setting(tmp_path: Path) -> None:
    settings = (
        "import configurations\n"
        "class Base(configurations.Configuration):\n"
        "    CELERY_TASK_SERIALIZER = 'json'\n"
        "class Prod(Base):\n"
        "    DEBUG = False\n"
    )
    result = _configurations(tmp_path, "", settings)
    assert located(result) == [("proj/celery.py", 7, 6, "CPK004")]
    assert result.findings[0].message == cpk004(
        "CELERY_ACCEPT_CONTENT (configuration read from proj.settings, each of its "
        "django-configurations classes Base, Prod)"
    )


def test_django_configurations_class_that_does_not_exist_is_a_note(tmp_path: Path) -> None:
    setdefault = 'os.environ.setdefault("DJANGO_CONFIGURATION", "Staging")'
    result = _configurations(tmp_path, setdefault, CONFIGURATIONS)
    assert result.findings == []
    assert result.notes == [
        "proj/celery.py:7: CPK004 not checked for this Celery app: its django-configurations "
        "class 'Staging' (DJANGO_CONFIGURATION in proj/celery.py:6) is not a class of "
        "proj.settings"
    ]


SPLIT_CELERY = (
    "from celery import Celery\n"
    "app = Celery('proj')\n"
    "app.config_from_object('django.conf:settings', namespace='CELERY')\n"
)


def test_django_split_settings_missing_a_setting(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "manage.py": MANAGE,
            "proj/__init__.py": "",
            "proj/celery.py": SPLIT_CELERY,
            "proj/settings/__init__.py": (
                "from split_settings.tools import include\ninclude('components/celery.py')\n"
            ),
            "proj/settings/components/celery.py": "CELERY_ACCEPT_CONTENT = ['json']\n",
        },
    )
    assert result.findings == [
        Finding(
            2,
            6,
            "CPK004",
            cpk004("CELERY_TASK_SERIALIZER (configuration read from proj.settings)"),
            2,
            20,
            "project",
            "proj/celery.py",
        )
    ]
    assert result.notes == []


# -- Flask ----------------------------------------------------------------------------------------


def test_flask_config_loaded_in_the_same_module(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "web/__init__.py": (
                "from flask import Flask\n"
                "from celery import Celery\n"
                "flask_app = Flask(__name__)\n"
                "flask_app.config.from_object('web.config.Config')\n"
                "celery = Celery(flask_app.import_name)\n"
                "celery.conf.update(flask_app.config)\n"
            ),
            # Flask keeps only the upper-case attributes of a config object
            "web/config.py": (
                "class Config:\n"
                "    CELERY_TASK_SERIALIZER = 'json'\n"
                "    accept_content = ['json']\n"
            ),
        },
    )
    assert result.findings == [
        Finding(
            5,
            9,
            "CPK004",
            cpk004("accept_content (configuration read from web:flask_app.config)"),
            5,
            38,
            "project",
            "web/__init__.py",
        )
    ]
    assert result.notes == []


def test_flask_app_built_in_a_factory(tmp_path: Path) -> None:
    source = """\
        from celery import Celery
        from flask import Flask

        celery = Celery(__name__)


        def create_app():
            app = Flask(__name__)
            app.config["CELERY_TASK_SERIALIZER"] = "json"
            app.config.from_mapping(accept_content=["json"])
            celery.conf.update(app.config)
            return app
    """
    result = run(tmp_path, {"web.py": source})
    # from_mapping keeps upper-case keys only
    assert [(f.line, f.col, f.message) for f in result.findings] == [
        (4, 9, cpk004("accept_content (configuration read from web:app.config)"))
    ]


FLASK_CELERY_APP = """\
    from celery import Celery, Task
    from flask import Flask


    def celery_init_app(app: Flask) -> Celery:
        celery_app = Celery(app.name)
        celery_app.config_from_object(app.config["CELERY"])
        celery_app.set_default()
        app.extensions["celery"] = celery_app
        return celery_app


    def create_app() -> Flask:
        app = Flask(__name__)
        app.config.from_mapping(
            CELERY=dict(
                broker_url="redis://localhost",
                result_backend="redis://localhost",
                task_ignore_result=True,{extra}
            ),
        )
        app.config.from_prefixed_env()
        celery_init_app(app)
        return app
"""


def test_flask_documentation_pattern_reads_the_celery_dict(tmp_path: Path) -> None:
    # from_prefixed_env() may add FLASK_CELERY__* keys at run time: the literal is judged
    result = run(tmp_path, {"app.py": FLASK_CELERY_APP.format(extra="")})
    assert result.findings == [
        Finding(
            6,
            17,
            "CPK004",
            cpk004(
                "task_serializer and accept_content "
                "(configuration read from app:app.config['CELERY'])"
            ),
            6,
            33,
            "project",
            "app.py",
        )
    ]
    assert result.notes == []


def test_flask_documentation_pattern_with_both_settings_is_silent(tmp_path: Path) -> None:
    extra = '\n            task_serializer="json",\n            accept_content=["json"],'
    result = run(tmp_path, {"app.py": FLASK_CELERY_APP.format(extra=extra)})
    assert result.findings == []
    assert result.notes == []


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(
            "flask_app.config['CELERY'] = {'broker_url': 'redis://', 'task_serializer': 'json'}\n",
            id="item-assignment",
        ),
        pytest.param(
            "flask_app.config.update(CELERY={'task_serializer': 'json'}, DEBUG=True)\n",
            id="update-keyword",
        ),
        pytest.param(
            "flask_app.config.from_mapping({'CELERY': dict(task_serializer='json')})\n",
            id="from-mapping-dict",
        ),
        pytest.param(
            "class Config:\n"
            "    DEBUG = False\n"
            "    CELERY = dict(task_serializer='json')\n"
            "flask_app.config.from_object(Config)\n",
            id="from-object-class-attribute",
        ),
    ],
)
def test_flask_celery_key_written_in_place(tmp_path: Path, setup: str) -> None:
    source = (
        "from celery import Celery\n"
        "from flask import Flask\n"
        "flask_app = Flask(__name__)\n" + setup + "celery = Celery(flask_app.name)\n"
        "celery.config_from_object(flask_app.config['CELERY'])\n"
    )
    result = run(tmp_path, {"web.py": source})
    line = source.count("\n") - 1
    assert result.findings == [
        Finding(
            line,
            9,
            "CPK004",
            cpk004("accept_content (configuration read from web:flask_app.config['CELERY'])"),
            line,
            31,
            "project",
            "web.py",
        )
    ]
    assert result.notes == []


UNREAD_CELERY_KEY = (
    "its configuration comes from `app.config['CELERY']`, which cannot be read without "
    "running the code"
)


@pytest.mark.parametrize(
    ("setup", "why"),
    [
        pytest.param(
            "app.config.from_prefixed_env()\n", UNREAD_CELERY_KEY, id="only-from-the-environment"
        ),
        pytest.param(
            "app.config.from_mapping(CELERY=CELERY_SETTINGS)\n",
            UNREAD_CELERY_KEY,
            id="not-a-literal",
        ),
        pytest.param(
            "app.config.from_mapping(CELERY={'task_serializer': 'json'})\n"
            "app.config.from_pyfile('celery.cfg')\n",
            "app.config.from_pyfile('celery.cfg') in web.py loads Flask settings that cannot "
            "be read statically",
            id="a-file-may-replace-it",
        ),
        pytest.param(
            "app.config.from_object('web_settings')\napp.config['CELERY'] = {}\n",
            UNREAD_CELERY_KEY,
            id="an-object-outside-the-tree",
        ),
    ],
)
def test_flask_celery_key_that_cannot_be_found_is_a_note(
    tmp_path: Path, setup: str, why: str
) -> None:
    source = (
        "from celery import Celery\n"
        "from flask import Flask\n"
        "from web_settings import CELERY_SETTINGS\n"
        "def celery_init_app(app: Flask) -> Celery:\n"
        "    celery_app = Celery(app.name)\n"
        "    celery_app.config_from_object(app.config['CELERY'])\n"
        "    return celery_app\n"
        "app = Flask(__name__)\n" + setup + "celery_init_app(app)\n"
    )
    result = run(tmp_path, {"web.py": source})
    assert result.findings == []
    assert result.notes == [f"web.py:5: CPK004 not checked for this Celery app: {why}"]


def test_settings_merged_from_an_imported_dict_are_named(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/config.py": "CELERY_CONFIG = {'broker_url': 'x', 'task_serializer': 'json'}\n",
            "proj/worker.py": (
                "from celery import Celery\n"
                "from proj.config import CELERY_CONFIG\n"
                "app = Celery('p')\n"
                "app.conf.update(CELERY_CONFIG)\n"
            ),
        },
    )
    assert result.findings == [
        Finding(
            3,
            6,
            "CPK004",
            cpk004("accept_content (configuration read from proj.config:CELERY_CONFIG)"),
            3,
            17,
            "project",
            "proj/worker.py",
        )
    ]


# -- trees that differ only in their files ----------------------------------------------------


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {
                "manage.py": MANAGE,
                "proj/__init__.py": "",
                "proj/celery.py": DJANGO_CELERY,
                "proj/settings.py": (
                    "CELERY_TASK_SERIALIZER = env('SERIALIZER')\nCELERY_ACCEPT_CONTENT = ['json']\n"
                ),
            },
            id="django-layout-with-namespaced-settings-is-silent",
        ),
        pytest.param(
            {
                "proj/__init__.py": "",
                "proj/wsgi.py": (
                    "import os\n"
                    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings.production')\n"
                ),
                "proj/celery.py": (
                    "from celery import Celery\n"
                    "app = Celery('proj')\n"
                    "app.config_from_object('django.conf:settings', namespace='CELERY')\n"
                ),
                "proj/settings/__init__.py": "",
                "proj/settings/base.py": "CELERY_ACCEPT_CONTENT = ['json']\n",
                "proj/settings/production.py": (
                    "from .base import *  # noqa\n"
                    "try:\n"
                    "    from .local import *\n"
                    "except ImportError:\n"
                    "    pass\n"
                ),
                "proj/settings/local.py": "CELERY_TASK_SERIALIZER = 'json'\n",
            },
            id="django-settings-package-with-star-imports",
        ),
        pytest.param(
            {
                "proj/__init__.py": "",
                "proj/app.py": (
                    "from celery import Celery\n"
                    "from proj import celeryconfig\n"
                    "app = Celery('proj')\n"
                    "app.config_from_object(celeryconfig)\n"
                ),
                "proj/celeryconfig.py": "task_serializer = 'json'\naccept_content = ['json']\n",
            },
            id="imported-config-module",
        ),
        pytest.param(
            {
                "proj/__init__.py": "",
                "proj/app.py": (
                    "from celery import Celery\n"
                    "app = Celery('proj')\n"
                    "app.config_from_envvar('PROJ_CELERY', silent=True)\n"
                ),
                "proj/celery_settings.py": "task_serializer = 'json'\naccept_content = ['json']\n",
                ".env": "# settings\nexport PROJ_CELERY=proj.celery_settings\n",
            },
            id="config-from-envvar-set-in-a-dotenv-file",
        ),
        pytest.param(
            {
                "app.py": "from celery import Celery\napp = Celery('a', broker='redis://')\n",
                "literal.py": (
                    "from celery import Celery\n"
                    "app = Celery('b')\n"
                    "app.config_from_object({'broker_url': 'redis://'})\n"
                ),
            },
            id="apps-that-load-nothing-are-left-to-the-single-file-checker",
        ),
        pytest.param(
            {
                "manage.py": MANAGE,
                "proj/__init__.py": "",
                "proj/celery.py": SPLIT_CELERY,
                "proj/settings/__init__.py": (
                    "from split_settings.tools import include, optional\n"
                    "include('components/*.py', optional('local_settings.py'))\n"
                ),
                "proj/settings/components/base.py": "DEBUG = False\n",
                "proj/settings/components/celery.py": (
                    "CELERY_TASK_SERIALIZER = 'json'\nCELERY_ACCEPT_CONTENT = ['json']\n"
                ),
            },
            id="django-split-settings-includes-are-followed",
        ),
        pytest.param(
            {
                "web/__init__.py": (
                    "from flask import Flask\n"
                    "flask_app = Flask(__name__)\n"
                    "flask_app.config.from_object('web.settings:Prod')\n"
                    "flask_app.config.update(CELERY_ACCEPT_CONTENT=['json'])\n"
                ),
                "web/settings.py": (
                    "class Base:\n"
                    "    CELERY_TASK_SERIALIZER = 'json'\n"
                    "class Prod(Base):\n"
                    "    DEBUG = False\n"
                ),
                "worker.py": (
                    "from celery import Celery\n"
                    "from web import flask_app\n"
                    "celery = Celery(flask_app.import_name)\n"
                    "celery.conf.update(flask_app.config)\n"
                ),
            },
            id="flask-app-imported-from-another-module",
        ),
    ],
)
def test_configuration_that_sets_both_is_silent(tmp_path: Path, files: dict[str, str]) -> None:
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == []


@pytest.mark.parametrize(
    ("files", "messages"),
    [
        pytest.param(
            {
                "manage.py": MANAGE,
                "proj/__init__.py": "",
                "proj/celery.py": DJANGO_CELERY,
                "proj/settings.py": "task_serializer = 'json'\nCELERY_ACCEPT_CONTENT = ['json']\n",
            },
            [cpk004("CELERY_TASK_SERIALIZER (configuration read from proj.settings)")],
            id="django-settings-ignore-lower-case-names",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/celery_app.py": (
                    "from celery import Celery\n"
                    "from .config import Config\n"
                    "app = Celery('pkg')\n"
                    "app.config_from_object(Config())\n"
                ),
                "pkg/config.py": "class Config(object):\n    CELERY_TASK_SERIALIZER = 'json'\n",
            },
            [cpk004("accept_content (configuration read from pkg.config:Config)")],
            id="class-imported-relatively-and-passed-as-object",
        ),
        pytest.param(
            {
                "worker.py": (
                    "from celery import Celery\n"
                    "class Config:\n"
                    "    task_serializer = 'json'\n"
                    "app = Celery('w')\n"
                    "app.config_from_object(Config)\n"
                ),
            },
            [cpk004("accept_content (configuration read from worker:Config)")],
            id="class-defined-in-the-app-module",
        ),
        pytest.param(
            {
                "w.py": (
                    "import os\n"
                    "from celery import Celery\n"
                    "app = Celery('w')\n"
                    "if os.environ.get('PROD'):\n"
                    "    app.config_from_object('prodconf')\n"
                    "else:\n"
                    "    app.config_from_object('devconf')\n"
                ),
                "prodconf.py": "task_serializer = 'json'\naccept_content = ['json']\n",
                "devconf.py": "task_serializer = 'json'\n",
            },
            [cpk004("accept_content (configuration read from devconf)")],
            id="branches-with-different-config-modules",
        ),
        pytest.param(
            {
                "proj/__init__.py": "",
                "proj/app.py": (
                    "import os\n"
                    "from celery import Celery\n"
                    "os.environ.setdefault('PROJ_CELERY', 'proj.celery_settings')\n"
                    "app = Celery('proj')\n"
                    "app.config_from_envvar('PROJ_CELERY')\n"
                ),
                "proj/celery_settings.py": "task_serializer = 'json'\n",
            },
            [
                cpk004(
                    "accept_content (configuration read from proj.celery_settings, named by "
                    "PROJ_CELERY in proj/app.py)"
                )
            ],
            id="config-from-envvar-set-in-the-module",
        ),
        pytest.param(
            {
                "proj/__init__.py": "",
                "proj/app.py": (
                    "from celery import Celery\napp = Celery('proj', namespace='CELERY')\n"
                ),
                "proj/cfg.py": "CELERY_TASK_SERIALIZER = 'json'\n",
                "Dockerfile": "FROM python:3.12\nENV CELERY_CONFIG_MODULE=proj.cfg\n",
            },
            [
                cpk004(
                    "CELERY_ACCEPT_CONTENT (configuration read from proj.cfg, named by "
                    "CELERY_CONFIG_MODULE in Dockerfile)"
                )
            ],
            id="celery-config-module-from-a-dockerfile",
        ),
        pytest.param(
            {
                "app.py": (
                    "import os\n"
                    "from celery import Celery\n"
                    "app = Celery('a')\n"
                    "app.config_from_object(os.environ.get('CELERY_SETTINGS', 'defaultconf'))\n"
                ),
                "defaultconf.py": "accept_content = ['json']\n",
            },
            [cpk004("task_serializer (configuration read from defaultconf)")],
            id="os-environ-get-with-a-default",
        ),
    ],
)
def test_configuration_missing_settings(
    tmp_path: Path, files: dict[str, str], messages: list[str]
) -> None:
    assert [f.message for f in run(tmp_path, files).findings] == messages


@pytest.mark.parametrize(
    ("files", "messages", "locations"),
    [
        pytest.param(
            {
                "proj/__init__.py": "",
                "proj/asgi.py": (
                    "import os\n"
                    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings.production')\n"
                ),
                "proj/celery.py": (
                    "from celery import Celery\n"
                    "app = Celery('proj')\n"
                    "app.config_from_object('django.conf:settings', namespace='CELERY')\n"
                ),
                "proj/settings/__init__.py": "",
                "proj/settings/base.py": "CELERY_ACCEPT_CONTENT = ['json']\n",
                "proj/settings/production.py": "from proj.settings.base import *\n",
            },
            [cpk004("CELERY_TASK_SERIALIZER (configuration read from proj.settings.production)")],
            [("proj/celery.py", 2, 6, "CPK004")],
            id="django-settings-package-missing-one-setting",
        ),
        pytest.param(
            {
                "src/proj/__init__.py": "",
                "src/proj/celery.py": (
                    "from celery import Celery\n"
                    "from django.conf import settings\n"
                    "app = Celery('proj')\n"
                    "app.config_from_object(settings, namespace='CELERY')\n"
                ),
                "src/proj/settings.py": "CELERY_TASK_ALWAYS_EAGER = False\n",
            },
            [
                cpk004(
                    "CELERY_TASK_SERIALIZER and CELERY_ACCEPT_CONTENT "
                    "(configuration read from proj.settings)"
                )
            ],
            [("src/proj/celery.py", 3, 6, "CPK004")],
            id="django-conventional-layout-without-environment-variable",
        ),
    ],
)
def test_configuration_missing_settings_located(
    tmp_path: Path,
    files: dict[str, str],
    messages: list[str],
    locations: list[tuple[str, int, int, str]],
) -> None:
    result = run(tmp_path, files)
    assert [f.message for f in result.findings] == messages
    assert located(result) == locations


@pytest.mark.parametrize(
    ("files", "note"),
    [
        pytest.param(
            {
                "worker/celery.py": (
                    "import os\n"
                    "from celery import Celery\n"
                    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'website.settings')\n"
                    "app = Celery('w')\n"
                    "app.config_from_object('django.conf:settings', namespace='CELERY')\n"
                ),
            },
            "worker/celery.py:4: CPK004 not checked for this Celery app: its Django settings "
            "module 'website.settings' (DJANGO_SETTINGS_MODULE in worker/celery.py:3) is not in "
            "the scanned tree",
            id="django-settings-module-outside-the-tree-is-a-note",
        ),
        pytest.param(
            {
                "worker/tasks.py": (
                    "from celery import Celery\n"
                    "app = Celery('w')\n"
                    "app.config_from_object('django.conf:settings', namespace='CELERY')\n"
                ),
            },
            "worker/tasks.py:2: CPK004 not checked for this Celery app: it reads Django's "
            "settings, but DJANGO_SETTINGS_MODULE is not set in celery.py, manage.py, wsgi.py or "
            "asgi.py and there is no settings module beside worker/tasks.py",
            id="django-settings-not-found-at-all-is-a-note",
        ),
        pytest.param(
            {
                "app.py": (
                    "from celery import Celery\napp = Celery('a')\napp.config_from_envvar('CFG')\n"
                )
            },
            "app.py:2: CPK004 not checked for this Celery app: the environment variable CFG is "
            "not set anywhere in the scanned tree",
            id="config-from-envvar-set-nowhere-is-a-note",
        ),
        pytest.param(
            {
                "manage.py": MANAGE,
                "proj/__init__.py": "",
                "proj/celery.py": SPLIT_CELERY,
                "proj/settings.py": (
                    "from split_settings.tools import include\n"
                    "include('components/base.py', 'secrets.py')\n"
                ),
                "proj/components/base.py": "CELERY_ACCEPT_CONTENT = ['json']\n",
            },
            "proj/celery.py:2: CPK004 not checked for this Celery app: proj/settings.py includes "
            "secrets.py (django-split-settings), which is not in the scanned tree",
            id="django-split-settings-include-outside-the-tree-is-a-note",
        ),
        pytest.param(
            {
                "web.py": (
                    "from flask import Flask\n"
                    "from celery import Celery\n"
                    "flask_app = Flask(__name__)\n"
                    "flask_app.config.from_pyfile('settings.cfg')\n"
                    "celery = Celery(__name__)\n"
                    "celery.conf.update(flask_app.config)\n"
                ),
            },
            "web.py:5: CPK004 not checked for this Celery app: "
            "flask_app.config.from_pyfile('settings.cfg') in web.py loads Flask settings that "
            "cannot be read statically",
            id="flask-config-from-a-file-is-a-note",
        ),
    ],
)
def test_configuration_that_cannot_be_read_is_a_note(
    tmp_path: Path, files: dict[str, str], note: str
) -> None:
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == [note]


# -- loaders and CELERY_CONFIG_MODULE --------------------------------------------------------

BOTH = "task_serializer = 'json'\naccept_content = ['json']\n"


@pytest.mark.parametrize(
    "loader",
    [
        "'default'",
        "'celery.loaders.default:Loader'",
        "'celery.loaders.default.Loader'",
        "Loader",
        "os.environ.get('CELERY_LOADER') or 'default'",
        "os.environ.get('CELERY_LOADER', 'default')",
    ],
)
def test_default_loader_reads_celeryconfig(tmp_path: Path, loader: str) -> None:
    files = {
        "tasks.py": (
            "import os\n"
            "from celery import Celery\n"
            "from celery.loaders.default import Loader\n"
            f"app = Celery('tasks', loader={loader})\n"
        ),
        "celeryconfig.py": BOTH,
    }
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == []
    files["celeryconfig.py"] = "task_serializer = 'json'\n"
    result = run(tmp_path, files)
    assert located(result) == [("tasks.py", 4, 6, "CPK004")]
    assert [f.message for f in result.findings] == [
        cpk004("accept_content (configuration read from celeryconfig)")
    ]


def test_default_loader_without_celeryconfig(tmp_path: Path) -> None:
    files = {"tasks.py": "from celery import Celery\n\napp = Celery('tasks', loader='default')\n"}
    result = run(tmp_path, files)
    assert result.findings == [
        Finding(
            3,
            6,
            "CPK004",
            cpk004(
                "task_serializer and accept_content (its default loader finds no celeryconfig "
                "module and no CELERY_CONFIG_MODULE in the scanned tree)"
            ),
            3,
            39,
            "project",
            "tasks.py",
        )
    ]
    assert result.notes == []


def test_default_loader_reads_celery_config_module_first(tmp_path: Path) -> None:
    files = {
        "tasks.py": "from celery import Celery\napp = Celery('tasks', loader='default')\n",
        "celeryconfig.py": BOTH,
        "proj/__init__.py": "",
        "proj/conf.py": "accept_content = ['json']\n",
        "Dockerfile": "FROM python:3.12\nENV CELERY_CONFIG_MODULE=proj.conf\n",
    }
    assert [f.message for f in run(tmp_path, files).findings] == [
        cpk004(
            "task_serializer (configuration read from proj.conf, named by CELERY_CONFIG_MODULE "
            "in Dockerfile)"
        )
    ]
    files["proj/conf.py"] = BOTH
    files["celeryconfig.py"] = ""
    assert run(tmp_path, files).findings == []


def test_a_source_replaces_what_the_default_loader_reads(tmp_path: Path) -> None:
    files = {
        "tasks.py": (
            "from celery import Celery\n"
            "app = Celery('tasks', loader='default')\n"
            "app.config_from_object('settings')\n"
            "other = Celery('other', loader='default', config_source='celeryconfig')\n"
        ),
        "celeryconfig.py": "task_serializer = 'json'\n",
        "settings.py": BOTH,
    }
    result = run(tmp_path, files)
    assert located(result) == [("tasks.py", 4, 8, "CPK004")]
    assert [f.message for f in result.findings] == [
        cpk004("accept_content (configuration read from celeryconfig)")
    ]


def test_loader_named_in_the_environment(tmp_path: Path) -> None:
    files = {
        "tasks.py": (
            "import os\n"
            "from celery import Celery\n"
            "app = Celery('tasks', loader=os.environ.get('CELERY_LOADER') or 'default')\n"
        ),
        "celeryconfig.py": BOTH,
        ".env": "CELERY_LOADER=app\n",
    }
    # the app loader does not read celeryconfig
    assert [f.message for f in run(tmp_path, files).findings] == [
        cpk004(
            "task_serializer and accept_content "
            "(no configuration module found for it in the scanned tree)"
        )
    ]
    files[".env"] = "CELERY_LOADER=default\n"
    assert run(tmp_path, files).findings == []


@pytest.mark.parametrize(
    ("loader", "note"),
    [
        pytest.param(
            "'pyramid_celery.loaders:INILoader'",
            "tasks.py:3: CPK004 not checked for this Celery app: its loader "
            "'pyramid_celery.loaders:INILoader' may read configuration the project view "
            "cannot follow",
            id="custom-loader",
        ),
        pytest.param(
            "make_loader()",
            "tasks.py:3: CPK004 not checked for this Celery app: its loader `make_loader()` "
            "cannot be read statically",
            id="computed-loader",
        ),
    ],
)
def test_loaders_that_cannot_be_followed_are_a_note(tmp_path: Path, loader: str, note: str) -> None:
    files = {
        "tasks.py": f"from celery import Celery\n\napp = Celery('tasks', loader={loader})\n",
        "celeryconfig.py": BOTH,
    }
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == [note]


@pytest.mark.parametrize(
    "loader", ["", ", loader='app'", ", loader='celery.loaders.app:AppLoader'", ", loader=None"]
)
def test_the_app_loader_is_the_single_file_checkers(tmp_path: Path, loader: str) -> None:
    # the app loader reads no celeryconfig: the single-file checker reports this app
    files = {
        "tasks.py": f"from celery import Celery\napp = Celery('tasks'{loader})\n",
        "celeryconfig.py": BOTH,
    }
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == []


def test_celery_config_module_set_in_the_app_module(tmp_path: Path) -> None:
    files = {
        "proj/__init__.py": "",
        "proj/tasks.py": (
            "import os\n"
            "from celery import Celery\n"
            "os.environ.setdefault('CELERY_CONFIG_MODULE', 'proj.celeryconf')\n"
            "app = Celery('tasks')\n"
        ),
        "proj/celeryconf.py": BOTH,
    }
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == []
    files["proj/celeryconf.py"] = "task_serializer = 'json'\n"
    result = run(tmp_path, files)
    assert located(result) == [("proj/tasks.py", 4, 6, "CPK004")]
    assert [f.message for f in result.findings] == [
        cpk004(
            "accept_content (configuration read from proj.celeryconf, named by "
            "CELERY_CONFIG_MODULE in proj/tasks.py)"
        )
    ]


def test_celery_config_module_computed_in_the_app_module_is_a_note(tmp_path: Path) -> None:
    files = {
        "tasks.py": (
            "import os\n"
            "from celery import Celery\n"
            "os.environ['CELERY_CONFIG_MODULE'] = os.environ['STAGE'] + '.conf'\n"
            "app = Celery('tasks')\n"
        ),
    }
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.notes == [
        "tasks.py:4: CPK004 not checked for this Celery app: CELERY_CONFIG_MODULE is computed "
        "at run time in tasks.py:3 (`os.environ['STAGE'] + '.conf'`)"
    ]


def test_a_literal_source_is_not_replaced_by_celery_config_module(tmp_path: Path) -> None:
    files = {
        "tasks.py": (
            "import os\n"
            "from celery import Celery\n"
            "os.environ['CELERY_CONFIG_MODULE'] = 'celeryconf'\n"
            "app = Celery('tasks')\n"
            "app.config_from_object({'broker_url': 'redis://'})\n"
        ),
        "celeryconf.py": BOTH,
    }
    # the single-file checker leaves a module that sets CELERY_CONFIG_MODULE to this view
    assert located(run(tmp_path, files)) == [("tasks.py", 4, 6, "CPK004")]


def test_celery_config_module_set_outside_the_app_module(tmp_path: Path) -> None:
    # The app reads it (BaseLoader.read_configuration), but the single-file checker cannot see
    # a .env file: the project view judges the app and takes its single-file finding over.
    files = {
        "tasks.py": "from celery import Celery\napp = Celery('tasks')\n",
        "celeryconf.py": "task_serializer = 'json'\n",
        ".env": "CELERY_CONFIG_MODULE=celeryconf\n",
    }
    result = run(tmp_path, files)
    assert located(result) == [("tasks.py", 2, 6, "CPK004")]
    assert result.findings[0].message == cpk004(
        "accept_content (configuration read from celeryconf, named by CELERY_CONFIG_MODULE in .env)"
    )
    assert result.takes_over == [("tasks.py", 2, 6, "CPK004")]
    assert result.notes == []
    files["celeryconf.py"] += "accept_content = ['json']\n"
    result = run(tmp_path, files)
    assert result.findings == []
    assert result.takes_over == [("tasks.py", 2, 6, "CPK004")]
