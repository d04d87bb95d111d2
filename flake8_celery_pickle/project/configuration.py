"""Follow each Celery app to the configuration it reads, and say what that leaves unset.

For one :class:`~flake8_celery_pickle.project.app_model.App` this picks the sources the app
reads (its ``config_from_object`` and friends; else, by its loader, ``CELERY_CONFIG_MODULE`` or
the default loader's ``celeryconfig``), has
:class:`~flake8_celery_pickle.project.sources.SourceResolver` read each, and judges, under the
app's namespace, which of ``task_serializer`` and ``accept_content`` stay implicit. A source
that cannot be read statically leaves the verdict unknown: the caller turns that into a note,
never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.project.app_model import DEFAULT_LOADERS, App, ConfigRef
from flake8_celery_pickle.project.environment import env_assignments
from flake8_celery_pickle.project.module_index import ModuleIndex
from flake8_celery_pickle.project.resolved import Source, Verdict
from flake8_celery_pickle.project.sources import SourceResolver
from flake8_celery_pickle.project.spellings import old_names, spelled
from flake8_celery_pickle.project.tree import ProjectTree
from flake8_celery_pickle.settings import Settings
from flake8_celery_pickle.vocabulary import APP_LOADERS, CONFIG_MODULE_VAR

#: The module the default loader reads when ``CELERY_CONFIG_MODULE`` is not set.
DEFAULT_CONFIG_MODULE = "celeryconfig"


@dataclass(frozen=True)
class Loader:
    """The loader an app uses: the default loader (``default``: it reads ``celeryconfig``),
    the app loader, or one whose configuration cannot be told (``unknown`` says why)."""

    default: bool = False
    unknown: str = ""


class Resolver:
    """Judges the apps of one scanned tree; :attr:`sources` reads their sources (cached)."""

    def __init__(self, tree: ProjectTree, index: ModuleIndex, settings: Settings) -> None:
        self.tree = tree
        self.index = index
        self.settings = settings
        self.sources = SourceResolver(tree, index)

    def source(self, app: App, ref: ConfigRef) -> Source:
        """What ``ref``, written in the app's module, resolves to."""
        return self.sources.source_at(app.path, ref)

    def replacing_sources(self, app: App) -> list[ConfigRef]:
        """The sources that replace the app's configuration (all of them: branches may differ).

        Without ``config_from_object`` / ``config_source`` / ``config_from_envvar``, the loader
        reads ``CELERY_CONFIG_MODULE`` when the project sets it (the app loader and the default
        loader alike), and the default loader reads ``celeryconfig`` otherwise.
        """
        refs = [r for r in app.sources if r.kind != "literal"]
        if refs or any(r.kind == "literal" for r in app.sources):
            return refs
        loader = self.loader(app)
        if loader.unknown:
            return [ConfigRef("unknown", app.line, loader.unknown)]
        env = env_assignments(self.tree, CONFIG_MODULE_VAR, near=app.path, computed=True)
        if any(not v.computed for v in env):
            return [ConfigRef("envvar", 0, CONFIG_MODULE_VAR, value=CONFIG_MODULE_VAR)]
        if env:  # set only to values computed at run time
            return [
                ConfigRef(
                    "unknown",
                    env[0].line,
                    f"{CONFIG_MODULE_VAR} is computed at run time in "
                    f"{env[0].path}:{env[0].line} (`{env[0].value}`)",
                )
            ]
        if loader.default and self.index.find(DEFAULT_CONFIG_MODULE, referrer=app.path):
            return [ConfigRef("string", 0, DEFAULT_CONFIG_MODULE, value=DEFAULT_CONFIG_MODULE)]
        # the app loader reads nothing more; the default loader finds no celeryconfig
        return []

    def loader(self, app: App) -> Loader:
        """Which loader the app uses: the app loader, the default loader, or one whose
        configuration cannot be told (a custom loader, a name computed at run time)."""
        name = app.loader
        if app.loader_env:
            env = env_assignments(self.tree, app.loader_env, near=app.path, computed=True)
            if env and env[0].computed:
                return Loader(
                    unknown=f"its loader is named by {app.loader_env}, computed at run time in "
                    f"{env[0].path}:{env[0].line} (`{env[0].value}`)"
                )
            if env:
                name = env[0].value
        elif app.loader_dynamic:
            return Loader(unknown=f"its loader `{app.loader}` cannot be read statically")
        if name is None or name in APP_LOADERS:
            return Loader()
        if name in DEFAULT_LOADERS:
            return Loader(default=True)
        return Loader(
            unknown=f"its loader '{name}' may read configuration the project view cannot follow"
        )

    def verdict(self, app: App, legacy: bool = False, kwargs_count: bool = True) -> Verdict:
        """What the app's configuration leaves implicit.

        ``legacy``: judge as Celery 3.x does (old upper-case names only, no namespace, no
        constructor settings). ``kwargs_count``: constructor keywords are settings (Celery 5.1+).
        """
        namespaces = tuple(self.settings.namespaces) + ((app.namespace,) if app.namespace else ())
        inline = set(self._canonical(app.inline, namespaces, legacy))
        if kwargs_count and not legacy:
            inline.update(self._canonical(app.kwargs, namespaces, legacy))
        unknown: list[str] = []
        extra_origins: list[str] = []
        for ref in app.extras:
            extra = self.source(app, ref)
            inline.update(self._canonical(extra.names, namespaces, legacy))
            unknown.extend(extra.unknown)
            if extra.origin:
                extra_origins.append(extra.origin)
        required = [c for c in vocabulary.REQUIRED_EXPLICIT if c not in inline]
        if not required:
            return Verdict()
        namespace = None if legacy else app.namespace
        if app.namespace_dynamic and not legacy:
            unknown.append("its namespace is not a literal")
        refs = self.replacing_sources(app)
        if not refs:
            if unknown:
                return Verdict(unknown=tuple(unknown))
            detail = "no configuration module found for it in the scanned tree"
            if self.loader(app).default:
                detail = (
                    "its default loader finds no celeryconfig module and no "
                    "CELERY_CONFIG_MODULE in the scanned tree"
                )
            if legacy and set(required) & set(self._canonical(app.inline, namespaces, False)):
                detail = "it sets the new lower-case names, which Celery 3.x does not read"
            return Verdict(
                tuple(spelled(c, namespace, False, legacy) for c in required),
                # settings merged in with conf.update(<name>) were read: name where from
                ", ".join(dict.fromkeys(extra_origins)) or None,
                detail=detail,
            )
        for ref in refs:
            source = self.source(app, ref)
            missing, undecided = source.missing(namespace, legacy, required)
            if not missing and not undecided:
                continue
            if source.unknown or unknown or undecided:
                return Verdict(unknown=tuple(unknown) + source.unknown + undecided)
            return Verdict(
                tuple(spelled(c, namespace, source.django, legacy) for c in missing), source.origin
            )
        return Verdict()

    @staticmethod
    def _canonical(
        names: Iterable[str], namespaces: tuple[str, ...], legacy: bool
    ) -> Iterator[str]:
        """Canonical settings among names written straight into ``app.conf``."""
        for name in names:
            if legacy:
                yield from (c for c in vocabulary.REQUIRED_EXPLICIT if name in old_names(c))
                continue
            found = vocabulary.canonical_setting(name, namespaces)
            if found is not None:
                yield found
