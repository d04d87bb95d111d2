"""The ast-grep rule pack: its own tests, its metadata against codes.py, its bundle, its regexes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.config import build_pack, pack, pack_config_path

PACK = pack.PACK_DIR
RULE_FILES = build_pack.rule_files()
RULES = {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in RULE_FILES}


def ast_grep_binary() -> str | None:
    """The ``ast-grep`` executable of the running virtualenv, else the one on PATH."""
    beside = Path(sys.executable).with_name("ast-grep")
    if beside.exists():
        return str(beside)
    return shutil.which("ast-grep")


AST_GREP = ast_grep_binary()
needs_cli = pytest.mark.skipif(
    AST_GREP is None, reason="the ast-grep CLI (pip install ast-grep-cli) is not installed"
)


def test_pack_config_path_is_the_packaged_sgconfig():
    assert pack_config_path() == PACK / "sgconfig.yml"
    assert pack_config_path().is_file()


def test_pack_has_the_expected_rules_per_language():
    by_language = {}
    for data in RULES.values():
        by_language.setdefault(data["language"], set()).add(data["id"])
    assert by_language == {
        "yaml": {"cpk001-yaml", "cpk002-yaml", "cpk003-yaml", "cpk005-yaml"},
        "json": {"cpk001-json", "cpk002-json", "cpk003-json", "cpk005-json"},
        "bash": {"cpk001-bash", "cpk002-bash", "cpk003-bash", "cpk005-bash"},
        "hcl": {"cpk001-hcl", "cpk002-hcl", "cpk003-hcl", "cpk005-hcl"},
    }


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_metadata_agrees_with_the_code_table(path):
    data = RULES[path]
    code = data["metadata"]["code"]
    rule = BY_CODE[code]
    assert data["id"] == path.stem == f"{code.lower()}-{data['language']}"
    assert path.parent.name == data["language"]
    assert data["severity"] == pack.SEVERITY[rule.severity]
    assert data["message"] == rule.format(**pack.CLI_MESSAGE_ARGS[code])
    assert data["note"] == rule.why
    assert data["url"] == rule.url
    assert "config" in rule.engines
    assert set(data) <= {
        "id",
        "language",
        "severity",
        "message",
        "note",
        "url",
        "metadata",
        "rule",
        "utils",
        "constraints",
        "transform",
    }


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_every_rule_has_tests_and_a_snapshot(path):
    rule_id = path.stem
    test_file = PACK / "rule-tests" / f"{rule_id}-test.yml"
    cases = yaml.safe_load(test_file.read_text(encoding="utf-8"))
    assert cases["id"] == rule_id
    assert len(cases["valid"]) >= 3
    assert len(cases["invalid"]) >= 3
    assert (PACK / "rule-tests" / "__snapshots__" / f"{rule_id}-snapshot.yml").is_file()


def test_bundle_is_in_sync_with_the_rule_files():
    assert pack.BUNDLE.read_text(encoding="utf-8") == build_pack.bundle_text()
    assert build_pack.main(["--check"]) == 0


def test_bundle_holds_only_keys_ast_grep_py_accepts():
    rules = pack.load_bundle()
    assert len(rules) == len(RULE_FILES)
    for rule in rules:
        assert set(rule.config) <= set(pack.MATCHER_KEYS)


def test_every_bundled_rule_compiles_in_ast_grep_py():
    from ast_grep_py import SgRoot

    for rule in pack.load_bundle():
        root = SgRoot("x", rule.language).root()
        assert root.find_all(rule.config) == []


def _regexes(data) -> list:
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "regex":
                found.append(value)
            else:
                found.extend(_regexes(value))
    elif isinstance(data, list):
        for value in data:
            found.extend(_regexes(value))
    return found


def test_pickle_group_spells_every_pickle_value_of_the_vocabulary():
    spelled = set(pack.PICKLE_GROUP[3:-1].split("|"))
    assert spelled == set(vocabulary.PICKLE_VALUES)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_value_regexes_use_the_shared_pickle_group(path):
    """Every regex that names a pickle value names all of them, through the one group."""
    for regex in _regexes(RULES[path]):
        if "pickle" in regex:
            assert pack.PICKLE_GROUP in regex, regex


def _key_regex(rule_id: str, util: str) -> re.Pattern:
    data = next(d for d in RULES.values() if d["id"] == rule_id)
    return re.compile(data["utils"][util]["regex"])


@pytest.mark.parametrize(
    "rule_id,util,table",
    [
        ("cpk001-yaml", "serializer-key", vocabulary.SERIALIZER_SETTINGS),
        ("cpk001-json", "serializer-key", vocabulary.SERIALIZER_SETTINGS),
        ("cpk002-yaml", "accept-key", vocabulary.ACCEPT_SETTINGS),
        ("cpk002-json", "accept-key", vocabulary.ACCEPT_SETTINGS),
    ],
)
def test_key_regexes_cover_the_vocabulary_spellings(rule_id, util, table):
    pattern = _key_regex(rule_id, util)
    for canonical in table:
        for name in vocabulary.spellings(canonical) | vocabulary.config_key_forms(canonical):
            assert pattern.search(name), name
            assert pattern.search(f'"{name}"'), name
    for other in (
        "SESSION_SERIALIZER",
        "CACHE_SERIALIZER",
        "serializer",
        "serializer_class",
        "task_serializers",
        "accept",
        "format",
        "DEFAULT_SERIALIZER",
    ):
        assert not pattern.search(other), other


def test_key_regexes_are_the_same_in_yaml_and_json():
    assert (
        _key_regex("cpk001-yaml", "serializer-key").pattern
        == _key_regex("cpk001-json", "serializer-key").pattern
    )
    assert (
        _key_regex("cpk002-yaml", "accept-key").pattern
        == _key_regex("cpk002-json", "accept-key").pattern
    )


@needs_cli
def test_ast_grep_test_passes_with_snapshots():
    result = subprocess.run(
        [AST_GREP, "test", "-c", str(pack_config_path())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"test result: ok. {len(RULE_FILES)} passed; 0 failed;" in result.stdout


@needs_cli
def test_installed_pack_loads_one_rule_per_rule_file(tmp_path):
    """Guards against rules silently skipped (for instance a pack under an ignored folder)."""
    (tmp_path / "a.yml").write_text("a: 1\n")
    result = subprocess.run(
        [AST_GREP, "scan", "-c", str(pack_config_path()), "--inspect", "summary", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert f"effectiveRuleCount={len(RULE_FILES)},skippedRuleCount=0" in result.stderr


def test_bundle_json_is_valid_json():
    data = json.loads(pack.BUNDLE.read_text(encoding="utf-8"))
    assert [r["id"] for r in data["rules"]] == [p.stem for p in RULE_FILES]
