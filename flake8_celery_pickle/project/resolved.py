"""What following configuration yields: a :class:`Source` (what one configuration source
defines, or why that is unknown) and a :class:`Verdict` (what an app's configuration leaves
implicit)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.project.spellings import missing_settings


@dataclass(frozen=True)
class Source:
    """A resolved configuration source: what it defines, or why that is unknown."""

    #: how to name it in a message (``proj.settings``), or None for a literal in the module
    origin: str | None
    names: frozenset[str] = frozenset()
    django: bool = False
    unknown: tuple[str, ...] = ()
    #: names only some of the source's alternatives define (django-configurations classes
    #: when DJANGO_CONFIGURATION is not set in the tree), and why the choice is unknown
    maybe: frozenset[str] = frozenset()
    maybe_reason: str = ""
    #: the deployment chooses the configuration (a Django settings package that sets nothing
    #: itself, a DJANGO_SETTINGS_MODULE computed at run time): ``unknown`` says why
    chosen_at_deployment: bool = False

    def missing(
        self, namespace: str | None, legacy: bool, among: Iterable[str] | None = None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(settings this source surely leaves unset, why the rest cannot be told).

        A setting that only some alternatives define is neither: it becomes the reason in
        the second item, unless another setting is surely missing.
        """
        wanted = set(vocabulary.REQUIRED_EXPLICIT if among is None else among)
        missing = [
            c for c in missing_settings(self.names, namespace, self.django, legacy) if c in wanted
        ]
        if not missing or not self.maybe:
            return tuple(missing), ()
        surely = [
            c
            for c in missing_settings(self.names | self.maybe, namespace, self.django, legacy)
            if c in wanted
        ]
        return (tuple(surely), ()) if surely else ((), (self.maybe_reason,))


@dataclass(frozen=True)
class Verdict:
    """What an app's resolved configuration leaves implicit.

    ``missing`` holds the spellings to add (empty when both settings are explicit); when
    ``unknown`` is not empty the verdict could not be reached and ``missing`` is empty.
    """

    missing: tuple[str, ...] = ()
    origin: str | None = None
    unknown: tuple[str, ...] = ()
    #: said instead of the origin when no configuration source was found
    detail: str | None = None

    def describe_missing(self) -> str:
        """The ``missing`` argument of CPK004 / CPK011: the names, then where they were sought."""
        text = " and ".join(self.missing)
        if self.origin:
            text += f" (configuration read from {self.origin})"
        elif self.detail:
            text += f" ({self.detail})"
        return text
