"""The CPK code table: the single source of truth for every code.

Each :class:`Rule` holds everything a user can see about a code: its message template, its
one-line summary, its documentation (in ruff's sections), its severity and whether it is on by
default. flake8 messages, the README rule reference, SARIF rule metadata and the ast-grep rules'
metadata are all derived from this table or checked against it by tests.

Codes are *concepts*, shared by every engine: the Python checker, the ast-grep pack for
configuration files, the TOML/INI readers and the whole-project pass all report the same thing
under the same code. A code is never reused once retired.

This module imports nothing outside the standard library: the flake8 plugin loads it.
"""

from __future__ import annotations

from string import Formatter
from typing import Dict, NamedTuple, Tuple

#: Where the rendered rule documentation lives; each rule's anchor is appended.
DOCS_URL = "https://github.com/flake8-celery-pickle/flake8-celery-pickle/blob/main/README.md"

CWE_502 = (
    "CWE-502: Deserialization of Untrusted Data",
    "https://cwe.mitre.org/data/definitions/502.html",
)
CELERY_SECURITY = (
    "Celery security guide: serializers",
    "https://docs.celeryq.dev/en/stable/userguide/security.html#serializers",
)
CELERY_CONFIG = (
    "Celery configuration reference",
    "https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-serializer",
)
CELERY_CALLING = (
    "Celery calling guide: serializers",
    "https://docs.celeryq.dev/en/stable/userguide/calling.html#calling-serializers",
)
KOMBU_SERIALIZATION = (
    "kombu serialization guide",
    "https://docs.celeryq.dev/projects/kombu/en/stable/userguide/serialization.html",
)
CELERYSA_0003 = (
    "CELERYSA-0003: insecure default configuration in Celery 4.0.0",
    "https://github.com/celery/celery/blob/main/docs/sec/CELERYSA-0003.txt",
)

SEVERITIES = ("error", "warning", "note")
SCOPES = ("file", "project", "internal")


class Rule(NamedTuple):
    """One CPK code and everything users see about it."""

    code: str
    name: str
    #: ``str.format`` template of the message, without the code prefix.
    message: str
    summary: str
    what: str
    why: str
    example: str
    use_instead: str
    references: Tuple[Tuple[str, str], ...]
    severity: str = "error"
    default_enabled: bool = True
    #: ``file``: found in one file; ``project``: needs the whole-project scan.
    scope: str = "file"
    #: Which engines report it: ``python``, ``config`` (ast-grep pack, TOML/INI), ``project``.
    engines: Tuple[str, ...] = ("python",)
    #: Codes with a fixed message in every engine keep their arguments here for the docs.
    example_args: Dict[str, str] = {}  # noqa: RUF012 - read only

    @property
    def placeholders(self) -> Tuple[str, ...]:
        """The names the message template needs."""
        return tuple(name for _, name, _, _ in Formatter().parse(self.message) if name)

    @property
    def anchor(self) -> str:
        """The README anchor of the rule's section (GitHub's heading slug)."""
        return f"{self.code.lower()}-{self.name}"

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.anchor}"

    def format(self, **args: object) -> str:
        """The message text (without the code) with its arguments filled in."""
        return self.message.format(**args)

    def text(self, **args: object) -> str:
        """The flake8 text: the code, one space, the message."""
        return f"{self.code} {self.format(**args)}"


RULES: Tuple[Rule, ...] = (
    Rule(
        code="CPK000",
        name="internal-error",
        message="internal error: the checker failed on this file ({error}); "
        "the file was not checked, please report this",
        summary="The checker failed on a file; it is reported instead of silently skipped.",
        what="Reports that the checker itself failed while reading this file, with the type of "
        "the exception, instead of crashing the run.",
        why="A linter that stops on one odd file, or skips it without a word, leaves the file "
        "unchecked while the run looks clean. This finding keeps the file visible: it has "
        "not been checked for pickle.",
        example="# any file the checker could not handle; the message names the exception type",
        use_instead="# report the file and the exception type as an issue; meanwhile review the\n"
        "# file by hand for Celery serializer settings",
        references=(CWE_502,),
        scope="internal",
        engines=("python", "config", "project"),
        example_args={"error": "RecursionError"},
    ),
    Rule(
        code="CPK001",
        name="pickle-serializer-setting",
        message="{setting} is '{value}': {risk}; use 'json'",
        summary="A Celery serializer setting (task, result or event) selects pickle.",
        what="Finds `task_serializer`, `result_serializer` and `event_serializer` (and their old "
        "`CELERY_*` and Django-namespace spellings) set to pickle: in a settings module or "
        "class, through `app.conf.<name> = ...`, `app.conf['<name>'] = ...`, `setattr`, or a "
        "dict literal of Celery settings. In configuration files it finds the environment "
        "variables and keys of the same names.",
        why="Pickle turns message bodies into code: whoever can put a message on the broker (or "
        "a result in the result store) runs arbitrary commands in every process that decodes "
        "it. A pickled task serializer also pickles remote-control messages; a pickled event "
        "serializer is accepted by every event receiver whatever `accept_content` says.",
        example="task_serializer = 'pickle'\n"
        "app.conf.result_serializer = 'pickle'\n"
        "CELERY_EVENT_SERIALIZER = 'pickle'",
        use_instead="task_serializer = 'json'\n"
        "app.conf.result_serializer = 'json'\n"
        "CELERY_EVENT_SERIALIZER = 'json'",
        references=(CELERY_SECURITY, CELERY_CONFIG, CWE_502),
        engines=("python", "config"),
        example_args={
            "setting": "task_serializer",
            "value": "pickle",
            "risk": "pickled task messages can run code on workers",
        },
    ),
    Rule(
        code="CPK002",
        name="pickle-accept-content",
        message="{setting} accepts '{value}': any message of that type can run code in this "
        "process; accept only 'json'",
        summary="A Celery accept-content setting admits pickle.",
        what="Finds `accept_content` and `result_accept_content` (and `CELERY_ACCEPT_CONTENT`, "
        "`RESULT_ACCEPT_CONTENT`, `CELERY_RESULT_ACCEPT_CONTENT` and Django-namespace "
        "spellings) whose value contains `pickle` or `application/x-python-serialize`, in "
        "every form of CPK001 and through in-place growth (`+=`, `|=`, `.append`, "
        "`.extend`, `.insert`, `.add`, `.update`).",
        why="The accept list is what stands between the broker and `pickle.loads`. A worker "
        "that accepts pickle runs the code inside any message that claims to be pickle, "
        "whoever sent it; a client whose result accept list admits pickle does the same with "
        "whatever sits in the result store.",
        example="accept_content = ['json', 'pickle']\n"
        "app.conf.accept_content.append('application/x-python-serialize')",
        use_instead="accept_content = ['json']\nresult_accept_content = ['json']",
        references=(CELERY_SECURITY, CELERY_CONFIG, CWE_502),
        engines=("python", "config"),
        example_args={"setting": "accept_content", "value": "pickle"},
    ),
    Rule(
        code="CPK003",
        name="pickle-config-call",
        message="{call} enables '{value}' in {setting}: pickled messages can run code on "
        "workers and clients; use 'json'",
        summary="A configuration call enables pickle in a serializer or accept-content setting.",
        what="Finds configuration calls that put pickle into a serializer or accept-content "
        "setting: `app.conf.update(...)` (keywords, a dict, pairs, `**{...}`), "
        "`app.conf.setdefault(...)`, `app.add_defaults(...)`, `Celery(...)` keywords and its "
        "`changes=` / `config_source=` dicts, `app.config_from_object({...})`. In configuration "
        "files it finds `celery worker -- task_serializer=pickle` and the `accept_content` "
        "form of the same.",
        why="These calls set the same settings as CPK001 and CPK002, with the same result: "
        "messages that can carry code, and processes that run it.",
        example="app.conf.update(task_serializer='pickle', accept_content=['pickle'])\n"
        "app = Celery('proj', changes={'accept_content': ['json', 'pickle']})",
        use_instead="app.conf.update(task_serializer='json', accept_content=['json'])\n"
        "app = Celery('proj', changes={'accept_content': ['json']})",
        references=(CELERY_SECURITY, CELERY_CONFIG, CWE_502),
        engines=("python", "config"),
        example_args={"call": "app.conf.update()", "setting": "task_serializer", "value": "pickle"},
    ),
    Rule(
        code="CPK004",
        name="implicit-serializer-config",
        message="Celery app without explicit {missing}: Celery before 4.0.1 sends or accepts "
        "pickle by default; set task_serializer='json' and accept_content=['json']",
        summary=(
            "A Celery app relies on default serializer settings, which were pickle before 4.0.1."
        ),
        what="Reports a `Celery(...)` app built in a module that neither sets `task_serializer` "
        "and `accept_content` explicitly nor loads its configuration from elsewhere "
        "(`config_from_object` with a module name, `config_from_envvar`, `config_source=`, "
        "`namespace=`, a `loader=` other than the app loader, `CELERY_CONFIG_MODULE` set in "
        "the module). The whole-project scan follows the app to the module, class or Django "
        "settings it loads (`celeryconfig` for the default loader) and reports only when "
        "that configuration does not set them either.",
        why="Celery 3.x produced and accepted pickle when nothing was set, and 4.0.0 still "
        "accepted it (CELERYSA-0003). Code that leans on defaults becomes remotely "
        "exploitable when it runs on, or is pinned back to, an old release. Explicit json "
        "settings keep it safe on every version.",
        example="app = Celery('proj', broker='redis://')",
        use_instead="app = Celery('proj', broker='redis://')\n"
        "app.conf.update(task_serializer='json', accept_content=['json'])",
        references=(CELERYSA_0003, CELERY_SECURITY, CWE_502),
        severity="warning",
        engines=("python", "project"),
        example_args={"missing": "task_serializer and accept_content"},
    ),
    Rule(
        code="CPK005",
        name="pickle-per-call-serializer",
        message="{api} uses serializer '{value}': the message is pickled and can run code "
        "where it is consumed; use serializer='json'",
        summary="Pickle is chosen for one task, call, schedule entry or producer.",
        what="Finds `serializer=` set to pickle on Celery and kombu APIs that send: task "
        "decorators, Task subclasses, `apply_async`, `send_task`, signatures and "
        "`.set(...)`, `retry`, `add_periodic_task`, `'serializer'` entries in "
        "task annotations, routes and beat schedules, kombu `Producer` and `publish` (also "
        "`content_type='application/x-python-serialize'`), `SimpleQueue.put`, "
        "`kombu.serialization.dumps`, event dispatchers. The keyword arguments of `.delay`, "
        "`.s` and `.si` are task arguments and never count. In configuration files it finds "
        "`celery call --serializer pickle` and `CELERY_CALL_SERIALIZER=pickle`.",
        why="A per-call serializer overrides the app's settings: the message goes out pickled "
        "and any consumer that accepts pickle runs it. It also signals that some consumer "
        "must accept pickle for the call to work.",
        example="add.apply_async((2, 2), serializer='pickle')\n"
        "@app.task(serializer='pickle')\ndef process(obj): ...",
        use_instead="add.apply_async((2, 2), serializer='json')\n"
        "@app.task(serializer='json')\ndef process(data): ...",
        references=(CELERY_CALLING, KOMBU_SERIALIZATION, CWE_502),
        engines=("python", "config"),
        example_args={"api": "apply_async()", "value": "pickle"},
    ),
    Rule(
        code="CPK006",
        name="pickle-accepted-by-consumer",
        message="{api} accepts '{value}': a message from anyone who can reach the broker can "
        "run code here; use accept=['json']",
        summary="An `accept=` argument of a consuming API admits pickle.",
        what="Finds `accept=` lists containing pickle on consuming APIs: kombu `Consumer`, "
        "`Queue.get`, `SimpleQueue`, `Mailbox`, `Message`, `kombu.serialization.loads`; "
        "Celery `TaskConsumer`, event receivers, result backends and `celery.contrib.migrate`.",
        why="The consumer decodes every message whose content type is in its accept list. With "
        "pickle there, any process that can publish to the queue runs code in the consumer.",
        example="Consumer(channel, queues, accept=['pickle', 'json'])",
        use_instead="Consumer(channel, queues, accept=['json'])",
        references=(KOMBU_SERIALIZATION, CELERY_SECURITY, CWE_502),
        example_args={"api": "Consumer()", "value": "pickle"},
    ),
    Rule(
        code="CPK007",
        name="insecure-serializers-enabled",
        message="{call} turns pickle decoding back on for consumers without an accept list; "
        "remove it and pass accept=['json'] to consumers",
        summary="A kombu registry switch turns pickle decoding on.",
        what="Finds `enable_insecure_serializers()` with no argument or with pickle among its "
        "choices, `disable_insecure_serializers(allowed=[...pickle...])`, "
        "`registry.enable(<pickle>)`, `registry._set_default_serializer(<pickle>)` and "
        "`loads(..., force=True)`.",
        why="kombu disables pickle decoding at import for consumers that pass no accept list. "
        "These switches undo that protection, or make pickle the default encoder, so "
        "bare kombu consumers unpickle whatever arrives.",
        example="from kombu import enable_insecure_serializers\nenable_insecure_serializers()",
        use_instead="from kombu import disable_insecure_serializers\n"
        "disable_insecure_serializers(allowed=['json'])",
        references=(KOMBU_SERIALIZATION, CWE_502),
        example_args={"call": "enable_insecure_serializers()"},
    ),
    Rule(
        code="CPK008",
        name="unsafe-custom-serializer",
        message="serializer '{serializer}' is registered with a decoder that can run code "
        "({decoder}); register a data-only decoder such as json",
        summary="A serializer is registered whose decoder can run code.",
        what="Finds `kombu.serialization.register` / `registry.register` calls whose decoder is, "
        "or calls in the same file, pickle loading, `dill`, `cloudpickle`, "
        "`jsonpickle.decode`, unsafe `yaml` loading, `marshal`, `shelve`, `joblib.load`, "
        "`pandas.read_pickle`, `numpy.load(allow_pickle=True)`, `torch.load` without "
        "`weights_only=True` or kombu's own unpickler; any decoder registered under "
        "`application/data` or `application/text` (trusted past every accept list) or the "
        "pickle content type; `kombu.utils.json.register_type` with such a decoder; and "
        "`kombu.serializers` entry points in packaging files. The registered name then counts "
        "as pickle in every other check of the file.",
        why="A custom serializer is pickle under another name: accept lists that look safe "
        "(`['secure_json']`) still hand attacker bytes to a decoder that can run code.",
        example="register('fast', dumps, pickle.loads, content_type='application/x-fast')",
        use_instead=(
            "register('fast', orjson.dumps, orjson.loads, content_type='application/x-fast')"
        ),
        references=(KOMBU_SERIALIZATION, CWE_502),
        engines=("python", "config"),
        example_args={"serializer": "fast", "decoder": "pickle.loads"},
    ),
    Rule(
        code="CPK009",
        name="signed-pickle",
        message="message signing carries '{value}' inside the auth envelope: anyone holding a "
        "signing key can run code; keep the inner serializer 'json'",
        summary="Celery's message signing (`auth`) is set up with pickle inside.",
        what="Finds `setup_security(serializer=<pickle>)` and `allowed_serializers` that include "
        "pickle.",
        why="The `auth` serializer checks the signature and then decodes the inner body with "
        "no accept list. With pickle inside, every holder of a trusted key (and anyone who "
        "steals one) can run code on every worker.",
        example="app.setup_security(serializer='pickle')",
        use_instead="app.setup_security(serializer='json')",
        references=(CELERY_SECURITY, CWE_502),
        severity="warning",
        example_args={"value": "pickle"},
    ),
    Rule(
        code="CPK010",
        name="pickled-result-backend",
        message="result backend '{backend}' stores results pickled whatever result_serializer "
        "says; write access to it means code execution in result readers",
        summary="The result backend pickles results regardless of the serializer settings.",
        what="Finds `result_backend` (or `CELERY_RESULT_BACKEND`, or `Celery(backend=...)`) set "
        "to `'django-cache'` or a `db+` SQLAlchemy URL. Off by default: enable it with "
        "`--extend-select CPK010`.",
        why="django-celery-results' cache backend and Celery's database backend store results "
        "as pickle no matter what `result_serializer` says. Anyone who can write to that "
        "cache or table runs code in every process that reads results.",
        example="result_backend = 'db+postgresql://celery@db/results'",
        use_instead="result_backend = 'redis://cache:6379/1'  # honours result_serializer='json'",
        references=(CELERY_SECURITY, CWE_502),
        severity="note",
        default_enabled=False,
        example_args={"backend": "django-cache"},
    ),
    Rule(
        code="CPK011",
        name="pickle-default-celery-version",
        message="Celery is held to {version}, which {behaviour} pickle by default, and the "
        "configuration does not set {missing}; require celery>=4.0.1 or set {explicit}",
        summary="Dependencies hold Celery to a release that defaults to pickle, and nothing "
        "overrides the default.",
        what="In the whole-project scan, reads requirements files, `pyproject.toml`, "
        "`setup.cfg`, `setup.py`, Pipfile and lock files, and reports at the pin when Celery "
        "is held below 4.0.1 and the project's Celery configuration does not set "
        "`task_serializer` and `accept_content` explicitly.",
        why="Celery 3.x sends and accepts pickle by default and 4.0.0 still accepts it "
        "(CELERYSA-0003). A project pinned there is exposed unless it overrides the defaults.",
        example="# requirements.txt\ncelery==3.1.26",
        use_instead="# requirements.txt\ncelery>=5.3",
        references=(CELERYSA_0003, CELERY_SECURITY, CWE_502),
        scope="project",
        engines=("project",),
        example_args={
            "version": "celery==3.1.26",
            "behaviour": "sends and accepts",
            "missing": "CELERY_TASK_SERIALIZER and CELERY_ACCEPT_CONTENT",
            "explicit": "CELERY_TASK_SERIALIZER='json' and CELERY_ACCEPT_CONTENT=['json']",
        },
    ),
)

BY_CODE: Dict[str, Rule] = {rule.code: rule for rule in RULES}

#: Codes hidden until the user selects them (flake8 ``extend_default_ignore``).
DEFAULT_IGNORE: Tuple[str, ...] = tuple(r.code for r in RULES if not r.default_enabled)


def text(code: str, **args: object) -> str:
    """The flake8 text of a finding: ``"CPK001 message"``."""
    return BY_CODE[code].text(**args)
