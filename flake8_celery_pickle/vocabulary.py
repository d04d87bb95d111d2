"""The Celery and kombu vocabulary every engine shares: setting names and pickle spellings.

One place for the facts of ``celery-semantics.md`` section 1 and 4: which setting names select
a serializer or an accepted content list (new, old and Django-namespace spellings), and which
values mean pickle. The Python checker, the configuration-file engines and the project view
all ask this module, so a spelling is added once. Standard library only.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, Optional, Tuple

#: Values that make Celery or kombu produce or accept pickle. kombu matches them exactly and
#: case-sensitively: ``'PICKLE'`` raises at runtime instead of enabling pickle.
PICKLE_VALUES: FrozenSet[str] = frozenset(
    {
        "pickle",
        "application/x-python-serialize",
        # kombu-fernet-serializers: decrypts, then unpickles.
        "fernet_pickle",
        "application/x-fernet-python-serialize",
    }
)

#: Serializer settings: canonical (new, 4.0+) name -> every other spelling Celery reads.
SERIALIZER_SETTINGS: Dict[str, Tuple[str, ...]] = {
    "task_serializer": ("CELERY_TASK_SERIALIZER",),
    "result_serializer": ("CELERY_RESULT_SERIALIZER",),
    "event_serializer": ("CELERY_EVENT_SERIALIZER",),
}

#: Accept-content settings. ``RESULT_ACCEPT_CONTENT`` (no prefix) is the only old spelling of
#: ``result_accept_content``; ``CELERY_RESULT_ACCEPT_CONTENT`` is its Django form.
ACCEPT_SETTINGS: Dict[str, Tuple[str, ...]] = {
    "accept_content": ("CELERY_ACCEPT_CONTENT",),
    "result_accept_content": ("RESULT_ACCEPT_CONTENT", "CELERY_RESULT_ACCEPT_CONTENT"),
}

#: Settings whose values are option dicts that may carry ``'serializer': ...`` (CPK005).
OPTION_DICT_SETTINGS: Dict[str, Tuple[str, ...]] = {
    "task_annotations": ("CELERY_ANNOTATIONS", "CELERY_TASK_ANNOTATIONS"),
    "task_routes": ("CELERY_ROUTES", "CELERY_TASK_ROUTES"),
    "beat_schedule": ("CELERYBEAT_SCHEDULE", "CELERY_BEAT_SCHEDULE"),
}

#: The result backend setting (CPK010).
BACKEND_SETTINGS: Dict[str, Tuple[str, ...]] = {
    "result_backend": ("CELERY_RESULT_BACKEND",),
}

#: What each serializer setting puts at risk, for CPK001 messages.
SERIALIZER_RISK: Dict[str, str] = {
    "task_serializer": "pickled task and remote-control messages can run code on workers",
    "result_serializer": "pickled results can run code in every client that reads them",
    "event_serializer": "pickled events are accepted by workers and every event monitor",
}

#: Canonical names of the settings whose explicit presence CPK004 and CPK011 require.
REQUIRED_EXPLICIT: Tuple[str, ...] = ("task_serializer", "accept_content")

#: ``Celery(...)`` keywords that configure the app object itself, not settings (the
#: constructor hands any other keyword to the configuration).
APP_ARGUMENTS: FrozenSet[str] = frozenset(
    {
        "main",
        "loader",
        "backend",
        "amqp",
        "events",
        "log",
        "control",
        "set_as_current",
        "tasks",
        "broker",
        "include",
        "changes",
        "config_source",
        "fixups",
        "task_cls",
        "autofinalize",
        "namespace",
        "strict_typing",
        "steps",
        "on_configure",
        "autoscaler",
        "pool",
        "worker",
    }
)

#: ``Celery(loader=...)`` values that name the app loader (``celery.loaders.app:AppLoader``, the
#: loader of every app built without one, and its base class, which reads configuration the same
#: way), as strings or as the qualified names of references. Any other loader reads
#: configuration of its own. Shared by the single-file checker and the project view.
APP_LOADERS: FrozenSet[str] = frozenset(
    {
        "app",
        "celery.loaders.app:AppLoader",
        "celery.loaders.app.AppLoader",
        "celery.loaders.base:BaseLoader",
        "celery.loaders.base.BaseLoader",
    }
)
#: The environment variable naming the module that every app without a configuration source
#: reads (the default loader falls back to ``celeryconfig``).
CONFIG_MODULE_VAR = "CELERY_CONFIG_MODULE"

_ALL_TABLES = (SERIALIZER_SETTINGS, ACCEPT_SETTINGS, OPTION_DICT_SETTINGS, BACKEND_SETTINGS)


def namespaced(namespace: str, canonical: str) -> str:
    """The key Celery looks up for ``canonical`` under a Django-style ``namespace``.

    Celery upper-cases the setting name when the namespace is upper case
    (``CELERY_TASK_SERIALIZER``); a lower-case namespace keeps it lower case.
    """
    if namespace.isupper():
        return f"{namespace}_{canonical.upper()}"
    return f"{namespace}_{canonical}"


def spellings(canonical: str, namespaces: Iterable[str] = ("CELERY",)) -> FrozenSet[str]:
    """Every Python-side name of one setting: new, old and each namespace's form."""
    for table in _ALL_TABLES:
        if canonical in table:
            names = {canonical, *table[canonical]}
            names.update(namespaced(ns, canonical) for ns in namespaces)
            return frozenset(names)
    raise KeyError(canonical)


def build_lookup(namespaces: Iterable[str] = ("CELERY",)) -> Dict[str, str]:
    """Map every spelling of every known setting to its canonical name."""
    namespaces = tuple(namespaces)
    lookup: Dict[str, str] = {}
    for table in _ALL_TABLES:
        for canonical in table:
            for name in spellings(canonical, namespaces):
                lookup[name] = canonical
    return lookup


_DEFAULT_LOOKUP = build_lookup()


def canonical_setting(name: str, namespaces: Optional[Iterable[str]] = None) -> Optional[str]:
    """The canonical name of the setting spelled ``name``, or None if it is not one."""
    lookup = _DEFAULT_LOOKUP if namespaces is None else build_lookup(namespaces)
    return lookup.get(name)


def is_serializer_setting(canonical: Optional[str]) -> bool:
    return canonical in SERIALIZER_SETTINGS


def is_accept_setting(canonical: Optional[str]) -> bool:
    return canonical in ACCEPT_SETTINGS


def is_pickle(value: str, extra: Iterable[str] = ()) -> bool:
    """Whether ``value`` makes Celery or kombu use pickle (exact, case-sensitive)."""
    return value in PICKLE_VALUES or value in extra


def config_key_forms(canonical: str) -> FrozenSet[str]:
    """Spellings of a setting as a nested key in configuration files.

    ``task_serializer`` -> ``task_serializer``, ``taskSerializer``, ``task-serializer``; the
    environment-variable forms come from :func:`spellings`.
    """
    parts = canonical.split("_")
    camel = parts[0] + "".join(p.capitalize() for p in parts[1:])
    return frozenset({canonical, camel, "-".join(parts)})


_SPLIT = re.compile(r"[\s,]+")


def split_list_text(text: str) -> Tuple[str, ...]:
    """Split ``'json,pickle'`` / ``'json pickle'`` / ``'["json","pickle"]'`` into items."""
    stripped = text.strip().strip("[]()")
    items = (item.strip().strip("'\"") for item in _SPLIT.split(stripped))
    return tuple(item for item in items if item)
