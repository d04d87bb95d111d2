"""User settings shared by the flake8 plugin and the command, and their defaults."""

from __future__ import annotations

from typing import FrozenSet, Iterable, NamedTuple, Tuple

DEFAULT_NAMESPACES: Tuple[str, ...] = ("CELERY",)


class Settings(NamedTuple):
    #: Django namespaces (``config_from_object(..., namespace=NS)``) whose ``<NS>_TASK_SERIALIZER``
    #: etc. are Celery settings.
    namespaces: Tuple[str, ...] = DEFAULT_NAMESPACES
    #: Serializer names or content types registered elsewhere with unsafe decoders.
    unsafe_serializers: FrozenSet[str] = frozenset()

    @classmethod
    def from_options(
        cls, namespaces: Iterable[str] | None, unsafe_serializers: Iterable[str] | None
    ) -> Settings:
        """Build settings from option values, dropping blanks and duplicates."""
        ns = tuple(dict.fromkeys(n.strip() for n in (namespaces or ()) if n and n.strip()))
        unsafe = frozenset(s.strip() for s in (unsafe_serializers or ()) if s and s.strip())
        return cls(namespaces=ns, unsafe_serializers=unsafe)


DEFAULTS = Settings()
