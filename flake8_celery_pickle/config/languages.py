"""Which engine and language reads a configuration file, decided by its name alone."""

from __future__ import annotations

import posixpath
import re
from typing import Optional

#: Languages read by ast-grep (through ast-grep-py); ``dockerfile`` and ``systemd`` (units) are
#: read as shell through a view of the file (:mod:`.dockerfile`, :mod:`.systemd`).
ASTGREP_LANGUAGES = ("yaml", "json", "bash", "dockerfile", "systemd", "hcl")
#: Languages read with the standard library.
STDLIB_LANGUAGES = ("toml", "ini")

_CONTAINERFILES = ("Dockerfile", "Containerfile")
#: Celery's generic init scripts and their default files (``/etc/default/celeryd``): shell.
#: The ``.conf`` names are also used for supervisord programs (Celery ships
#: ``extra/supervisord/celeryd.conf``); :func:`sniff_language` sends those to the INI reader.
INIT_SCRIPT_NAMES = ("celeryd", "celerybeat", "celeryd.conf", "celerybeat.conf")
#: supervisord's own configuration file, where Celery programs are often declared: INI.
SUPERVISOR_NAMES = ("supervisord.conf", "supervisor.conf")
_INI_SECTION = re.compile(r"^[ \t]*\[[A-Za-z][A-Za-z0-9_:. -]*\][ \t]*\r?$", re.MULTILINE)
_SUFFIXES = {
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".sh": "bash",
    ".bash": "bash",
    ".zsh": "bash",  # the ast-grep CLI reads these as Bash too
    ".ksh": "bash",
    ".env": "bash",
    ".dockerfile": "dockerfile",
    ".service": "systemd",
    ".tf": "hcl",
    ".hcl": "hcl",
    ".tfvars": "hcl",
    ".toml": "toml",
    ".ini": "ini",
}


def language_for(path: str) -> Optional[str]:
    """The language of ``path`` ('yaml', 'json', 'bash', 'dockerfile', 'systemd', 'hcl',
    'toml', 'ini'), or None when it is not a configuration file this package reads."""
    name = posixpath.basename(path.replace("\\", "/"))
    if not name:
        return None
    if name == ".env" or name.startswith(".env."):
        return "bash"
    if name == "Procfile" or name.startswith("Procfile."):
        return "bash"
    if name in _CONTAINERFILES or name.startswith(tuple(f"{n}." for n in _CONTAINERFILES)):
        return "dockerfile"
    if name == "setup.cfg" or name in SUPERVISOR_NAMES:
        return "ini"
    if name in INIT_SCRIPT_NAMES:
        return "bash"
    lowered = name.lower()
    for suffix, language in _SUFFIXES.items():
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            return language
    return None


def sniff_language(path: str, text: str) -> Optional[str]:
    """:func:`language_for`, corrected by the text where a name is shared by two formats: a
    ``celeryd.conf`` / ``celerybeat.conf`` with an INI section header (``[program:celery]``)
    is a supervisord file, not a shell default file."""
    language = language_for(path)
    name = posixpath.basename(path.replace("\\", "/"))
    if language == "bash" and name.endswith(".conf") and _INI_SECTION.search(text):
        return "ini"
    return language
