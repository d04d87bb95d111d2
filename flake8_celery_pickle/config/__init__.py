"""The configuration-file engines: the ast-grep pack, and TOML/INI readers.

Public API (used by the ``flake8-celery-pickle`` command):

* :func:`language_for` decides by file name which language reads a file, or None;
* :func:`may_hold_finding` is the text gate (no parse when a file cannot hold a finding);
* :func:`scan_text` returns the findings of one file;
* :func:`pack_config_path` is the packaged ``sgconfig.yml`` for ``ast-grep scan -c``;
* :class:`EngineUnavailable` (ast-grep-py is missing) and :class:`ConfigParseError`.

Importing this package imports neither ast-grep-py nor the readers: they load on first scan.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

from flake8_celery_pickle.config.errors import INSTALL_HINT, ConfigParseError, EngineUnavailable
from flake8_celery_pickle.config.gate import may_hold_finding
from flake8_celery_pickle.config.languages import ASTGREP_LANGUAGES, language_for, sniff_language
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.settings import DEFAULTS, Settings

__all__ = [
    "INSTALL_HINT",
    "ConfigParseError",
    "EngineUnavailable",
    "language_for",
    "may_hold_finding",
    "pack_config_path",
    "scan_text",
]

#: Deeper nesting than this is refused before parsing (tree-sitter and the readers recurse).
MAX_NESTING = 200


def pack_config_path() -> Path:
    """The packaged ``sgconfig.yml`` (for ``ast-grep scan -c <path>``)."""
    from flake8_celery_pickle.config.pack import SGCONFIG

    return SGCONFIG


def scan_text(
    path: str,
    text: str,
    settings: Settings = DEFAULTS,
    *,
    honour_suppressions: bool = True,
) -> List[Finding]:
    """The findings in one configuration file.

    ``honour_suppressions=False`` reports what ``ast-grep-ignore`` and ``# noqa`` comments
    would hide (flake8's ``--disable-noqa``: report everything).

    Raises :class:`ValueError` when ``path`` is not a configuration file this package reads,
    :class:`EngineUnavailable` when the file needs ast-grep-py and it is not installed, and
    :class:`ConfigParseError` when the file cannot be parsed.
    """
    language = sniff_language(path, text)
    if language is None:
        raise ValueError(f"not a configuration file this tool reads: {path}")
    if text.startswith("\ufeff"):  # columns count from after the BOM, as in flake8
        text = text[1:]
    if not may_hold_finding(text, settings):
        return []
    _check_nesting(text)
    if language in ASTGREP_LANGUAGES:
        from flake8_celery_pickle.config import astgrep_engine

        return astgrep_engine.scan(
            path, text, language, settings, honour_suppressions=honour_suppressions
        )
    if language == "toml":
        from flake8_celery_pickle.config import toml_reader

        return toml_reader.scan(path, text, settings, honour_suppressions=honour_suppressions)
    from flake8_celery_pickle.config import ini_reader

    return ini_reader.scan(path, text, settings, honour_suppressions=honour_suppressions)


def _check_nesting(text: str) -> None:
    """Refuse absurdly nested text (``[[[[...`` bombs) before any parser recurses into it."""
    depth = 0
    deepest = 0
    for ch in text:
        if ch in "[{(":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    raise ConfigParseError(f"nesting deeper than {MAX_NESTING} levels")
        elif ch in "]})" and depth:
            depth -= 1
