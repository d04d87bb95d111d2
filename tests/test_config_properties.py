"""Property tests: the pack against an oracle that knows whether it wrote pickle.

Documents are built from a grid (setting spelling x value x syntax x carrier). The generator
knows which line carries a Celery setting whose value holds pickle, so the expected findings
follow from how the document was built, not from the rules under test.
"""

from __future__ import annotations

import json
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.config import scan_text

#: Examples per property; CPK_CONFIG_EXAMPLES=1500 for a long local run.
PROFILE = settings(max_examples=int(os.environ.get("CPK_CONFIG_EXAMPLES", "60")), deadline=None)

SERIALIZER_ENV = ["CELERY_TASK_SERIALIZER", "CELERY_RESULT_SERIALIZER", "CELERY_EVENT_SERIALIZER"]
ACCEPT_ENV = ["CELERY_ACCEPT_CONTENT", "CELERY_RESULT_ACCEPT_CONTENT", "RESULT_ACCEPT_CONTENT"]
SERIALIZER_NESTED = sorted(
    form for name in vocabulary.SERIALIZER_SETTINGS for form in vocabulary.config_key_forms(name)
)
ACCEPT_NESTED = sorted(
    form for name in vocabulary.ACCEPT_SETTINGS for form in vocabulary.config_key_forms(name)
)
DECOYS = ["SESSION_SERIALIZER", "CACHE_SERIALIZER", "format", "serializer", "accept"]
PICKLES = sorted(vocabulary.PICKLE_VALUES)
SAFE = ["json", "msgpack", "yaml", "PICKLE", "pickled", "application/json"]


@st.composite
def entries(draw, env_only: bool = False):
    """(key, kind, values): kind is 'serializer', 'accept' or None for a decoy key."""
    kind = draw(st.sampled_from(["serializer", "accept", None]))
    if kind == "serializer":
        pool = SERIALIZER_ENV if env_only else SERIALIZER_ENV + SERIALIZER_NESTED
    elif kind == "accept":
        pool = ACCEPT_ENV if env_only else ACCEPT_ENV + ACCEPT_NESTED
    else:
        pool = DECOYS
    key = draw(st.sampled_from(pool))
    size = 1 if kind != "accept" else draw(st.integers(1, 3))
    values = draw(st.lists(st.sampled_from(PICKLES + SAFE), min_size=size, max_size=size))
    return key, kind, values


def expected_code(kind, values):
    if kind == "serializer" and values[0] in vocabulary.PICKLE_VALUES:
        return "CPK001"
    if kind == "accept" and any(v in vocabulary.PICKLE_VALUES for v in values):
        return "CPK002"
    return None


def yaml_value(values, style):
    if len(values) == 1 and style in ("plain", "single", "double"):
        value = values[0]
        return {"plain": value, "single": f"'{value}'", "double": f'"{value}"'}[style]
    if style == "flow":
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"
    if style == "comma":
        return '"' + ",".join(values) + '"'
    return '"' + " ".join(values) + '"'


@PROFILE
@given(
    st.lists(entries(), min_size=1, max_size=6),
    st.lists(
        st.sampled_from(["plain", "single", "double", "flow", "comma", "space"]),
        min_size=6,
        max_size=6,
    ),
    st.booleans(),
)
def test_yaml_mappings(items, styles, nested):
    lines = ["celery:"] if nested else []
    indent = "  " if nested else ""
    expected = []
    for (key, kind, values), style in zip(items, styles):
        if kind == "serializer" or (len(values) == 1 and style in ("flow", "comma", "space")):
            values = values[:1]
            if kind == "serializer":
                style = style if style in ("plain", "single", "double") else "double"
        lines.append(f"{indent}{key}: {yaml_value(values, style)}")
        code = expected_code(kind, values)
        if code and style == "flow" and len(values) > 1:
            # A list reports each pickle item; a scalar reports once.
            expected.extend((len(lines), code) for v in values if v in vocabulary.PICKLE_VALUES)
        elif code:
            expected.append((len(lines), code))
    found = scan_text("values.yaml", "\n".join(lines) + "\n")
    assert [(f.line, f.code) for f in found] == expected


@PROFILE
@given(st.lists(entries(env_only=True), min_size=1, max_size=6), st.booleans())
def test_compose_and_kubernetes_env(items, kubernetes):
    lines = ["services:", "  worker:", "    environment:"]
    expected = []
    for key, kind, values in items:
        value = ",".join(values)
        if kubernetes:
            lines.append(f"      - name: {key}")
            lines.append(f'        value: "{value}"')
        else:
            lines.append(f'      - "{key}={value}"')
        code = expected_code(kind, values)
        if code:
            expected.append((len(lines), code))
    found = scan_text("docker-compose.yml", "\n".join(lines) + "\n")
    assert [(f.line, f.code) for f in found] == expected


@PROFILE
@given(
    st.lists(entries(env_only=True), min_size=1, max_size=6),
    st.lists(
        st.sampled_from(
            [
                "{k}={v}",
                "export {k}={v}",
                "{k}='{v}' celery -A proj worker",
                'docker run -e "{k}={v}" image',
            ]
        ),
        min_size=6,
        max_size=6,
    ),
)
def test_shell_and_env_files(items, templates):
    lines = []
    expected = []
    for (key, kind, values), template in zip(items, templates):
        lines.append(template.format(k=key, v=",".join(values)))
        code = expected_code(kind, values)
        if code:
            expected.append((len(lines), code))
    text = "\n".join(lines) + "\n"
    for path in ("start.sh", ".env"):
        assert [(f.line, f.code) for f in scan_text(path, text)] == expected


@PROFILE
@given(st.lists(entries(), min_size=1, max_size=5))
def test_json_objects(items):
    lines = ["{"]
    expected = []
    for index, (key, kind, values) in enumerate(items):
        value = json.dumps(values[0]) if kind != "accept" else json.dumps(values)
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"  {json.dumps(key)}: {value}{comma}")
        code = expected_code(kind, values)
        if code:
            expected.append((len(lines), code))
    lines.append("}")
    found = scan_text("config.json", "\n".join(lines) + "\n")
    assert sorted({(f.line, f.code) for f in found}) == expected
