"""The project view over whole, realistic layouts: each app's configuration and the pins."""

from __future__ import annotations

from pathlib import Path

from project_helpers import run

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.finding import Finding

CELERY_APP = """\
    import os

    from celery import Celery

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

    app = Celery("myproject")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks()
"""


def _cookiecutter(base: str, pin: str) -> dict[str, str]:
    return {
        "manage.py": (
            "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\n"
        ),
        "config/__init__.py": "from .celery_app import app as celery_app\n",
        "config/celery_app.py": CELERY_APP,
        "config/wsgi.py": (
            "import os\n"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.production')\n"
        ),
        "config/settings/__init__.py": "",
        "config/settings/base.py": base,
        "config/settings/local.py": "from .base import *  # noqa\nfrom .base import env\n",
        "config/settings/production.py": "from .base import *  # noqa\n",
        "requirements/base.txt": f"django==1.11.29\n{pin}\n",
        "requirements/production.txt": "-r base.txt\ngunicorn\n",
    }


def test_cookiecutter_django_layout_with_explicit_settings(tmp_path: Path) -> None:
    base = "import environ\nenv = environ.Env()\n"
    base += "CELERY_TASK_SERIALIZER = 'json'\nCELERY_ACCEPT_CONTENT = ['json']\n"
    result = run(tmp_path, _cookiecutter(base, "celery==3.1.25"))
    assert result.findings == []
    assert result.notes == []


def test_cookiecutter_django_layout_without_serializer_settings(tmp_path: Path) -> None:
    base = "import environ\nenv = environ.Env()\nCELERY_BROKER_URL = env('REDIS_URL')\n"
    result = run(tmp_path, _cookiecutter(base, "celery[redis]>=3.1,<4"))
    origin = "(configuration read from config.settings.local)"
    assert result.findings == [
        Finding(
            7,
            6,
            "CPK004",
            BY_CODE["CPK004"].format(
                missing=f"CELERY_TASK_SERIALIZER and CELERY_ACCEPT_CONTENT {origin}"
            ),
            7,
            25,
            "project",
            "config/celery_app.py",
        ),
        Finding(
            2,
            0,
            "CPK011",
            BY_CODE["CPK011"].format(
                version="celery<4,>=3.1",
                behaviour="sends and accepts",
                missing=f"CELERY_TASK_SERIALIZER and CELERY_ACCEPT_CONTENT {origin}",
                explicit="CELERY_TASK_SERIALIZER='json' and CELERY_ACCEPT_CONTENT=['json']",
            ),
            2,
            21,
            "project",
            "requirements/base.txt",
        ),
    ]
    assert result.notes == []


def test_monorepo_services_resolve_their_own_settings(tmp_path: Path) -> None:
    celery = (
        "import os\n"
        "from celery import Celery\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"
        "app = Celery('proj')\n"
        "app.config_from_object('django.conf:settings', namespace='CELERY')\n"
    )
    result = run(
        tmp_path,
        {
            "services/api/src/proj/__init__.py": "",
            "services/api/src/proj/celery.py": celery,
            "services/api/src/proj/settings.py": (
                "CELERY_TASK_SERIALIZER = 'json'\nCELERY_ACCEPT_CONTENT = ['json']\n"
            ),
            "services/jobs/proj/__init__.py": "",
            "services/jobs/proj/celery.py": celery,
            "services/jobs/proj/settings.py": "CELERY_TASK_SERIALIZER = 'json'\n",
        },
    )
    assert [(f.path, f.line, f.col, f.code, f.message) for f in result.findings] == [
        (
            "services/jobs/proj/celery.py",
            4,
            6,
            "CPK004",
            BY_CODE["CPK004"].format(
                missing="CELERY_ACCEPT_CONTENT (configuration read from proj.settings)"
            ),
        )
    ]
    assert result.notes == []
