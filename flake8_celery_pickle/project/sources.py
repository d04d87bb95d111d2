"""Follow one configuration source, as an app's module writes it, to the names it defines.

A module path string (``'pkg.mod'``, ``'pkg.mod:Obj'``), an imported module or class, a class or
value of the same module, an environment variable set somewhere in the project, a Flask app's
``config``, Django's settings: :class:`SourceResolver` reads each statically into a
:class:`~flake8_celery_pickle.project.resolved.Source`, or says why it cannot.
"""

from __future__ import annotations

from dataclasses import replace

from flake8_celery_pickle.project.app_model import ConfigRef
from flake8_celery_pickle.project.django_settings import DJANGO_SETTINGS, django_source
from flake8_celery_pickle.project.environment import env_assignments
from flake8_celery_pickle.project.expressions import Import, dict_keys
from flake8_celery_pickle.project.flask_config import class_value, flask_config
from flake8_celery_pickle.project.module_index import ModuleIndex, is_dotted
from flake8_celery_pickle.project.references import ModuleReferences
from flake8_celery_pickle.project.resolved import Source
from flake8_celery_pickle.project.settings_module import Definitions
from flake8_celery_pickle.project.test_paths import is_test_path
from flake8_celery_pickle.project.tree import ProjectTree


class SourceResolver:
    """Resolves configuration sources in one scanned tree (cached through :class:`Definitions`)."""

    def __init__(self, tree: ProjectTree, index: ModuleIndex) -> None:
        self.tree = tree
        self.index = index
        self.definitions = Definitions(tree, index)
        self._flask_seen: set[tuple[str, str]] = set()

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
        if ref.kind == "flask_key":
            found = self.flask_key(near, ref.value or "", ref.attr or "")
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
        return Source(name, defined.names, unknown=defined.unknown)

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
        return Source(shown, defined.names, unknown=defined.unknown)

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

    def flask_key(self, rel: str, binding: str, key: str) -> Source | None:
        """``<binding>.config[key]`` as module ``rel`` writes it in place: a literal dict given
        to a Flask app bound there (``binding`` itself, or the only Flask app of the module
        that writes ``key`` when ``binding`` is a parameter annotated as a Flask app). Keys
        ``from_prefixed_env`` may add at run time are not counted. None when the key cannot be
        found statically."""
        module = self.tree.module(rel)
        if module is None:
            return None
        flask_apps = ModuleReferences(rel, module).flask_apps
        candidates = [binding] if binding in flask_apps else sorted(flask_apps)
        written = []
        for name in candidates:
            found = flask_config(rel, module, name)
            if found is not None and (key in found.keys or found.objects):
                written.append((name, found))
        if len(written) != 1:
            return None
        name, found = written[0]
        values = list(found.values.get(key, []))
        for ref in found.objects:
            loaded = self.source_at(rel, ref)
            if loaded.unknown:
                return None
            if key in loaded.names:
                value = class_value(module, ref, key) if ref.kind == "local" else None
                if value is None:
                    return None
                values.append(value)
        keys = dict_keys(values[0]) if len(values) == 1 else None
        if keys is None:
            return None
        unknown = tuple(u for u in found.unknown if u not in found.prefixed)
        origin = f"{self.index.name_of(rel)}:{name}.config[{key!r}]"
        return Source(origin, keys, unknown=unknown)

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
        if not is_test_path(near):
            # a test's own setting does not configure the project's apps
            values = [v for v in values if not is_test_path(v.path)] or values
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
        return django_source(self.definitions, near)
