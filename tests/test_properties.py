"""Property tests: generated Celery configurations whose findings are known in advance.

A configuration is built from parts: the setting (a serializer or an accept-content setting),
its spelling (new lowercase, old ``CELERY_*``, a Django namespace), the form of the value
(string, list, tuple, set, ``frozenset(...)``, concatenation, ``*`` unpacking, content type,
environment default) and the carrier that sets it (module or class assignment, ``app.conf``,
``conf.update``, ``Celery(...)`` keywords, per-call APIs, kombu producers and consumers). The
carrier fixes the code and the position of the pickle literal, so every generated module has
exactly one expected finding. The generated modules load their app's configuration from
elsewhere (``config_from_object('proj.celeryconfig')``), so CPK004 never adds noise.

The last properties feed hypothesmith programs to the checker: it must never raise anything but
the parser's own errors, and never give up with CPK000. Set ``CPK_FUZZ=1`` for longer runs.
"""

from __future__ import annotations

import ast
import os
import warnings
from dataclasses import dataclass
from typing import List, Tuple

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_celery_pickle.python import check_source, check_tree, may_hold_finding
from flake8_celery_pickle.settings import Settings

# Generated programs such as ``1()`` make the compiler warn while hypothesmith builds them.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

FUZZ = os.environ.get("CPK_FUZZ") == "1"
#: Examples per run. hypothesmith's ``from_node`` is slow to generate (about half a second per
#: program on a busy two-core machine), so it gets fewer than ``from_grammar``.
CONFIG_EXAMPLES = 2000 if FUZZ else 300
GRAMMAR_EXAMPLES = 5000 if FUZZ else 250
NODE_EXAMPLES = 300 if FUZZ else 20

CONFIG_SETTINGS = settings(
    max_examples=CONFIG_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
_FUZZ_HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
GRAMMAR_SETTINGS = settings(
    max_examples=GRAMMAR_EXAMPLES, deadline=None, suppress_health_check=_FUZZ_HEALTH
)
NODE_SETTINGS = settings(
    max_examples=NODE_EXAMPLES, deadline=None, suppress_health_check=_FUZZ_HEALTH
)

#: Marks where the pickle literal starts in a template; removed before checking.
MARK = "\x00"
PICKLE = "pickle"
PICKLE_TYPE = "application/x-python-serialize"
SAFE = {PICKLE: "json", PICKLE_TYPE: "application/json"}

#: Django namespaces the generator may use; the checker is told about all of them.
NAMESPACES = ("CELERY", "MYAPP")
CHECK_SETTINGS = Settings(namespaces=NAMESPACES)


# --------------------------------------------------------------------------------------------
# The parts of a configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    new: str
    old: str
    #: ``<NS>_`` + this is the name under a Django namespace.
    django_suffix: str
    #: ``serializer`` (one name) or ``accept`` (a collection of names).
    kind: str


SETTINGS = (
    Setting("task_serializer", "CELERY_TASK_SERIALIZER", "TASK_SERIALIZER", "serializer"),
    Setting("result_serializer", "CELERY_RESULT_SERIALIZER", "RESULT_SERIALIZER", "serializer"),
    Setting("event_serializer", "CELERY_EVENT_SERIALIZER", "EVENT_SERIALIZER", "serializer"),
    Setting("accept_content", "CELERY_ACCEPT_CONTENT", "ACCEPT_CONTENT", "accept"),
    # The only old spelling of result_accept_content has no CELERY_ prefix.
    Setting("result_accept_content", "RESULT_ACCEPT_CONTENT", "RESULT_ACCEPT_CONTENT", "accept"),
)

#: Spellings: ``new``, ``old``, or ``django:<NS>``.
SPELLINGS = ("new", "old", *(f"django:{ns}" for ns in NAMESPACES))


def spelled(setting: Setting, spelling: str) -> str:
    if spelling == "new":
        return setting.new
    if spelling == "old":
        return setting.old
    return f"{spelling.split(':', 1)[1]}_{setting.django_suffix}"


@dataclass(frozen=True)
class ValueForm:
    name: str
    kind: str
    #: ``{v}`` is replaced by the quoted pickle spelling, preceded by :data:`MARK`.
    template: str
    #: Which pickle spelling the form uses.
    spelling: str = PICKLE


VALUE_FORMS = (
    ValueForm("str", "serializer", "{v}"),
    ValueForm("content-type", "serializer", "{v}", PICKLE_TYPE),
    ValueForm("environ-get", "serializer", "os.environ.get('CELERY_SERIALIZER', {v})"),
    ValueForm("getenv", "serializer", "os.getenv('CELERY_SERIALIZER', default={v})"),
    ValueForm("conditional", "serializer", "'json' if os.environ.get('FAST') else {v}"),
    ValueForm("list", "accept", "['json', {v}]"),
    ValueForm("tuple", "accept", "('json', {v})"),
    ValueForm("set", "accept", "{{'json', {v}}}"),
    ValueForm("frozenset", "accept", "frozenset(['json', {v}])"),
    ValueForm("concatenation", "accept", "['json'] + [{v}]"),
    ValueForm("starred", "accept", "['json', *['msgpack', {v}]]"),
    ValueForm("content-type-list", "accept", "['json', {v}]", PICKLE_TYPE),
    ValueForm("split-str", "accept", "{v}.split(',')"),
    ValueForm("env-default", "accept", "os.environ.get('CELERY_ACCEPT', {v}).split(',')"),
)


def value_text(form: ValueForm, safe: bool) -> str:
    spelling = SAFE[form.spelling] if safe else form.spelling
    if form.name in ("split-str", "env-default"):
        spelling = f"json,{spelling}"
    return form.template.format(v=f"{MARK}'{spelling}'")


@dataclass(frozen=True)
class Carrier:
    name: str
    #: Kinds of value it carries: settings carry both, per-call APIs one.
    kinds: Tuple[str, ...]
    #: ``{code}`` for carriers of settings is filled from the setting's kind.
    code: str
    #: ``{name}`` is the setting name, ``{value}`` the value text.
    template: str
    #: Whether Django namespaced names make sense here (settings modules and classes only).
    django: bool = False


APP = "app = Celery('proj')\napp.config_from_object('proj.celeryconfig')\n"
BOTH = ("serializer", "accept")

CARRIERS = (
    Carrier("module", BOTH, "setting", "{name} = {value}\n", django=True),
    Carrier("annotated", BOTH, "setting", "{name}: object = {value}\n", django=True),
    Carrier(
        "class-body",
        BOTH,
        "setting",
        "class CeleryConfig:\n    broker_url = 'redis://'\n    {name} = {value}\n",
        django=True,
    ),
    Carrier("conf-attribute", BOTH, "setting", APP + "app.conf.{name} = {value}\n"),
    Carrier("conf-item", BOTH, "setting", APP + "app.conf['{name}'] = {value}\n"),
    Carrier("update-keywords", BOTH, "CPK003", APP + "app.conf.update({name}={value})\n"),
    Carrier(
        "update-dict",
        BOTH,
        "CPK003",
        APP + "app.conf.update({{\n    'broker_url': 'redis://',\n    '{name}': {value},\n}})\n",
    ),
    Carrier(
        "celery-keyword",
        BOTH,
        "CPK003",
        "app = Celery(\n    'proj',\n    {name}={value},\n)\n"
        "app.config_from_object('proj.celeryconfig')\n",
    ),
    Carrier(
        "decorator",
        ("serializer",),
        "CPK005",
        APP + "\n\n@app.task(bind=True, serializer={value})\ndef work(self, x):\n    return x\n",
    ),
    Carrier(
        "apply-async",
        ("serializer",),
        "CPK005",
        APP + "\n\n@app.task\ndef work(x):\n    return x\n\n\n"
        "work.apply_async((1,), countdown=3, serializer={value})\n",
    ),
    Carrier(
        "producer",
        ("serializer",),
        "CPK005",
        "with Connection('amqp://') as conn:\n"
        "    producer = Producer(conn.channel(), serializer={value})\n",
    ),
    Carrier(
        "consumer",
        ("accept",),
        "CPK006",
        "with Connection('amqp://') as conn:\n"
        "    consumer = Consumer(conn, [Queue('q')], accept={value})\n",
    ),
)

IMPORTS = (
    "import os\n\nfrom celery import Celery\n"
    "from kombu import Connection, Consumer, Producer, Queue\n\n"
)


@dataclass(frozen=True)
class Config:
    setting: Setting
    spelling: str
    form: ValueForm
    carrier: Carrier

    @property
    def name(self) -> str:
        return spelled(self.setting, self.spelling)

    @property
    def code(self) -> str:
        if self.carrier.code != "setting":
            return self.carrier.code
        return "CPK001" if self.setting.kind == "serializer" else "CPK002"

    def render(
        self, safe: bool = False, before: str = "", between: str = ""
    ) -> Tuple[str, int, int]:
        """The module's source, and the 1-based line and 0-based column of the pickle literal."""
        body = self.carrier.template.format(name=self.name, value=value_text(self.form, safe))
        marked = before + IMPORTS + between + body
        offset = marked.index(MARK)
        source = marked.replace(MARK, "")
        line = marked.count("\n", 0, offset) + 1
        col = offset - (marked.rfind("\n", 0, offset) + 1)
        return source, line, col


def _valid(setting: Setting, spelling: str, form: ValueForm, carrier: Carrier) -> bool:
    if form.kind != setting.kind or setting.kind not in carrier.kinds:
        return False
    if spelling.startswith("django:") and not carrier.django:
        return False
    # Per-call carriers take no setting name: one spelling is enough.
    return carrier.code in ("setting", "CPK003") or spelling == "new"


@st.composite
def configs(draw: st.DrawFn) -> Config:
    """One configuration, every part drawn independently among the parts that fit together."""
    carrier = draw(st.sampled_from(CARRIERS))
    setting = draw(st.sampled_from([s for s in SETTINGS if s.kind in carrier.kinds]))
    spelling = draw(
        st.sampled_from([s for s in SPELLINGS if _valid(setting, s, _any_form(setting), carrier)])
    )
    form = draw(st.sampled_from([f for f in VALUE_FORMS if f.kind == setting.kind]))
    return Config(setting, spelling, form, carrier)


def _any_form(setting: Setting) -> ValueForm:
    return next(f for f in VALUE_FORMS if f.kind == setting.kind)


def all_configs() -> List[Config]:
    return [
        Config(s, sp, f, c)
        for c in CARRIERS
        for s in SETTINGS
        for sp in SPELLINGS
        for f in VALUE_FORMS
        if _valid(s, sp, f, c)
    ]


# Unrelated code: statements, comments, blank lines, functions and classes.
_IDENT = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True).map(lambda s: f"x_{s}")
_COMMENT = st.text(alphabet="abcdefghij klmnopqrstuvwxyz,.:", max_size=30).map(lambda s: f"# {s}\n")
_STATEMENT = st.one_of(
    st.tuples(_IDENT, st.integers(-1000, 1000)).map(lambda p: f"{p[0]} = {p[1]}\n"),
    st.tuples(_IDENT, st.sampled_from(["'json'", "'redis://'", "[1, 2]", "{'a': 1}"])).map(
        lambda p: f"{p[0]} = {p[1]}\n"
    ),
    _COMMENT,
    st.just("\n"),
    _IDENT.map(lambda n: f"def {n}(a, b=2):\n    '''Help.'''\n    return a + b\n"),
    _IDENT.map(
        lambda n: f"class {n.title()}:\n    size = 3\n\n    def grow(self):\n        return 1\n"
    ),
    st.just("print('hello')\n"),
    st.just("if __debug__:\n    pass\n"),
)
unrelated = st.lists(_STATEMENT, max_size=8).map("".join)


def found(source: str) -> List[Tuple[int, int, str, str]]:
    return [(f.line, f.col, f.code, f.message) for f in check_source(source, CHECK_SETTINGS)]


# --------------------------------------------------------------------------------------------
# Properties of generated configurations
# --------------------------------------------------------------------------------------------


def test_the_generator_covers_every_part() -> None:
    every = all_configs()
    assert {c.carrier.name for c in every} == {c.name for c in CARRIERS}
    assert {c.form.name for c in every} == {f.name for f in VALUE_FORMS}
    assert {c.setting.new for c in every} == {s.new for s in SETTINGS}
    assert {c.spelling for c in every} == set(SPELLINGS)


@CONFIG_SETTINGS
@given(configs())
def test_the_generated_finding_is_reported_at_the_pickle_literal(config: Config) -> None:
    source, line, col = config.render()
    results = found(source)
    assert [(r[0], r[1], r[2]) for r in results] == [(line, col, config.code)], source
    message = results[0][3]
    assert f"'{config.form.spelling}'" in message
    if config.carrier.code in ("setting", "CPK003"):
        assert config.name in message


@CONFIG_SETTINGS
@given(configs())
def test_swapping_pickle_for_json_removes_the_finding(config: Config) -> None:
    source, _, _ = config.render(safe=True)
    assert PICKLE not in source and PICKLE_TYPE not in source
    assert found(source) == [], source


@CONFIG_SETTINGS
@given(configs(), unrelated, unrelated)
def test_unrelated_code_shifts_only_the_line(config: Config, before: str, between: str) -> None:
    plain, line, col = config.render()
    padded, padded_line, padded_col = config.render(before=before, between=between)
    shift = before.count("\n") + between.count("\n")
    assert padded_line == line + shift and padded_col == col
    expected = [(r[0] + shift, r[1], r[2], r[3]) for r in found(plain)]
    assert found(padded) == expected, padded


@CONFIG_SETTINGS
@given(configs(), unrelated)
def test_the_text_gate_lets_every_generated_finding_through(config: Config, before: str) -> None:
    source, _, _ = config.render(before=before)
    assert may_hold_finding(source, CHECK_SETTINGS)
    assert may_hold_finding(source.splitlines(keepends=True), CHECK_SETTINGS)


def test_every_combination_once() -> None:
    """The whole (small) space, exhaustively, so no combination depends on luck."""
    wrong = []
    for config in all_configs():
        source, line, col = config.render()
        got = [(r[0], r[1], r[2]) for r in found(source)]
        if got != [(line, col, config.code)]:
            wrong.append(
                (config.carrier.name, config.setting.new, config.spelling, config.form.name, got)
            )
        if found(config.render(safe=True)[0]):
            wrong.append(
                (config.carrier.name, config.setting.new, config.spelling, config.form.name, "safe")
            )
    assert wrong == []


# --------------------------------------------------------------------------------------------
# hypothesmith: arbitrary programs never break the checker
# --------------------------------------------------------------------------------------------

#: Put in front of generated programs so that the gate lets them through and unresolved
#: receivers count as Celery objects (the checker's most permissive mode).
CELERY_PRELUDE = "import kombu\nfrom celery import Celery  # pickle\n"


def _never_fails(program: str) -> None:
    with warnings.catch_warnings():
        # Generated programs such as ``1()`` make the compiler warn; that is not our business.
        warnings.simplefilter("ignore", SyntaxWarning)
        for source in (program, CELERY_PRELUDE + program):
            _check_both_ways(source)


def _check_both_ways(source: str) -> None:
    """Through the gate and parser (``check_source``), then always walked (``check_tree``)."""
    try:
        findings = check_source(source, CHECK_SETTINGS)
    except (SyntaxError, ValueError):
        return  # the parser's own verdict; the callers report it as an error entry
    assert "CPK000" not in {f.code for f in findings}, source
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # the gate rejected it before parsing, and it does not parse
    # No lines: the gate is skipped and the tree is always walked.
    walked = check_tree(tree, None, CHECK_SETTINGS)
    assert "CPK000" not in {f.code for f in walked}, source


@GRAMMAR_SETTINGS
@given(hypothesmith.from_grammar())
def test_grammar_programs_never_break_the_checker(program: str) -> None:
    _never_fails(program)


@NODE_SETTINGS
@given(hypothesmith.from_node())
def test_cst_programs_never_break_the_checker(program: str) -> None:
    _never_fails(program)
