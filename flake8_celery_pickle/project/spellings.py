"""Which spellings of a required Celery setting count in a configuration object, and how a
missing one should be written there.

What counts depends on the namespace found on the app, on whether the object is Django's
settings (which keep only upper-case names) and on whether the Celery release is 3.x (which
reads only the old names).
"""

from __future__ import annotations

from flake8_celery_pickle import vocabulary


def old_names(canonical: str) -> tuple[str, ...]:
    """The 3.x (upper-case) spellings of a setting."""
    table = {**vocabulary.SERIALIZER_SETTINGS, **vocabulary.ACCEPT_SETTINGS}
    return tuple(n for n in table.get(canonical, ()) if n.isupper())


def counted_spellings(
    canonical: str, namespace: str | None, django: bool, legacy: bool = False
) -> frozenset[str]:
    """The names under which Celery reads ``canonical`` from a configuration object.

    * ``legacy`` (Celery 3.x): only the old upper-case names; there is no namespace.
    * with a namespace: ``<NS>_TASK_SERIALIZER`` (upper-cased when the namespace is), then the
      plain new name. Old names are not consulted: the plain key is found among the defaults
      first.
    * without one: the new name and the old names.
    * Django settings keep only upper-case names, so lower-case spellings never count there.
    """
    if legacy:
        names = set(old_names(canonical))
    elif namespace:
        names = {vocabulary.namespaced(namespace, canonical), canonical}
    else:
        names = {canonical, *old_names(canonical)}
    if django:
        names = {n for n in names if n.isupper()}
    return frozenset(names)


def missing_settings(
    defined: frozenset[str], namespace: str | None, django: bool, legacy: bool = False
) -> tuple[str, ...]:
    """The required settings (task_serializer, accept_content) that ``defined`` leaves unset."""
    return tuple(
        c
        for c in vocabulary.REQUIRED_EXPLICIT
        if not (counted_spellings(c, namespace, django, legacy) & defined)
    )


def spelled(canonical: str, namespace: str | None, django: bool, legacy: bool = False) -> str:
    """How a missing setting should be written in that configuration object."""
    if legacy:
        return old_names(canonical)[0]
    if namespace:
        return vocabulary.namespaced(namespace, canonical)
    if django:
        return old_names(canonical)[0]
    return canonical
