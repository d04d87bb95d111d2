"""The text gate: which sources it lets through, and that it never hides a finding."""

from __future__ import annotations

import ast

import pytest

from flake8_celery_pickle.python import check_source, may_hold_finding
from flake8_celery_pickle.python.checker import check_tree
from flake8_celery_pickle.settings import Settings

THROUGH = [
    "x = 'pickle'",
    "CT = 'application/x-python-serialize'",
    "result_backend = 'django-cache'",
    "result_backend = 'db+sqlite:///r.db'",
    "entry_points={'kombu.serializers': ['a = b:c']}",
    "from kombu.serialization import register\nregister('x', d, l, 'application/data')",
    "from kombu.serialization import register as add\nadd('y', d, yaml.unsafe_load, 'a/y')",
    "from kombu import serialization\ncodec = serialization.register\ncodec('m', d, l, 'a/m')",
    "from kombu.serialization import registry\nregistry.register ('d', d, l, 'application/data')",
    "import kombu\nkombu.enable_insecure_serializers()",
    "from kombu.serialization import registry\nregistry._set_default_serializer(name)",
    "from kombu.serialization import loads\nloads(b, ct, 'binary', force=True)",
    "from celery import Celery\napp = Celery('proj')",
    "import celery\napp = celery.Celery('proj')",
    "from celery import Celery as App\napp = App('proj')",
    "import celery\nApp = celery.Celery\napp = App()",
    "from celery import (\n    Celery,\n    shared_task,\n)\napp = Celery()",
    "import celery\nclass Proj(\n    celery.Celery,\n):\n    pass\napp = Proj()",
    "import celery\nclass Proj(celery.Celery):\n    pass",
]
HELD_BACK = [
    "",
    "x = 1",
    '"""A helper for the Celery application."""\nimport os',
    "# talks to kombu through the app\nimport os",
    "import kombu\nq = kombu.Queue('q')",  # kombu without a registry word
    "from celery import shared_task\n\n@shared_task\ndef add(x, y):\n    return x + y",
    "from django.contrib import admin\nadmin.site.register(Model)",  # register without kombu
    "from pytest_celery import CeleryTestSetup",  # a name that only contains Celery
]


@pytest.mark.parametrize("source", THROUGH)
def test_sources_that_may_hold_a_finding_pass(source: str) -> None:
    assert may_hold_finding(source)
    assert may_hold_finding(source.splitlines(keepends=True))


@pytest.mark.parametrize("source", HELD_BACK)
def test_sources_that_cannot_hold_a_finding_are_held_back(source: str) -> None:
    assert not may_hold_finding(source)


@pytest.mark.parametrize("source", HELD_BACK)
def test_what_the_gate_holds_back_really_has_no_finding(source: str) -> None:
    import ast

    assert check_tree(ast.parse(source), None, Settings(namespaces=("CELERY",))) == []


def test_declared_unsafe_names_pass() -> None:
    settings = Settings(unsafe_serializers=frozenset({"secure_pickle_v2", "signed"}))
    assert may_hold_finding("task_serializer = 'signed'", settings)
    assert not may_hold_finding("task_serializer = 'signed'")


def test_each_code_with_its_minimal_trigger_passes_and_is_found() -> None:
    """One smallest real finding per code: the gate lets each through and the checker finds it."""
    cases = {
        "CPK001": "task_serializer = 'pickle'\n",
        "CPK002": "accept_content = ['pickle']\n",
        "CPK003": "from celery import Celery\napp = Celery()\n"
        "app.conf.update(task_serializer='pickle', accept_content=['json'])\n",
        "CPK004": "from celery import Celery\napp = Celery('proj')\n",
        "CPK005": "from celery import shared_task\n\n@shared_task(serializer='pickle')\n"
        "def add(x, y):\n    return x + y\n",
        "CPK006": "from kombu import Consumer\nConsumer(ch, queues, accept=['pickle'])\n",
        "CPK007": "import kombu\nkombu.enable_insecure_serializers()\n",
        "CPK008": "import pickle\nfrom kombu.serialization import register\n"
        "register('p', pickle.dumps, pickle.loads, 'application/x-p', 'binary')\n",
        "CPK009": "from celery import Celery\napp = Celery(task_serializer='json', "
        "accept_content=['json'])\napp.setup_security(serializer='pickle')\n",
        "CPK010": "result_backend = 'django-cache'\n",
    }
    for code, source in cases.items():
        assert may_hold_finding(source), code
        assert code in {f.code for f in check_source(source)}, code


@pytest.mark.parametrize(
    "source",
    [
        "task_serializer = 'pic' 'kle'\n",
        "task_serializer = '\\x70ickle'\n",
    ],
)
def test_pickle_spelled_without_its_letters_together_is_held_back(source: str) -> None:
    """The documented exception: the walk would find it, the gate (by design) does not."""
    assert [f.code for f in check_tree(ast.parse(source), None, Settings())] == ["CPK001"]
    assert not may_hold_finding(source)
    assert check_source(source) == []
