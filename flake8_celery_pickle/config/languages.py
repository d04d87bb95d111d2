"""Which engine and language reads a configuration file, decided by its name alone."""

from __future__ import annotations

import posixpath
from typing import Optional

#: Languages read by ast-grep (through ast-grep-py); ``dockerfile`` is read as shell.
ASTGREP_LANGUAGES = ("yaml", "json", "bash", "dockerfile", "hcl")
#: Languages read with the standard library.
STDLIB_LANGUAGES = ("toml", "ini")

_CONTAINERFILES = ("Dockerfile", "Containerfile")
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
    ".tf": "hcl",
    ".hcl": "hcl",
    ".tfvars": "hcl",
    ".toml": "toml",
    ".ini": "ini",
}


def language_for(path: str) -> Optional[str]:
    """The language of ``path`` ('yaml', 'json', 'bash', 'dockerfile', 'hcl', 'toml', 'ini'),
    or None when it is not a configuration file this package reads."""
    name = posixpath.basename(path.replace("\\", "/"))
    if not name:
        return None
    if name == ".env" or name.startswith(".env."):
        return "bash"
    if name == "Procfile" or name.startswith("Procfile."):
        return "bash"
    if name in _CONTAINERFILES or name.startswith(tuple(f"{n}." for n in _CONTAINERFILES)):
        return "dockerfile"
    if name == "setup.cfg":
        return "ini"
    lowered = name.lower()
    for suffix, language in _SUFFIXES.items():
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            return language
    return None
