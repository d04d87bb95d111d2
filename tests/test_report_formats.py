"""The reporters, one format at a time, on hand-built reports.

Positions use non-ASCII text before the finding so each format's column unit shows: flake8's
UTF-8 bytes in ``text`` and ``rdjson``, Unicode code points in ``json``, ``sarif`` and ``github``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flake8_celery_pickle.codes import BY_CODE, DEFAULT_IGNORE, RULES
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.report import FORMATS, github, gitlab, rdjson, renderer, sarif, text
from flake8_celery_pickle.report import json as json_report
from flake8_celery_pickle.report.fingerprint import fingerprints, number_occurrences
from flake8_celery_pickle.report.model import ErrorEntry, Item, Report, Skip, byte_to_char_column

SCHEMA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sarif-schema-2.1.0.json"

#: 'é' is 2 bytes, '😀' 4 bytes (and 2 UTF-16 units): "pickle" starts at byte 18, code point 14.
LINE = 'x = "é😀"; y = "pickle"'
MESSAGE = BY_CODE["CPK001"].format(setting="y", value="pickle", risk="it runs code")


def item(
    path: str = "pkg/settings.py",
    line_text: str = LINE,
    line: int = 3,
    code: str = "CPK001",
    col: int = 18,
    end_col: int = 26,
    message: str = MESSAGE,
    engine: str = "python",
) -> Item:
    finding = Finding(line, col, code, message, line, end_col, engine, path)
    return Item(finding, path, line_text, line_text)


def report(*items: Item, errors=(), skipped=(), notes=()) -> Report:
    return Report(
        list(items),
        scanned=2,
        skipped=list(skipped),
        errors=list(errors),
        notes=list(notes),
        version="9.9.9",
    )


def test_byte_to_char_column() -> None:
    assert byte_to_char_column(LINE, 0) == 0
    assert byte_to_char_column(LINE, 18) == 14
    assert byte_to_char_column(LINE, 26) == 22
    assert byte_to_char_column(LINE, 6) == 5  # inside "é": the column of "é"
    assert byte_to_char_column("ab", 5) == 5  # past the end: one per missing byte
    assert byte_to_char_column("", -1) == 0


def test_item_columns() -> None:
    it = item()
    assert (it.column, it.end_column) == (15, 23)
    assert (it.byte_column, it.end_byte_column) == (19, 27)
    no_end = Item(Finding(2, 0, "CPK004", "m"), "a.py", "")
    assert (no_end.end_line, no_end.end_column, no_end.end_byte_column) == (None, None, None)


def test_text_matches_flake8_columns() -> None:
    out = text.render(report(item()), BY_CODE)
    assert out == f"pkg/settings.py:3:19: CPK001 {MESSAGE}\n"


def test_text_escapes_control_characters() -> None:
    out = text.render(report(item(path="evil\nname\r.py", message="a\nb\x1b[31m\u2028")), BY_CODE)
    assert out == "evil\\x0aname\\x0d.py:3:19: CPK001 a\\x0ab\\x1b[31m\\u2028\n"
    assert out.count("\n") == 1


def test_text_path_never_starts_a_workflow_command() -> None:
    assert text.escape_path("::error file=a::b.py") == "./::error file=a::b.py"
    assert text.escape_path("  ::warning::x.py") == "./  ::warning::x.py"
    assert text.escape_path("\u3000::notice::x.py") == "./\u3000::notice::x.py"
    assert text.escape_path("a::b.py") == "a::b.py"
    assert text.escape_path(":x.py") == ":x.py"
    assert text.escape_path("\n::x.py") == "\\x0a::x.py"  # escaped: no longer at a line start
    out = text.render(report(item(path="::error::x.py")), BY_CODE)
    assert out == f"./::error::x.py:3:19: CPK001 {MESSAGE}\n"


def test_json_shape_and_code_point_columns() -> None:
    doc = json.loads(
        json_report.render(
            report(
                item(),
                errors=[ErrorEntry("bad.py", "cannot parse: invalid syntax (line 2)", 2)],
                skipped=[Skip("big.yaml", "larger than 10 MiB (--max-file-size)")],
                notes=["celery.py: config_from_object(name) is dynamic"],
            ),
            BY_CODE,
        )
    )
    assert doc == {
        "version": "9.9.9",
        "findings": [
            {
                "path": "pkg/settings.py",
                "line": 3,
                "column": 15,
                "end_line": 3,
                "end_column": 23,
                "code": "CPK001",
                "name": "pickle-serializer-setting",
                "message": MESSAGE,
                "severity": "error",
                "engine": "python",
            }
        ],
        "files": {"scanned": 2, "skipped": 1, "errors": 1},
        "skipped": [{"path": "big.yaml", "reason": "larger than 10 MiB (--max-file-size)"}],
        "errors": [
            {"path": "bad.py", "line": 2, "message": "cannot parse: invalid syntax (line 2)"}
        ],
        "notes": ["celery.py: config_from_object(name) is dynamic"],
    }


def test_json_multi_line_end_uses_end_line_text() -> None:
    finding = Finding(1, 4, "CPK003", "m", 2, 6, "python", "a.py")
    it = Item(finding, "a.py", "app(", "  'é😀')")
    doc = json.loads(json_report.render(report(it), BY_CODE))
    assert doc["findings"][0]["end_line"] == 2
    assert doc["findings"][0]["end_column"] == 5  # 6 bytes = 2 spaces, quote, é (2 bytes)


def test_github_annotation_and_escaping() -> None:
    out = github.render(report(item()), BY_CODE)
    assert out == (
        "::error file=pkg/settings.py,line=3,col=15,endLine=3,endColumn=23,"
        f"title=CPK001 pickle-serializer-setting::{MESSAGE}\n"
    )
    evil = github.render(
        report(item(path="a,b:c%\n::error file=x::forged.py", message="100%\r\n::warning::forged")),
        BY_CODE,
    )
    assert evil.count("\n") == 1
    assert evil.startswith("::error file=a%2Cb%3Ac%25%0A%3A%3Aerror file=x%3A%3Aforged.py,line=3,")
    assert evil.endswith("::100%25%0D%0A::warning::forged\n")


def test_github_levels_errors_and_overflow_notice() -> None:
    warn = item(code="CPK004", message="app without settings")
    note = item(code="CPK010", message="backend")
    out = github.render(
        report(warn, note, errors=[ErrorEntry("b.py", "cannot read: Permission denied")]), BY_CODE
    )
    lines = out.splitlines()
    assert lines[0].startswith("::warning file=pkg/settings.py,line=3,")
    assert lines[1].startswith("::notice file=pkg/settings.py,line=3,")
    assert lines[2] == (
        "::error file=b.py,title=flake8-celery-pickle could not check this file"
        "::cannot read: Permission denied"
    )
    many = github.render(report(*[item(line=n) for n in range(1, 13)]), BY_CODE).splitlines()
    assert len(many) == 13
    assert many[-1].startswith("::notice title=flake8-celery-pickle::12 annotations in total;")
    assert "so 2 may be hidden" in many[-1]


def test_gitlab_code_quality() -> None:
    doc = json.loads(
        gitlab.render(report(item(), item(code="CPK004", line=9, message="w")), BY_CODE)
    )
    assert [i["severity"] for i in doc] == ["critical", "major"]
    first = doc[0]
    assert first["description"] == f"CPK001 {MESSAGE}"
    assert first["check_name"] == "CPK001 pickle-serializer-setting"
    assert first["location"] == {"path": "pkg/settings.py", "lines": {"begin": 3, "end": 3}}
    assert len(first["fingerprint"]) == 32 and int(first["fingerprint"], 16) >= 0
    assert len({i["fingerprint"] for i in doc}) == 2


def test_rdjson_byte_columns() -> None:
    doc = json.loads(rdjson.render(report(item()), BY_CODE))
    assert doc["source"]["name"] == "flake8-celery-pickle"
    assert doc["diagnostics"] == [
        {
            "message": MESSAGE,
            "location": {
                "path": "pkg/settings.py",
                "range": {"start": {"line": 3, "column": 19}, "end": {"line": 3, "column": 27}},
            },
            "severity": "ERROR",
            "source": {"name": "flake8-celery-pickle", "url": rdjson.DOCS_URL},
            "code": {"value": "CPK001", "url": BY_CODE["CPK001"].url},
        }
    ]


def test_fingerprints_survive_unrelated_edits() -> None:
    before = [item(line=3), item(line=8, line_text="z = 'pickle'", col=4, end_col=12)]
    # Ten lines inserted above, whitespace changed on the finding's line.
    after = [
        item(line=13, line_text='x = "é😀";  y =  "pickle"'),
        item(line=18, line_text="z = 'pickle'", col=4, end_col=12),
    ]
    assert fingerprints(before) == fingerprints(after)
    sarif_before = sarif.document(report(*before), BY_CODE)["runs"][0]["results"]
    sarif_after = sarif.document(report(*after), BY_CODE)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in sarif_before] == [
        r["partialFingerprints"] for r in sarif_after
    ]
    gl_before = [i["fingerprint"] for i in gitlab.document(report(*before), BY_CODE)]
    gl_after = [i["fingerprint"] for i in gitlab.document(report(*after), BY_CODE)]
    assert gl_before == gl_after


def test_fingerprints_tell_identical_lines_apart_and_change_with_content() -> None:
    twins = [item(line=3), item(line=4)]
    (d1, i1), (d2, i2) = fingerprints(twins)
    assert d1 == d2 and (i1, i2) == (0, 1)
    results = sarif.document(report(*twins), BY_CODE)["runs"][0]["results"]
    assert results[0]["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")
    assert results[1]["partialFingerprints"]["primaryLocationLineHash"].endswith(":2")
    assert fingerprints([item(path="other.py")]) != fingerprints([item()])
    assert fingerprints([item(code="CPK002")]) != fingerprints([item()])
    assert fingerprints([item(line_text="y = 'pickle'  # changed")]) != fingerprints([item()])


def test_numbered_occurrences_survive_filtering() -> None:
    """--diff-base drops old findings after numbering: the survivors keep their numbers."""
    twins = number_occurrences([item(line=3), item(line=9), item(line=12, code="CPK002")])
    assert [i.occurrence for i in twins] == [0, 1, 0]
    full = fingerprints(twins)
    assert fingerprints(twins[1:]) == full[1:]
    assert fingerprints([item(line=9)]) == [full[0]]  # un-numbered: counted from zero again
    sarif_full = sarif.document(report(*twins), BY_CODE)["runs"][0]["results"]
    sarif_new = sarif.document(report(twins[1]), BY_CODE)["runs"][0]["results"]
    assert sarif_new[0]["partialFingerprints"] == sarif_full[1]["partialFingerprints"]
    assert sarif_new[0]["partialFingerprints"]["primaryLocationLineHash"].endswith(":2")
    gl_full = gitlab.document(report(*twins), BY_CODE)
    assert gitlab.document(report(twins[1]), BY_CODE)[0]["fingerprint"] == gl_full[1]["fingerprint"]


def test_sarif_rules_from_code_table() -> None:
    run = sarif.document(report(), BY_CODE)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r.code for r in RULES)
    for descriptor in rules:
        rule = BY_CODE[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.what[:1024] or len(rule.what) > 1024
        assert descriptor["helpUri"] == rule.url
        assert rule.why in descriptor["help"]["text"]
        assert "## Why is this bad?" in descriptor["help"]["markdown"]
        assert descriptor["defaultConfiguration"]["level"] == rule.severity
        assert descriptor["defaultConfiguration"]["enabled"] == (rule.code not in DEFAULT_IGNORE)
        tags = descriptor["properties"]["tags"]
        if rule.scope == "internal":
            assert "security-severity" not in descriptor["properties"]
        else:
            assert {"security", "CWE-502"} <= set(tags)
            assert 0.1 <= float(descriptor["properties"]["security-severity"]) <= 10.0
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_result_honours_column_kind() -> None:
    doc = sarif.document(report(item(path="dir with space/é.py")), BY_CODE)
    run = doc["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "CPK001"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "CPK001"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "dir%20with%20space/%C3%A9.py"
    assert location["region"] == {"startLine": 3, "startColumn": 15, "endLine": 3, "endColumn": 23}
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    assert doc["runs"][0]["tool"]["driver"]["version"] == "9.9.9"


def test_sarif_errors_are_notifications() -> None:
    run = sarif.document(report(errors=[ErrorEntry("bad.py", "cannot parse: x", 4)]), BY_CODE)[
        "runs"
    ][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 4}


def _validator():
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.is_file():
        pytest.skip("the SARIF 2.1.0 schema is not in the shared data folder")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def test_sarif_validates_against_the_official_schema() -> None:
    validator = _validator()
    doc = sarif.document(
        report(
            item(),
            item(code="CPK004", line=1, message="w"),
            item(code="CPK010", message="n"),
            Item(Finding(2, 0, "CPK011", "pin"), "requirements.txt", "celery==3.1"),
            errors=[ErrorEntry("bad.py", "cannot parse", 1), ErrorEntry("x.yaml", "cannot read")],
            notes=["a note"],
        ),
        BY_CODE,
    )
    errors = sorted(validator.iter_errors(doc), key=str)
    assert errors == []
    empty = sarif.document(Report(), BY_CODE)
    assert sorted(validator.iter_errors(empty), key=str) == []


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_renders_an_empty_report(name: str) -> None:
    out = renderer(name)(Report(version="1"), BY_CODE)
    if name in ("text", "github"):
        assert out == ""
    else:
        json.loads(out)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        renderer("xml")
