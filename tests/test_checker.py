"""Unit tests of the Python checker: messages, options, resolution, the guard and the gate."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from flake8_celery_pickle.python import check_source, check_tree
from flake8_celery_pickle.python import judge as judge_module
from flake8_celery_pickle.settings import Settings


def results(source: str, settings: Settings | None = None) -> list[str]:
    source = textwrap.dedent(source)
    found = check_source(source, settings) if settings else check_source(source)
    return [f"{f.line}:{f.col + 1}: {f.code} {f.message}" for f in found]


def codes(source: str, settings: Settings | None = None) -> list[str]:
    return [line.split(" ")[1] for line in results(source, settings)]


def test_message_says_what_is_wrong_and_what_to_write_instead() -> None:
    assert results("task_serializer = 'pickle'\n") == [
        "1:19: CPK001 task_serializer is 'pickle': pickled task and remote-control messages "
        "can run code on workers; use 'json'"
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "accept_content = ['json', 'pickle']\n",
            "1:27: CPK002 accept_content accepts 'pickle': any message of that type can run "
            "code in this process; accept only 'json'",
            id="CPK002",
        ),
        pytest.param(
            "import celery\napp = celery.Celery('p')\n",
            "2:7: CPK004 Celery app without explicit task_serializer and accept_content: "
            "Celery before 4.0.1 sends or accepts pickle by default; set "
            "task_serializer='json' and accept_content=['json']",
            id="CPK004",
        ),
        pytest.param(
            "from kombu import enable_insecure_serializers\nenable_insecure_serializers()\n",
            "2:1: CPK007 enable_insecure_serializers() turns pickle decoding back on for "
            "consumers without an accept list; remove it and pass accept=['json'] to consumers",
            id="CPK007",
        ),
        pytest.param(
            "CELERY_RESULT_BACKEND = 'db+postgresql://user:secret@host/db'\n",
            "1:25: CPK010 result backend 'db+postgresql://...' stores results pickled whatever "
            "result_serializer says; write access to it means code execution in result readers",
            id="CPK010-never-echoes-credentials",
        ),
    ],
)
def test_messages(source: str, expected: str) -> None:
    assert results(source) == [expected]


def test_missing_setting_is_named() -> None:
    source = """
        from celery import Celery
        app = Celery('p')
        app.conf.task_serializer = 'json'
    """
    assert results(source) == [
        "3:7: CPK004 Celery app without explicit accept_content: Celery before 4.0.1 sends or "
        "accepts pickle by default; set task_serializer='json' and accept_content=['json']"
    ]


class TestConfigModuleSetInTheModule:
    """Every app without a configuration source of its own reads the module
    ``CELERY_CONFIG_MODULE`` names (``BaseLoader.read_configuration``): a module that sets it
    is configured elsewhere, and the command's project view judges that module."""

    @pytest.mark.parametrize(
        "setter",
        [
            "os.environ.setdefault('CELERY_CONFIG_MODULE', 'celeryconf')",
            "os.environ['CELERY_CONFIG_MODULE'] = 'celeryconf'",
            "os.environ.update(CELERY_CONFIG_MODULE='celeryconf')",
            "os.environ.update({'CELERY_CONFIG_MODULE': 'celeryconf'})",
            "os.putenv('CELERY_CONFIG_MODULE', 'celeryconf')",
            "os.environ.setdefault('CELERY_CONFIG_MODULE', os.environ['STAGE'] + '.conf')",
        ],
    )
    def test_silent(self, setter: str) -> None:
        source = f"import os\nfrom celery import Celery\n{setter}\napp = Celery('p')\n"
        assert codes(source) == []

    def test_from_os_import_environ(self) -> None:
        source = """
            from os import environ
            from celery import Celery
            app = Celery('p')
            other = Celery('q')
            environ['CELERY_CONFIG_MODULE'] = 'celeryconf'
        """
        assert codes(source) == []

    @pytest.mark.parametrize(
        "setter",
        [
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')",
            "value = os.environ.get('CELERY_CONFIG_MODULE')",
            "os.environ.pop('CELERY_CONFIG_MODULE', None)",
        ],
    )
    def test_other_variables_and_reads_do_not_count(self, setter: str) -> None:
        source = f"import os\nfrom celery import Celery\n{setter}\napp = Celery('p')\n"
        assert results(source) == [
            "4:7: CPK004 Celery app without explicit task_serializer and accept_content: "
            "Celery before 4.0.1 sends or accepts pickle by default; set "
            "task_serializer='json' and accept_content=['json']"
        ]


class TestLoaders:
    """``Celery(loader=...)``: any loader but the app loader reads configuration of its own."""

    @pytest.mark.parametrize(
        "loader",
        [
            "'default'",
            "'celery.loaders.default:Loader'",
            "'celery.loaders.default.Loader'",
            "os.environ.get('CELERY_LOADER') or 'default'",
            "os.environ.get('CELERY_LOADER', 'default')",
            "DefaultLoader",
            "'pyramid_celery.loaders:INILoader'",
            "LOADER",
        ],
    )
    def test_other_loaders_load_configuration_elsewhere(self, loader: str) -> None:
        source = (
            "import os\nfrom celery import Celery\n"
            "from celery.loaders.default import Loader as DefaultLoader\n"
            f"app = Celery('p', loader={loader})\n"
        )
        assert codes(source) == []

    @pytest.mark.parametrize(
        "loader",
        [
            "'app'",
            "'celery.loaders.app:AppLoader'",
            "'celery.loaders.app.AppLoader'",
            "AppLoader",
            "celery.loaders.app.AppLoader",
            "'celery.loaders.base:BaseLoader'",
            "None",
        ],
    )
    def test_the_app_loader_reads_nothing_more(self, loader: str) -> None:
        source = (
            "import celery.loaders.app\nfrom celery import Celery\n"
            "from celery.loaders.app import AppLoader\n"
            f"app = Celery('p', loader={loader})\n"
        )
        assert codes(source) == ["CPK004"]

    def test_only_the_app_with_the_loader_is_configured_elsewhere(self) -> None:
        source = """
            from celery import Celery
            worker = Celery('w', loader='default')
            plain = Celery('p')
        """
        assert [line.split(" ")[0:2] for line in results(source)] == [["4:9:", "CPK004"]]


class TestNamespaces:
    SOURCE = "MYAPP_TASK_SERIALIZER = 'pickle'\nCELERY_TASK_SERIALIZER = 'pickle'\n"

    def test_default_namespace_is_celery(self) -> None:
        assert results(self.SOURCE)[0].startswith("2:26: CPK001 CELERY_TASK_SERIALIZER")
        assert len(results(self.SOURCE)) == 1

    def test_custom_namespace(self) -> None:
        found = results(self.SOURCE, Settings(namespaces=("MYAPP",)))
        # The old CELERY_* spelling is still a setting name.
        assert [line.split(" ")[0:3] for line in found] == [
            ["1:25:", "CPK001", "MYAPP_TASK_SERIALIZER"],
            ["2:26:", "CPK001", "CELERY_TASK_SERIALIZER"],
        ]

    def test_lower_case_namespace_keeps_lower_case_names(self) -> None:
        found = results("celery_task_serializer = 'pickle'\n", Settings(namespaces=("celery",)))
        assert codes("celery_task_serializer = 'pickle'\n") == []
        assert [line.split(" ")[1] for line in found] == ["CPK001"]


class TestUnsafeSerializers:
    def test_user_declared_name_counts_as_pickle(self) -> None:
        source = "accept_content = ['json', 'secure_pickle2']\n"
        assert codes(source) == []
        found = results(source, Settings(unsafe_serializers=frozenset({"secure_pickle2"})))
        assert found == [
            "1:27: CPK002 accept_content accepts 'secure_pickle2': any message of that type "
            "can run code in this process; accept only 'json'"
        ]

    def test_the_gate_knows_user_declared_names(self) -> None:
        settings = Settings(unsafe_serializers=frozenset({"myser"}))
        assert codes("task_serializer = 'myser'\n", settings) == ["CPK001"]


class TestResolution:
    @pytest.mark.parametrize(
        "source",
        [
            "from celery import Celery as App\napp = App('p')\n",
            "import celery as c\napp = c.Celery('p')\n",
            "from celery.app.base import Celery\napp = Celery('p')\n",
            "from celery import Celery\nclass Mine(Celery):\n    pass\napp = Mine('p')\n",
        ],
    )
    def test_app_construction_through_imports(self, source: str) -> None:
        assert codes(source) == ["CPK004"]

    @pytest.mark.parametrize(
        "source",
        [
            "import kombu.serialization as ks\nks.registry.enable('pickle')\n",
            "from kombu import serialization\nserialization.registry.enable('pickle')\n",
            "import kombu.serialization\nkombu.serialization.registry.enable('pickle')\n",
        ],
    )
    def test_kombu_module_aliases(self, source: str) -> None:
        assert codes(source) == ["CPK007"]

    def test_serializer_keyword_on_foreign_receiver_is_silent(self) -> None:
        source = """
            import redis
            client = redis.Redis()
            client.publish('channel', 'x', serializer='pickle')
        """
        assert codes(source) == []

    def test_task_arguments_are_not_options(self) -> None:
        source = """
            from proj.tasks import add
            add.delay(1, serializer='pickle')
            add.s(1, serializer='pickle')
            add.si(1, serializer='pickle')
        """
        assert codes(source) == []

    def test_options_dict_bound_to_a_name(self) -> None:
        source = """
            from celery import Celery, signature
            from proj.tasks import add
            app = Celery('p', task_serializer='json', accept_content=['json'])
            OPTS = {'queue': 'q', 'serializer': 'pickle'}
            app.send_task('t', **OPTS)
            signature('t', options=OPTS)
            add.delay(**OPTS)
            add.s(**OPTS)
            add.si(**OPTS)

            def forward(**kwargs):
                app.send_task('t', **kwargs)

            def local():
                opts = dict(serializer='json')
                opts2 = dict(serializer='pickle') if flag else {}
                app.send_task('t', **opts)
                add.apply_async((1,), options=opts2)
        """
        assert [r.split(" ", 2)[:2] for r in results(source)] == [
            ["5:37:", "CPK005"],
            ["5:37:", "CPK005"],
            ["17:29:", "CPK005"],
        ]

    def test_signature_of_an_imported_task(self) -> None:
        source = """
            import rsa
            from celery import Celery
            from proj.tasks import add
            app = Celery('p', task_serializer='json', accept_content=['json'])

            class Plain:
                pass

            plain = Plain()
            add.signature((1,), serializer='pickle')
            plain.signature((1,), serializer='pickle')
            rsa.signature((1,), serializer='pickle')
        """
        assert [r.split(" ", 2)[:2] for r in results(source)] == [["11:32:", "CPK005"]]

    def test_project_celery_module_app(self) -> None:
        source = """
            from proj.celery import app
            app.send_task('x', serializer='pickle')
            app.conf.task_serializer = 'pickle'
        """
        assert codes(source) == ["CPK005", "CPK001"]

    def test_unknown_values_are_never_guessed(self) -> None:
        source = """
            import os
            from django.conf import settings
            task_serializer = os.environ['TASK_SERIALIZER']
            accept_content = settings.ACCEPT
            result_serializer = compute()
            CELERY_ACCEPT_CONTENT = [f'{x}']
        """
        assert codes(source) == []


class TestGuard:
    def test_any_exception_becomes_one_cpk000_naming_its_type(self, monkeypatch) -> None:
        def boom(tree, settings):
            raise KeyError("internal")

        monkeypatch.setattr(judge_module, "judge", boom)
        assert results("task_serializer = 'pickle'\n") == [
            "1:1: CPK000 internal error: the checker failed on this file (KeyError); the file "
            "was not checked, please report this"
        ]

    def test_files_the_gate_rejects_are_never_judged(self, monkeypatch) -> None:
        def boom(tree, settings):
            raise AssertionError("judged")

        monkeypatch.setattr(judge_module, "judge", boom)
        assert check_source("import json\nx = json.dumps({})\n") == []
        lines = ["import json\n", "x = 1\n"]
        assert check_tree(ast.parse("".join(lines)), lines) == []
        # an empty file, as flake8 gives it: no lines, nothing to judge
        assert check_tree(ast.parse(""), []) == []

    def test_deep_attribute_chains_do_not_exhaust_recursion(self) -> None:
        source = "import celery\nx = a" + ".b" * 600 + ".apply_async(serializer='pickle')\n"
        assert codes(source) == ["CPK005"]

    @staticmethod
    def _chain(links: list[str]) -> str:
        head = "from kombu import Producer\np0 = Producer(None)\n"
        return head + "".join(links) + "p3000.publish(None, serializer='pickle')\n"

    def test_long_alias_chains_in_source_order_are_followed(self) -> None:
        links = [f"p{i} = p{i - 1}\n" for i in range(1, 3001)]
        assert results(self._chain(links)) == [
            "3003:32: CPK005 p3000.publish() uses serializer 'pickle': the message is pickled "
            "and can run code where it is consumed; use serializer='json'"
        ]

    def test_long_alias_chains_out_of_order_are_unknown_not_a_crash(self) -> None:
        # Bound in reverse: no source order makes the lookups shallow, so the receiver stays
        # unknown; the file imports kombu, so an unknown ``.publish`` receiver is still judged.
        links = [f"p{i} = p{i - 1}\n" for i in range(3000, 0, -1)]
        assert results(self._chain(links)) == [
            "3003:32: CPK005 p3000.publish() uses serializer 'pickle': the message is pickled "
            "and can run code where it is consumed; use serializer='json'"
        ]

    def test_unparsable_source_raises_syntax_error_for_the_caller(self) -> None:
        with pytest.raises(SyntaxError):
            check_source("task_serializer = 'pickle'(\n")


FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.py"))
#: Corners of the grammar the model's walk must not skip: calls and dicts under annotations,
#: defaults, decorators, keywords, starred arguments, f-strings, lambdas and comprehensions.
WALK_CORNERS = """
import celery
from kombu import Producer as P

@app.task(**{"serializer": make()})
def f(a: g({"k": 1}) = h(), *args: i(), b=lambda: j({"x": k()}), **kw: l()) -> m(n()):
    x = [o(p) for p in q(r()) if s(t())]
    y = f"{u(v())!r:>{w()}}"
    z = {**aa(), "k": bb(cc())}
    del x[dd()]
    assert ee(), ff()
    with gg() as (hh, ii):
        raise jj() from kk()
    return (yield ll(*mm(), **nn()))

class C(oo(), metaclass=pp(), flag=qq()):
    attr: rr(ss()) = tt()
    (a := uu())
"""


def _module_sources() -> list[str]:
    return [WALK_CORNERS, *(path.read_text(encoding="utf-8") for path in FIXTURES)]


class TestModel:
    @pytest.mark.parametrize("source", _module_sources())
    def test_the_walk_records_every_call_dict_and_assignment_in_walk_order(
        self, source: str
    ) -> None:
        """The model's walk skips what cannot matter; it records exactly what a plain
        pre-order walk (fields in order) meets, in that order."""
        from flake8_celery_pickle.python.model import build_model

        tree = ast.parse(source)
        model = build_model(tree)
        walked: list[ast.AST] = []
        stack: list[ast.AST] = [tree]
        while stack:
            node = stack.pop()
            walked.append(node)
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
        for recorded, kinds in (
            (model.calls, ast.Call),
            (model.dicts, ast.Dict),
            (model.assigns, (ast.Assign, ast.AnnAssign, ast.AugAssign)),
        ):
            assert [id(node) for node, _ in recorded] == [
                id(node) for node in walked if isinstance(node, kinds)
            ]


class TestCallFilters:
    """Checks see only the calls they declare (by name, or resolving to Celery or kombu); that
    must never hide a finding that handing them every call would give."""

    @pytest.mark.parametrize("source", _module_sources())
    def test_filtered_and_unfiltered_judging_find_the_same(self, monkeypatch, source) -> None:
        filtered = check_source(source)
        unfiltered = {
            phase: [(check, judge_module.EVERY_CALL) for check, _ in checks]
            for phase, checks in judge_module._CHECKS.items()
        }
        monkeypatch.setattr(judge_module, "_CHECKS", unfiltered)
        assert check_source(source) == filtered
