"""The two ways a configuration file can fail to be checked."""

from __future__ import annotations

INSTALL_HINT = "pip install 'flake8-celery-pickle[astgrep]'"


class EngineUnavailable(Exception):
    """ast-grep-py is not installed but the file needs it; ``str()`` says what to install."""

    def __init__(self, language: str) -> None:
        super().__init__(
            f"reading {language} files needs the ast-grep engine (ast-grep-py); "
            f"install it with: {INSTALL_HINT}"
        )
        self.language = language


class ConfigParseError(Exception):
    """The file cannot be parsed (invalid TOML or INI, binary content, ...)."""
