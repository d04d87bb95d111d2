"""The records of one Celery app and the places it reads configuration from (:class:`App`,
:class:`ConfigRef`), with the names of Celery's loaders those records are judged by."""

from __future__ import annotations

from dataclasses import dataclass, field

from flake8_celery_pickle.project.expressions import Import
from flake8_celery_pickle.vocabulary import APP_LOADERS

#: The default loader (``celery.loaders.default:Loader``): it reads the module named by
#: ``CELERY_CONFIG_MODULE``, else ``celeryconfig``.
DEFAULT_LOADERS = frozenset(
    {"default", "celery.loaders.default:Loader", "celery.loaders.default.Loader"}
)


@dataclass(frozen=True)
class ConfigRef:
    """One place an app reads configuration from, as written in the module.

    ``kind`` is one of:
    ``string`` (a module path string: ``'pkg.mod'``, ``'pkg.mod:Obj'``, ``'django.conf:settings'``);
    ``import`` (a name imported in the module, see ``imported``);
    ``local`` (a class or value defined in the same module, named ``name``);
    ``envvar`` (``config_from_envvar('VAR')`` or ``os.environ.get('VAR', default)``);
    ``flask`` (``<flask app>.config`` of a Flask app bound in the same module to ``value``);
    ``flask_key`` (``<flask app>.config[<attr>]``: one key of a Flask app's config, the app
    bound in the same module to ``value`` or a parameter annotated as a Flask app);
    ``literal`` (a dict written in place; its keys are in ``keys``);
    ``dynamic`` (anything else; ``text`` shows it);
    ``unknown`` (a source the resolver knows it cannot read; ``text`` says why).
    """

    kind: str
    line: int
    text: str
    value: str | None = None
    imported: Import | None = None
    attr: str | None = None
    keys: frozenset[str] = frozenset()


@dataclass
class App:
    """One ``Celery(...)`` call and everything the module does to its configuration."""

    path: str
    line: int
    col: int
    end_line: int | None
    end_col: int | None
    binding: str | None = None
    namespace: str | None = None
    namespace_dynamic: bool = False
    #: the ``loader=`` argument: a string, the dotted name of a reference, or (when
    #: ``loader_dynamic``) the text of an expression; None when there is none. With
    #: ``loader_env`` it is the fallback of ``os.environ.get(<loader_env>) or <loader>``.
    loader: str | None = None
    loader_env: str | None = None
    loader_dynamic: bool = False
    #: the module sets ``CELERY_CONFIG_MODULE`` itself (``os.environ.setdefault(...)``)
    sets_config_module: bool = False
    #: replacing sources, in source order (the last one wins at runtime)
    sources: list[ConfigRef] = field(default_factory=list)
    #: additive sources (``conf.update(<name>)``, ``add_defaults(<name>)``)
    extras: list[ConfigRef] = field(default_factory=list)
    #: setting names written in the module through ``app.conf`` and friends
    inline: set[str] = field(default_factory=set)
    #: setting names given as constructor keywords (honoured from Celery 5.1 only)
    kwargs: set[str] = field(default_factory=set)

    @property
    def custom_loader(self) -> bool:
        """Whether the app may use a loader other than the app loader (which reads nothing
        but ``CELERY_CONFIG_MODULE``)."""
        return bool(
            self.loader_env
            or self.loader_dynamic
            or (self.loader is not None and self.loader not in APP_LOADERS)
        )

    @property
    def loads_elsewhere(self) -> bool:
        """Whether the module loads configuration from elsewhere, in the sense of the
        single-file CPK004 (which stays silent for such apps)."""
        return bool(
            self.namespace
            or self.namespace_dynamic
            or any(ref.kind != "literal" for ref in self.sources)
            or self.extras
            or self.custom_loader
            or self.sets_config_module
        )
