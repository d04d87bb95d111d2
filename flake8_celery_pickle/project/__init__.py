"""The whole-project view: each Celery app followed to its configuration, and Celery pins.

The command calls :func:`analyze` after its per-file scan. It reads the scanned tree with plain
``ast``, TOML, JSON and text (scanned code is never imported or executed) and reports:

* CPK004 for a ``Celery(...)`` app that loads its configuration from elsewhere
  (``config_from_object``, ``config_source=``, ``config_from_envvar``, ``namespace=``,
  ``conf.update(<name>)``) when the configuration it resolves to does not set
  ``task_serializer`` and ``accept_content`` explicitly. Apps that load nothing are the
  single-file checker's (it reports them already);
* CPK011 at a dependency declaration that holds Celery below 4.0.1 when the project's Celery
  configuration does not set both settings.

What cannot be resolved statically (a module name or ``DJANGO_SETTINGS_MODULE`` computed at
run time, a settings module outside the scanned tree, a Django settings package that sets
nothing itself so that the deployment picks one of its submodules, an environment variable set
nowhere in the tree) becomes a note.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.settings import DEFAULTS, Settings

__all__ = ["ACCEPTS_STR_PATHS", "ProjectResult", "analyze"]

#: :func:`analyze` takes the files as ``str`` paths as well as :class:`~pathlib.Path` objects
#: (the command passes the strings it discovered: no object per file to build).
ACCEPTS_STR_PATHS = True


@dataclass(frozen=True)
class ProjectResult:
    """Findings (``engine='project'``, root-relative '/'-separated paths) and notes.

    ``takes_over`` names the single-file findings the project view judged itself, as
    ``(root-relative path, line, column, code)``: the command drops those and keeps the
    project view's verdict (a finding, a note, or nothing).
    """

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    takes_over: list[tuple[str, int, int, str]] = field(default_factory=list)


def analyze(
    root: Path, files: Sequence[str | os.PathLike[str]], settings: Settings = DEFAULTS
) -> ProjectResult:
    """The project view of the files the command discovered under ``root``.

    Never raises: unreadable or unparsable files are skipped with a note, and an internal
    failure becomes a note naming the exception type.
    """
    try:
        from flake8_celery_pickle.project.judge import ProjectJudge
        from flake8_celery_pickle.project.tree import ProjectTree

        tree = ProjectTree(Path(root), files)
        judge = ProjectJudge(tree, settings)
        findings = judge.cpk004() + judge.cpk011()
        notes = list(dict.fromkeys(tree.notes + judge.notes))
        return ProjectResult(sorted(set(findings), key=_order), notes, judge.takes_over)
    except Exception as exc:
        return ProjectResult(
            [],
            [
                f"the project view failed ({type(exc).__name__}); "
                "CPK004 and CPK011 were not checked across files"
            ],
        )


def _order(finding: Finding) -> tuple:  # type: ignore[type-arg]
    return (finding.path, finding.line, finding.col, finding.code, finding.message)
