"""The packaged ast-grep rule pack: where it lives and how ast-grep-py gets its rules.

The pack is a plain ast-grep project (``astgrep/sgconfig.yml``, ``rules/<language>/<id>.yml``,
``rule-tests/``) that the ast-grep CLI runs as it is. ast-grep-py cannot read those files by
itself: it has no YAML loader, resolves no ``utilDirs`` and rejects every key that is not a
matcher (``id``, ``message``, ``severity``...). ``astgrep/pack.json`` therefore holds the
same rules already reduced to what ast-grep-py accepts (``rule``, ``constraints``, ``utils``,
``transform``) plus the id, language and code; ``python -m
flake8_celery_pickle.config.build_pack`` regenerates it from the YAML files and the test suite
fails when the two drift apart. Standard library only: loading the pack needs no YAML parser.

The rule files spell the setting names and pickle values out. Two fragments are written the
same way in every rule so that user settings can extend them here: the namespace group
``(?:CELERY)_`` (extra Django namespaces are added to it) and the pickle-value group
:data:`PICKLE_GROUP` (serializers declared unsafe are added to it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

from flake8_celery_pickle.settings import DEFAULTS, Settings

PACK_DIR = Path(__file__).resolve().parent / "astgrep"
SGCONFIG = PACK_DIR / "sgconfig.yml"
BUNDLE = PACK_DIR / "pack.json"

#: The keys ast-grep-py accepts in a rule configuration.
MATCHER_KEYS = ("rule", "constraints", "utils", "transform")

#: The pickle values as every rule spells them (``vocabulary.PICKLE_VALUES``, longest first).
PICKLE_GROUP = (
    "(?:application/x-fernet-python-serialize|application/x-python-serialize|fernet_pickle|pickle)"
)
#: The Django namespace group as every rule spells it.
NAMESPACE_GROUP = "(?:CELERY)_"

#: ast-grep severities for the code table's severities.
SEVERITY = {"error": "error", "warning": "warning", "note": "info"}

#: Message arguments of the rule files' fixed messages (the ast-grep CLI cannot compute them;
#: the in-process runner fills in the real setting and value instead).
CLI_MESSAGE_ARGS: Dict[str, Dict[str, str]] = {
    "CPK001": {
        "setting": "this Celery serializer setting",
        "value": "pickle",
        "risk": "pickled messages can run code wherever they are decoded",
    },
    "CPK002": {"setting": "this Celery accept-content setting", "value": "pickle"},
    "CPK003": {
        "call": "this celery worker/beat command line",
        "setting": "a serializer or accept-content setting",
        "value": "pickle",
    },
    "CPK005": {"api": "this celery call command", "value": "pickle"},
}


@dataclass(frozen=True)
class PackRule:
    """One rule of the pack, ready for ast-grep-py."""

    id: str
    language: str
    code: str
    config: Dict[str, Any]


def load_bundle(path: Path = BUNDLE) -> Tuple[PackRule, ...]:
    """Read the bundled rules (the ast-grep-py form of the YAML rule files)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        PackRule(id=item["id"], language=item["language"], code=item["code"], config=item["config"])
        for item in data["rules"]
    )


@cache
def _bundle() -> Tuple[PackRule, ...]:
    return load_bundle()


def _extended(config: Any, replacements: Tuple[Tuple[str, str], ...]) -> Any:
    """A copy of ``config`` whose regex strings have the marker groups replaced."""
    if isinstance(config, dict):
        return {key: _extended(value, replacements) for key, value in config.items()}
    if isinstance(config, list):
        return [_extended(value, replacements) for value in config]
    if isinstance(config, str):
        for old, new in replacements:
            config = config.replace(old, new)
        return config
    return config


def _replacements(settings: Settings) -> Tuple[Tuple[str, str], ...]:
    pairs: List[Tuple[str, str]] = []
    extra_ns = [ns for ns in settings.namespaces if ns != "CELERY" and _is_env_namespace(ns)]
    if extra_ns:
        names = "|".join(["CELERY", *(re.escape(ns) for ns in extra_ns)])
        pairs.append((NAMESPACE_GROUP, f"(?:{names})_"))
    if settings.unsafe_serializers:
        unsafe = sorted(settings.unsafe_serializers, key=len, reverse=True)
        extra = "|".join(re.escape(name) for name in unsafe)
        pairs.append((PICKLE_GROUP, PICKLE_GROUP[:-1] + "|" + extra + ")"))
    return tuple(pairs)


def _is_env_namespace(namespace: str) -> bool:
    """Upper-case namespaces only: ``<NS>_TASK_SERIALIZER`` is how they appear in config files."""
    return bool(re.fullmatch(r"[A-Z][A-Z0-9_]*", namespace))


@lru_cache(maxsize=32)
def rules_for(language: str, settings: Settings = DEFAULTS) -> Tuple[PackRule, ...]:
    """The pack's rules for one ast-grep language, extended by the user's settings."""
    replacements = _replacements(settings)
    selected = [rule for rule in _bundle() if rule.language == language]
    if not replacements:
        return tuple(selected)
    return tuple(
        PackRule(rule.id, rule.language, rule.code, _extended(rule.config, replacements))
        for rule in selected
    )


def languages() -> Iterable[str]:
    """Every ast-grep language the pack has rules for."""
    return sorted({rule.language for rule in _bundle()})
