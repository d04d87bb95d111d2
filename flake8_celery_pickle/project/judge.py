"""The project-wide judgements: CPK004 for apps configured elsewhere, CPK011 at Celery pins."""

from __future__ import annotations

from pathlib import PurePosixPath

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.project.app_loading import may_load_elsewhere
from flake8_celery_pickle.project.app_model import App
from flake8_celery_pickle.project.apps import find_apps, may_build_app, mentions_app_class
from flake8_celery_pickle.project.configuration import DEFAULT_CONFIG_MODULE, Resolver
from flake8_celery_pickle.project.django_settings import DJANGO_ENTRY_FILES
from flake8_celery_pickle.project.environment import env_assignments
from flake8_celery_pickle.project.module_index import ModuleIndex
from flake8_celery_pickle.project.pins import Pin, find_pins
from flake8_celery_pickle.project.resolved import Source, Verdict
from flake8_celery_pickle.project.spellings import spelled
from flake8_celery_pickle.project.test_paths import is_test_path
from flake8_celery_pickle.project.tree import ProjectTree
from flake8_celery_pickle.settings import Settings
from flake8_celery_pickle.vocabulary import CONFIG_MODULE_VAR

ENGINE = "project"


class ProjectJudge:
    """Reads the tree once and produces the project view's findings and notes."""

    def __init__(self, tree: ProjectTree, settings: Settings) -> None:
        self.tree = tree
        self.index = ModuleIndex(tree)
        self.resolver = Resolver(tree, self.index, settings)
        self.notes: list[str] = []
        #: single-file findings the project view judged itself: (path, line, column, code)
        self.takes_over: list[tuple[str, int, int, str]] = []
        #: modules that may build a Celery app -> the apps they build (None: not read yet)
        self._apps: dict[str, list[App] | None] = {}
        for rel in tree.python_paths:
            text = tree.text(rel)
            if text is not None and mentions_app_class(text):
                # CPK004 needs only the apps that load configuration from elsewhere; the
                # others are read if CPK011 needs them (when the project pins Celery)
                if not may_load_elsewhere(text):
                    self._apps[rel] = None
                elif may_build_app(text):
                    self._apps[rel] = self._read_apps(rel)
            # The apps keep what they need; the text and tree are read again if a later
            # step asks, so memory stays flat however large the tree is.
            tree.forget(rel)

    def _read_apps(self, rel: str, gate: bool = False) -> list[App]:
        """The apps module ``rel`` builds; with ``gate``, none unless its text may build one."""
        apps: list[App] = []
        if gate:
            text = self.tree.text(rel)
            if text is None or not may_build_app(text):
                self.tree.forget(rel)
                return apps
        module = self.tree.module(rel)
        if module is not None:
            apps = find_apps(rel, module)
        self.tree.forget(rel)
        return apps

    @property
    def apps(self) -> list[App]:
        """Every Celery app the tree builds, in path order (modules are read on first use)."""
        found: list[App] = []
        for rel, apps in self._apps.items():
            if apps is None:
                apps = self._apps[rel] = self._read_apps(rel, gate=True)
            found.extend(apps)
        return found

    # -- CPK004 --------------------------------------------------------------------------------

    def cpk004(self) -> list[Finding]:
        findings: list[Finding] = []
        # CELERY_CONFIG_MODULE given a module name in the tree (a .env file, a Dockerfile,
        # another module; not a test, not a value computed at run time) is read by every app
        # that names no configuration source: the project view then judges those apps too, and
        # takes their single-file findings over.
        config_module_set = bool(self._apps) and any(
            not value.computed and not is_test_path(value.path)
            for value in env_assignments(self.tree, CONFIG_MODULE_VAR, computed=True)
        )
        if config_module_set:
            apps = self.apps
        else:
            apps = [app for found in self._apps.values() if found is not None for app in found]
        for app in apps:
            if not app.loads_elsewhere:
                if not config_module_set:
                    continue  # the single-file checker judges this app
                self.takes_over.append((app.path, app.line, app.col, "CPK004"))
            verdict = self.resolver.verdict(app)
            if verdict.unknown:
                self.notes.append(
                    f"{app.path}:{app.line}: CPK004 not checked for this Celery app: "
                    + "; ".join(dict.fromkeys(verdict.unknown))
                )
            elif verdict.missing:
                findings.append(
                    Finding(
                        app.line,
                        app.col,
                        "CPK004",
                        BY_CODE["CPK004"].format(missing=verdict.describe_missing()),
                        app.end_line,
                        app.end_col,
                        ENGINE,
                        app.path,
                    )
                )
        return findings

    # -- CPK011 --------------------------------------------------------------------------------

    def cpk011(self) -> list[Finding]:
        pins = find_pins(self.tree, self.notes)
        if not pins:
            return []
        verdicts = {}
        findings: list[Finding] = []
        for pin in pins:
            legacy = pin.hold.legacy
            if legacy not in verdicts:
                verdicts[legacy] = self.project_verdict(legacy)
            verdict = verdicts[legacy]
            if verdict.unknown:
                self.notes.append(
                    f"{pin.path}:{pin.line}: CPK011 not checked: Celery is held to {pin.shown}, "
                    "but the project's Celery configuration could not be read: "
                    + "; ".join(dict.fromkeys(verdict.unknown))
                )
            elif verdict.missing:
                findings.append(self._pin_finding(pin, verdict))
        return findings

    @staticmethod
    def _pin_finding(pin: Pin, verdict: Verdict) -> Finding:
        # Celery 3.x reads only the old names: the fix must be spelled the way it reads.
        explicit = (
            "CELERY_TASK_SERIALIZER='json' and CELERY_ACCEPT_CONTENT=['json']"
            if pin.hold.legacy
            else "task_serializer='json' and accept_content=['json']"
        )
        message = BY_CODE["CPK011"].format(
            version=pin.shown,
            behaviour=pin.hold.behaviour,
            missing=verdict.describe_missing(),
            explicit=explicit,
        )
        return Finding(
            pin.line, pin.col, "CPK011", message, pin.line, pin.end_col, ENGINE, pin.path
        )

    def project_verdict(self, legacy: bool) -> Verdict:
        """What the project's Celery configuration leaves implicit, for a held release.

        With apps outside tests, the first app whose configuration is not explicit decides;
        with none, the configuration Celery's default app would read: ``CELERY_CONFIG_MODULE``,
        a ``celeryconfig`` module, or (django-celery projects) Django's settings.
        """
        apps = [a for a in self.apps if not is_test_path(a.path)] or self.apps
        if apps:
            unknown: list[str] = []
            for app in apps:
                verdict = self.resolver.verdict(app, legacy=legacy, kwargs_count=False)
                if verdict.missing:
                    return verdict
                unknown.extend(f"{app.path}:{app.line}: {u}" for u in verdict.unknown)
            return Verdict(unknown=tuple(unknown))
        return self._default_app_verdict(legacy)

    def _default_app_verdict(self, legacy: bool) -> Verdict:
        sources: list[Source] = []
        env = env_assignments(self.tree, CONFIG_MODULE_VAR)
        if env:
            sources.append(self.resolver.sources.module_path(env[0].path, env[0].value))
        celeryconfig = self.index.find(DEFAULT_CONFIG_MODULE)
        if celeryconfig is not None:
            sources.append(self.resolver.sources.module_path(celeryconfig, DEFAULT_CONFIG_MODULE))
        entry = self._django_entry()
        if entry is not None:
            django = self.resolver.sources.django(entry)
            # settings chosen by the deployment are not "no configuration": a note, not a guess
            if not django.unknown or django.chosen_at_deployment:
                sources.append(django)
        known: Verdict | None = None
        unknown: list[str] = []
        for source in sources:
            missing, undecided = source.missing(None, legacy)
            if not missing and not undecided:
                return Verdict()
            if source.unknown or undecided:
                unknown.extend(source.unknown + undecided)
            elif known is None:
                known = Verdict(
                    tuple(spelled(c, None, source.django, legacy) for c in missing), source.origin
                )
        if known is not None:
            return known
        if unknown:
            return Verdict(unknown=tuple(unknown))
        return Verdict(
            tuple(spelled(c, None, False, legacy) for c in vocabulary.REQUIRED_EXPLICIT),
            detail="no Celery configuration found in the scanned tree",
        )

    def _django_entry(self) -> str | None:
        for rel in self.tree.python_paths:
            if PurePosixPath(rel).name in DJANGO_ENTRY_FILES and "DJANGO_SETTINGS_MODULE" in (
                self.tree.text(rel) or ""
            ):
                return rel
        return None
