"""Setting names and pickle values as they appear in configuration files.

Built from :mod:`flake8_celery_pickle.vocabulary`: every Python-side spelling of the serializer
and accept-content settings, their nested-key forms (``taskSerializer``, ``task-serializer``),
the lower-case ``celery_`` forms used by Ansible variables and Django environment loaders, and
``CELERY_CALL_SERIALIZER`` (``celery call``'s environment variable).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, Optional, Tuple

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.settings import DEFAULTS, Settings

CALL_SERIALIZER_ENV = "CELERY_CALL_SERIALIZER"


@lru_cache(maxsize=32)
def setting_lookup(namespaces: Tuple[str, ...] = DEFAULTS.namespaces) -> Dict[str, str]:
    """Every configuration-file spelling of a serializer or accept setting -> canonical name."""
    lookup: Dict[str, str] = {}
    tables = (vocabulary.SERIALIZER_SETTINGS, vocabulary.ACCEPT_SETTINGS)
    for table in tables:
        for canonical in table:
            names = set(vocabulary.spellings(canonical, namespaces))
            names |= vocabulary.config_key_forms(canonical)
            names.add(f"celery_{canonical}")
            for name in names:
                lookup[name] = canonical
    return lookup


def canonical_setting(name: str, settings: Settings = DEFAULTS) -> Optional[str]:
    """The canonical setting a configuration key names, or None."""
    return setting_lookup(tuple(settings.namespaces)).get(name)


def pickle_values(settings: Settings = DEFAULTS) -> FrozenSet[str]:
    return vocabulary.PICKLE_VALUES | settings.unsafe_serializers


def pickle_items(text: str, settings: Settings = DEFAULTS) -> Tuple[str, ...]:
    """The pickle values among the items of a list written as text, in order."""
    values = pickle_values(settings)
    return tuple(item for item in _items(text) if item in values)


def _items(text: str) -> Iterable[str]:
    for raw in re.split(r"[\s,\[\](){}]+", text):
        item = raw.strip().strip("'\"\\")
        if item:
            yield item


def is_pickle_scalar(text: str, settings: Settings = DEFAULTS) -> bool:
    """Whether a scalar value (quotes allowed) is exactly a pickle value."""
    return text.strip().strip("'\"") in pickle_values(settings)


def is_serializer(canonical: Optional[str]) -> bool:
    return canonical in vocabulary.SERIALIZER_SETTINGS


def is_accept(canonical: Optional[str]) -> bool:
    return canonical in vocabulary.ACCEPT_SETTINGS


def serializer_risk(canonical: Optional[str]) -> str:
    """The risk phrase of a CPK001 message for a serializer setting."""
    if canonical in vocabulary.SERIALIZER_RISK:
        return vocabulary.SERIALIZER_RISK[canonical]  # type: ignore[index]
    return "pickled messages can run code wherever they are decoded"


def normalise_key(key: str, settings: Settings = DEFAULTS) -> Optional[str]:
    """The canonical setting for any key spelling, including camel and kebab case."""
    found = canonical_setting(key, settings)
    if found:
        return found
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).replace("-", "_").replace(".", "_").lower()
    found = canonical_setting(snake, settings)
    if found:
        return found
    for namespace in settings.namespaces:
        prefix = namespace.lower() + "_"
        if snake.startswith(prefix):
            found = canonical_setting(snake[len(prefix) :], settings)
            if found:
                return found
    return None
