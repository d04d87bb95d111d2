"""Follow each Celery app to the configuration it reads, and say what that leaves unset.

For one :class:`~flake8_celery_pickle.project.apps.App` this resolves every source the app reads
(a module path string, an imported module or class, Django's settings, an environment
variable set somewhere in the project, ``CELERY_CONFIG_MODULE``, the default loader's
``celeryconfig``) to the names it defines, and judges, under the app's namespace, which of
``task_serializer`` and ``accept_content`` stay implicit. A source that cannot be read
statically leaves the verdict unknown: the caller turns that into a note, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.project.apps import (
    APP_LOADERS,
    CONFIG_MODULE_VAR,
    DEFAULT_LOADERS,
    App,
    ConfigRef,
    Import,
    flask_config,
)
from flake8_celery_pickle.project.resolve import (
    DJANGO_ENTRY_FILES,
    ModuleIndex,
    django_settings_module,
    env_assignments,
    is_dotted,
)
from flake8_celery_pickle.project.settings_module import (
    Defined,
    Definitions,
    missing_settings,
    old_names,
    spelled,
)
from flake8_celery_pickle.project.tree import ProjectTree
from flake8_celery_pickle.settings import Settings

DJANGO_SETTINGS = ("django.conf:settings", "django.conf.settings")
#: The module the default loader reads when ``CELERY_CONFIG_MODULE`` is not set.
DEFAULT_CONFIG_MODULE = "celeryconfig"


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
class Loader:
    """The loader an app uses: the default loader (``default``: it reads ``celeryconfig``),
    the app loader, or one whose configuration cannot be told (``unknown`` says why)."""

    default: bool = False
    unknown: str = ""


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


class Resolver:
    """Resolves configuration sources in one scanned tree (cached through :class:`Definitions`)."""

    def __init__(self, tree: ProjectTree, index: ModuleIndex, settings: Settings) -> None:
        self.tree = tree
        self.index = index
        self.settings = settings
        self.definitions = Definitions(tree, index)
        self._flask_seen: set[tuple[str, str]] = set()

    # -- one source ------------------------------------------------------------------------------

    def source(self, app: App, ref: ConfigRef) -> Source:
        return self.source_at(app.path, ref)

    def source_at(self, near: str, ref: ConfigRef) -> Source:
        """What ``ref``, written in module ``near``, resolves to."""
        if ref.kind == "literal":
            return Source(None, ref.keys)
        if ref.kind == "unknown":
            return Source(None, unknown=(ref.text,))
        if ref.kind == "string":
            return self.module_path(near, ref.value or "")
        if ref.kind == "local":
            return self._object(near, ref.value or "", self.index.name_of(near))
        if ref.kind == "import" and ref.imported is not None:
            return self._import(near, ref.imported, ref.attr)
        if ref.kind == "envvar":
            return self._envvar(near, ref.value or "", ref.attr)
        if ref.kind == "flask":
            found = self.flask(near, ref.value or "")
            if found is not None:
                return found
        return Source(
            None,
            unknown=(
                f"its configuration comes from `{ref.text}`, "
                "which cannot be read without running the code",
            ),
        )

    def module_path(self, near: str, path: str) -> Source:
        """A string as ``config_from_object`` takes it: ``pkg.mod``, ``pkg.mod:Obj``,
        ``pkg.mod.Obj``."""
        if path in DJANGO_SETTINGS:
            return self.django(near)
        if path == "__name__":
            return self._module(near, self.index.name_of(near))
        module, _, obj = path.partition(":")
        if not is_dotted(module) or (obj and not is_dotted(obj)):
            return Source(None, unknown=(f"'{path}' is not a module path",))
        wanted = module
        if obj:
            rel = self.index.find(module, referrer=near)
        else:
            # 'pkg.mod', else 'pkg.mod.Obj' (or 'pkg.mod.app.config'): the longest module
            # prefix in the tree, the rest an object in it
            parts = module.split(".")
            rel = None
            for cut in range(len(parts), 0, -1):
                rel = self.index.find(".".join(parts[:cut]), referrer=near)
                if rel is not None:
                    module, obj = ".".join(parts[:cut]), ".".join(parts[cut:])
                    break
        if rel is None:
            return Source(None, unknown=(f"module '{wanted}' is not in the scanned tree",))
        return self._object(rel, obj, module) if obj else self._module(rel, module)

    def _module(self, rel: str, name: str) -> Source:
        defined = self.definitions.module(rel)
        return Source(name, defined.names, unknown=self._unknown_reasons(defined))

    def _object(self, rel: str, obj: str, module: str) -> Source:
        owner, _, attr = obj.rpartition(".")
        if attr == "config" and owner:
            found = self.flask(rel, owner)
            if found is not None:
                return found
        defined = self.definitions.obj(rel, obj)
        shown = f"{module}:{obj}"
        if defined is None:
            return Source(None, unknown=(f"'{shown}' cannot be read statically",))
        return Source(shown, defined.names, unknown=self._unknown_reasons(defined))

    def flask(self, rel: str, binding: str) -> Source | None:
        """``<binding>.config`` of the Flask app that module ``rel`` binds to ``binding``: the
        keys the module writes, and the upper-case names of the objects it loads with
        ``from_object``. None when ``binding`` is no Flask app there."""
        key = (rel, binding)
        module = self.tree.module(rel)
        found = flask_config(rel, module, binding) if module is not None else None
        if found is None or key in self._flask_seen:
            return None
        self._flask_seen.add(key)
        try:
            names = set(found.keys)
            unknown = list(found.unknown)
            for ref in found.objects:
                loaded = self.source_at(rel, ref)
                names.update(n for n in loaded.names if n.isupper())
                unknown.extend(loaded.unknown)
        finally:
            self._flask_seen.discard(key)
        return Source(
            f"{self.index.name_of(rel)}:{binding}.config", frozenset(names), unknown=tuple(unknown)
        )

    @staticmethod
    def _unknown_reasons(defined: Defined) -> tuple[str, ...]:
        return defined.unknown

    def _import(self, near: str, imp: Import, rest: str | None) -> Source:
        base = ".".join(p for p in (imp.module, imp.attr) if p)
        if not imp.level and (
            base == "django.conf.settings" or base.startswith("django.conf.settings.")
        ):
            return self.django(near)
        if not imp.level:
            return self.module_path(near, f"{base}.{rest}" if rest else base)
        # relative: a submodule first, then an attribute of the package module
        rel = self.index.relative(near, imp.level, base or None)
        shown = "." * imp.level + base
        if rel is not None:
            name = self.index.name_of(rel)
            return self._object(rel, rest, name) if rest else self._module(rel, name)
        parent = self.index.relative(near, imp.level, imp.module or None)
        if parent is None or imp.attr is None:
            return Source(None, unknown=(f"module '{shown}' is not in the scanned tree",))
        obj = f"{imp.attr}.{rest}" if rest else imp.attr
        return self._object(parent, obj, self.index.name_of(parent))

    def _envvar(self, near: str, var: str, default: str | None) -> Source:
        values = env_assignments(self.tree, var, near=near)
        if values:
            best = values[0]
            found = self.module_path(near, best.value)
            origin = f"{found.origin}, named by {var} in {best.path}" if found.origin else None
            return replace(found, origin=origin)
        if default is not None:
            return self.module_path(near, default)
        return Source(
            None,
            unknown=(f"the environment variable {var} is not set anywhere in the scanned tree",),
        )

    def django(self, near: str) -> Source:
        """Django's settings as seen from the app module ``near``."""
        found = django_settings_module(self.tree, self.index, near)
        if found is not None and found.computed:
            places = " and ".join(f"{v.path}:{v.line} (`{v.value}`)" for v in found.computed)
            return Source(
                None,
                django=True,
                unknown=(
                    "it reads Django's settings, but DJANGO_SETTINGS_MODULE is computed at run "
                    f"time in {places}",
                ),
                chosen_at_deployment=True,
            )
        if found is None:
            return Source(
                None,
                django=True,
                unknown=(
                    "it reads Django's settings, but DJANGO_SETTINGS_MODULE is not set in "
                    "celery.py, manage.py, wsgi.py or asgi.py and there is no settings module "
                    f"beside {near}",
                ),
            )
        if found.path is None:
            return Source(
                None,
                django=True,
                unknown=(
                    f"its Django settings module '{found.module}' ({found.how}) is not in the "
                    "scanned tree",
                ),
            )
        defined = self.definitions.module(found.path)
        classes = self.definitions.configuration_classes(found.path)
        if classes:
            return self._configurations(near, found.module, found.path, defined, classes)
        package = self._settings_package(found.module, found.path, found.how)
        if package is not None:
            return package
        return Source(found.module, defined.names, True, defined.unknown)

    def _settings_package(self, module: str, rel: str, how: str) -> Source | None:
        """A settings package whose ``__init__`` sets nothing while some of its submodules set
        settings: Django could not run with the package itself, so the deployment's
        ``DJANGO_SETTINGS_MODULE`` names one of the submodules. Not judged (None otherwise)."""
        if rel != "__init__.py" and not rel.endswith("/__init__.py"):
            return None
        if not self.definitions.sets_nothing(rel):
            return None
        directory = rel[: -len("__init__.py")]
        submodules: list[tuple[str, str]] = []  # (dotted name, file)
        for path in self.tree.python_paths:
            if not path.startswith(directory) or path == rel:
                continue
            rest = path[len(directory) :]
            if rest.endswith("/__init__.py") and rest.count("/") == 1:
                submodules.append((f"{module}.{rest.split('/')[0]}", path))
            elif "/" not in rest and rest[: -len(".py")].isidentifier():
                submodules.append((f"{module}.{rest[: -len('.py')]}", path))
        defined = [(name, self.definitions.module(path).names) for name, path in submodules]
        setting = [(name, names) for name, names in defined if any(n.isupper() for n in names)]
        if not setting:
            return None
        celery = [name for name, names in setting if any(_is_celery_name(n) for n in names)]
        if celery:
            which = f"Celery settings are set in {_listed(celery)}"
        else:
            which = f"none of {_listed([name for name, _ in setting])} sets a Celery setting"
        return Source(
            None,
            django=True,
            unknown=(
                f"its Django settings module '{module}' ({how}) is a package that sets no "
                "settings itself; the deployment's DJANGO_SETTINGS_MODULE decides which of its "
                f"submodules is used ({which})",
            ),
            chosen_at_deployment=True,
        )

    def _configurations(
        self, near: str, module: str, rel: str, defined: Defined, classes: list[str]
    ) -> Source:
        """django-configurations: the settings are the module's names plus those of the class
        ``DJANGO_CONFIGURATION`` names (with its bases). When the tree does not set that
        variable, a setting counts when every class sets it, and is undecided when only some
        do."""
        values = env_assignments(
            self.tree,
            "DJANGO_CONFIGURATION",
            near=near,
            python_only=True,
            python_names=DJANGO_ENTRY_FILES,
        )
        if values:
            best = values[0]
            chosen = self.definitions.obj(rel, best.value) if is_dotted(best.value) else None
            if chosen is None:
                return Source(
                    None,
                    django=True,
                    unknown=(
                        f"its django-configurations class '{best.value}' (DJANGO_CONFIGURATION "
                        f"in {best.path}:{best.line}) is not a class of {module}",
                    ),
                )
            return Source(
                f"{module}:{best.value}",
                defined.names | chosen.names,
                True,
                defined.unknown + chosen.unknown,
            )
        each = [(name, self.definitions.obj(rel, name)) for name in classes]
        known = [d for _, d in each if d is not None]
        common = frozenset.intersection(*(d.names for d in known)) if known else frozenset()
        every = frozenset().union(*(d.names for d in known))
        unknown = defined.unknown + tuple(u for d in known for u in d.unknown)
        shown = ", ".join(name for name, _ in each)
        return Source(
            f"{module}, each of its django-configurations classes {shown}",
            defined.names | common,
            True,
            unknown,
            maybe=every - common,
            maybe_reason=(
                f"DJANGO_CONFIGURATION is not set in the scanned tree and the "
                f"django-configurations classes of {module} ({shown}) differ"
            ),
        )

    # -- one app -----------------------------------------------------------------------------------

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


def _is_celery_name(name: str) -> bool:
    """An upper-case Django setting Celery reads (``CELERY_*``, ``CELERYD_*``, ``BROKER_*``)."""
    return name.isupper() and name.startswith(("CELERY", "BROKER_"))


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
