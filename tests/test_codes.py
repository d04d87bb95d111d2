"""Invariants of the code table (flake8_celery_pickle/codes.py).

Everything users see about a code is derived from the table, so a malformed row would surface
as a broken message, a dead link or a missing doc section. These tests hold the table's shape.
"""

from __future__ import annotations

import re

import pytest

from flake8_celery_pickle import codes
from flake8_celery_pickle.codes import BY_CODE, DEFAULT_IGNORE, DOCS_URL, RULES, Rule
from flake8_celery_pickle.docs import github_slug, heading_anchors, render, rule_heading

RULE_IDS = [rule.code for rule in RULES]

#: Codes whose meaning is a Celery setting or a Celery default: they must cite Celery's own
#: security guide. The others are about kombu APIs and cite kombu's serialization guide.
CELERY_SETTING_CODES = {"CPK001", "CPK002", "CPK003", "CPK004", "CPK009", "CPK010", "CPK011"}
KOMBU_API_CODES = {"CPK005", "CPK006", "CPK007", "CPK008"}

DOC_FIELDS = ("message", "summary", "what", "why", "example", "use_instead")


def rule_params():
    return [pytest.param(rule, id=rule.code) for rule in RULES]


def test_codes_are_unique_and_shaped():
    assert len(RULE_IDS) == len(set(RULE_IDS))
    for code in RULE_IDS:
        assert re.fullmatch(r"CPK\d{3}", code), code


def test_codes_are_in_order():
    assert RULE_IDS == sorted(RULE_IDS)


def test_names_are_unique_kebab_case():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)+", name), name


def test_by_code_indexes_every_rule():
    assert list(BY_CODE) == RULE_IDS
    assert all(BY_CODE[rule.code] is rule for rule in RULES)


@pytest.mark.parametrize("rule", rule_params())
def test_every_doc_field_is_filled(rule: Rule):
    for field_name in DOC_FIELDS:
        value = getattr(rule, field_name)
        assert isinstance(value, str) and value.strip(), field_name
        assert value == value.strip(), f"{field_name} has leading or trailing blanks"
    assert rule.references
    for title, url in rule.references:
        assert title.strip()
        assert re.fullmatch(r"https://[^\s]+", url), url


@pytest.mark.parametrize("rule", rule_params())
def test_references_cite_cwe_502(rule: Rule):
    assert codes.CWE_502 in rule.references


@pytest.mark.parametrize("rule", rule_params())
def test_references_cite_the_relevant_guide(rule: Rule):
    if rule.code in CELERY_SETTING_CODES:
        assert codes.CELERY_SECURITY in rule.references
    elif rule.code in KOMBU_API_CODES:
        assert codes.KOMBU_SERIALIZATION in rule.references
    else:
        assert rule.code == "CPK000"


def test_every_code_is_classified_for_references():
    classified = CELERY_SETTING_CODES | KOMBU_API_CODES | {"CPK000"}
    assert classified == set(RULE_IDS)


@pytest.mark.parametrize("rule", rule_params())
def test_severity_scope_and_engines_are_valid(rule: Rule):
    assert rule.severity in codes.SEVERITIES
    assert rule.scope in codes.SCOPES
    assert rule.engines
    assert len(rule.engines) == len(set(rule.engines))
    assert set(rule.engines) <= {"python", "config", "project"}


def test_project_scope_codes_come_only_from_the_project_scan():
    for rule in RULES:
        if rule.scope == "project":
            assert rule.engines == ("project",), rule.code


def test_default_ignore_is_cpk010_only():
    assert DEFAULT_IGNORE == ("CPK010",)
    assert [rule.code for rule in RULES if not rule.default_enabled] == ["CPK010"]


@pytest.mark.parametrize("rule", rule_params())
def test_placeholders_are_exactly_the_example_args(rule: Rule):
    assert set(rule.placeholders) == set(rule.example_args)
    # Every placeholder is a plain name: no attribute access, indexing or format spec.
    for name in rule.placeholders:
        assert re.fullmatch(r"[a-z_]+", name), name


@pytest.mark.parametrize("rule", rule_params())
def test_message_is_one_line_without_trailing_period(rule: Rule):
    message = rule.format(**rule.example_args)
    assert "\n" not in message and "\r" not in message
    assert not message.endswith(".")
    assert message == message.strip()
    assert "  " not in message


@pytest.mark.parametrize("rule", rule_params())
def test_text_starts_with_code_and_one_space(rule: Rule):
    # flake8 splits the text at the first space to find the code.
    text = rule.text(**rule.example_args)
    assert text.split(" ", 1) == [rule.code, rule.format(**rule.example_args)]
    assert codes.text(rule.code, **rule.example_args) == text


def test_message_rejects_missing_arguments():
    with pytest.raises(KeyError):
        BY_CODE["CPK001"].format(setting="task_serializer")


@pytest.mark.parametrize("rule", rule_params())
def test_summary_is_one_sentence_line(rule: Rule):
    assert "\n" not in rule.summary
    assert rule.summary.endswith(".")


@pytest.mark.parametrize("rule", rule_params())
def test_url_anchor_is_the_heading_slug(rule: Rule):
    assert rule.anchor == github_slug(rule_heading(rule))
    assert rule.url == f"{DOCS_URL}#{rule.anchor}"


def test_every_anchor_lands_on_a_rendered_heading():
    anchors = heading_anchors(render())
    for rule in RULES:
        # Present, and exactly once: GitHub would suffix a second one with "-1".
        assert anchors.count(rule.anchor) == 1, rule.code
        assert f"{rule.anchor}-1" not in anchors
