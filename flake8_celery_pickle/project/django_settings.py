"""Django's settings as a Celery configuration source (``'django.conf:settings'``).

:func:`django_settings_module` finds the settings module: ``DJANGO_SETTINGS_MODULE`` as the
project sets it, else the conventional layout. :func:`django_source` reads what it defines: a
plain module, a settings package that leaves the choice to the deployment, or a module of
django-configurations classes (``DJANGO_CONFIGURATION`` picks one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from flake8_celery_pickle.project.environment import EnvValue, env_assignments
from flake8_celery_pickle.project.module_index import ModuleIndex, is_dotted
from flake8_celery_pickle.project.resolved import Source
from flake8_celery_pickle.project.settings_module import Defined, Definitions
from flake8_celery_pickle.project.tree import ProjectTree

#: The files that set ``DJANGO_SETTINGS_MODULE`` (and ``DJANGO_CONFIGURATION``) for an app.
DJANGO_ENTRY_FILES = ("celery.py", "manage.py", "wsgi.py", "asgi.py")
#: How ``config_from_object`` names Django's settings.
DJANGO_SETTINGS = ("django.conf:settings", "django.conf.settings")


@dataclass(frozen=True)
class DjangoSettings:
    """Where ``'django.conf:settings'`` comes from: a module file, or why it is unknown.

    ``computed`` holds the places that give ``DJANGO_SETTINGS_MODULE`` a value computed at run
    time when the one that counts is such a value (``module`` is then its expression).
    """

    module: str
    path: str | None
    how: str
    computed: tuple[EnvValue, ...] = ()


def django_settings_module(
    tree: ProjectTree, index: ModuleIndex, near: str
) -> DjangoSettings | None:
    """The Django settings module of the app defined in ``near``.

    First ``DJANGO_SETTINGS_MODULE`` as set in ``near`` itself or in a ``manage.py``,
    ``wsgi.py``, ``asgi.py`` or ``celery.py`` of the tree (nearest first); then the conventional
    layout: a ``settings.py`` module or ``settings/`` package beside ``near``. None when neither
    gives a name. When the nearest value is computed at run time, the result says so (with
    every such place) instead of guessing.
    """
    values = env_assignments(
        tree,
        "DJANGO_SETTINGS_MODULE",
        near=near,
        python_only=True,
        python_names=DJANGO_ENTRY_FILES,
        computed=True,
    )
    if values:
        best = values[0]
        how = f"DJANGO_SETTINGS_MODULE in {best.path}:{best.line}"
        if best.computed:
            return DjangoSettings(best.value, None, how, tuple(v for v in values if v.computed))
        return DjangoSettings(best.value, index.find(best.value, referrer=near), how)
    directory = PurePosixPath(near).parent
    for candidate in (directory / "settings.py", directory / "settings" / "__init__.py"):
        rel = candidate.as_posix()
        if rel in tree:
            return DjangoSettings(index.name_of(rel), rel, "the conventional layout")
    return None


def django_source(definitions: Definitions, near: str) -> Source:
    """Django's settings as seen from the app module ``near``, and what they define."""
    found = django_settings_module(definitions.tree, definitions.index, near)
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
    defined = definitions.module(found.path)
    classes = definitions.configuration_classes(found.path)
    if classes:
        return _configurations(definitions, near, found.module, found.path, defined, classes)
    package = _settings_package(definitions, found.module, found.path, found.how)
    if package is not None:
        return package
    return Source(found.module, defined.names, True, defined.unknown)


def _settings_package(definitions: Definitions, module: str, rel: str, how: str) -> Source | None:
    """A settings package whose ``__init__`` sets nothing while some of its submodules set
    settings: Django could not run with the package itself, so the deployment's
    ``DJANGO_SETTINGS_MODULE`` names one of the submodules. Not judged (None otherwise)."""
    if rel != "__init__.py" and not rel.endswith("/__init__.py"):
        return None
    if not definitions.sets_nothing(rel):
        return None
    directory = rel[: -len("__init__.py")]
    submodules: list[tuple[str, str]] = []  # (dotted name, file)
    for path in definitions.tree.python_paths:
        if not path.startswith(directory) or path == rel:
            continue
        rest = path[len(directory) :]
        if rest.endswith("/__init__.py") and rest.count("/") == 1:
            submodules.append((f"{module}.{rest.split('/')[0]}", path))
        elif "/" not in rest and rest[: -len(".py")].isidentifier():
            submodules.append((f"{module}.{rest[: -len('.py')]}", path))
    defined = [(name, definitions.module(path).names) for name, path in submodules]
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
    definitions: Definitions,
    near: str,
    module: str,
    rel: str,
    defined: Defined,
    classes: list[str],
) -> Source:
    """django-configurations: the settings are the module's names plus those of the class
    ``DJANGO_CONFIGURATION`` names (with its bases). When the tree does not set that
    variable, a setting counts when every class sets it, and is undecided when only some
    do."""
    values = env_assignments(
        definitions.tree,
        "DJANGO_CONFIGURATION",
        near=near,
        python_only=True,
        python_names=DJANGO_ENTRY_FILES,
    )
    if values:
        best = values[0]
        chosen = definitions.obj(rel, best.value) if is_dotted(best.value) else None
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
    each = [(name, definitions.obj(rel, name)) for name in classes]
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


def _is_celery_name(name: str) -> bool:
    """An upper-case Django setting Celery reads (``CELERY_*``, ``CELERYD_*``, ``BROKER_*``)."""
    return name.isupper() and name.startswith(("CELERY", "BROKER_"))


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
