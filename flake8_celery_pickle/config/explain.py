"""Message arguments for a node an ast-grep rule matched: which setting, which value.

The rule decides *whether* there is a finding; this module only reads the matched node and
its surroundings to name the setting and the pickle value in the message, so that in-process
findings say ``CELERY_TASK_SERIALIZER is 'pickle'`` where the CLI prints the rule's fixed text.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

from flake8_celery_pickle.config import names
from flake8_celery_pickle.settings import Settings

_ASSIGNED_KEY = re.compile(r"""^["']?(?:--env=|-e)?["']?([A-Za-z_][A-Za-z0-9_.-]*)=""")
_CMDLINE_KEY = re.compile(
    r"""(?:^|[\s"'])((?:celery[._])?"""
    r"""(?:(?:task|result|event)[._]serializer|(?:result[._])?accept[._]content))=""",
    re.IGNORECASE,
)
_PAIR_KINDS = {
    "block_mapping_pair",
    "flow_pair",
    "pair",
    "object_elem",
    "attribute",
    "variable_assignment",
}


def _unquote(text: str) -> str:
    return text.strip().strip("'\"")


def _key_of(pair: Any) -> Optional[Any]:
    kind = pair.kind()
    if kind == "variable_assignment":
        return pair.field("name")
    if kind == "attribute":
        for child in pair.children():
            if child.kind() == "identifier":
                return child
        return None
    return pair.field("key")


def _value_of(pair: Any) -> Optional[Any]:
    kind = pair.kind()
    if kind == "attribute":
        for child in pair.children():
            if child.kind() == "expression":
                return child
        return None
    if kind == "object_elem":
        return pair.field("val")
    return pair.field("value")


def _name_beside(pair: Any) -> Optional[str]:
    """For ``value:`` in a ``name``/``value`` mapping (any case), the text of ``name``."""
    parent = pair.parent()
    if parent is None:
        return None
    for sibling in parent.children():
        if sibling.kind() in _PAIR_KINDS:
            key = _key_of(sibling)
            if key is not None and _unquote(key.text()).lower() == "name":
                value = _value_of(sibling)
                return _unquote(value.text()) if value is not None else None
    return None


def setting_of(node: Any) -> str:
    """The setting name a matched value belongs to."""
    own = _ASSIGNED_KEY.match(node.text())
    if own:
        return own.group(1)
    for ancestor in node.ancestors():
        if ancestor.kind() == "expansion":  # a shell default: ${NAME:-pickle}
            name = ancestor.field("name") or next(
                (c for c in ancestor.children() if c.kind() == "variable_name"), None
            )
            if name is not None:
                return str(name.text())
        if ancestor.kind() in _PAIR_KINDS:
            key = _key_of(ancestor)
            if key is None:
                continue
            text = _unquote(key.text())
            if text.lower() == "value":
                # Kubernetes/ECS `name`/`value` (CloudFormation `Name`/`Value`) pairs; without a
                # `name` beside it (GitLab CI `NAME: {value: ...}`) the setting is the outer key.
                beside = _name_beside(ancestor)
                if beside:
                    return beside
                continue
            return text
    return "the setting"


def value_of(text: str, settings: Settings) -> str:
    """The first pickle value in a matched text."""
    items = names.pickle_items(text, settings)
    return items[0] if items else "pickle"


def _command_text(node: Any) -> str:
    text: str = node.text()
    if "celery" in text:
        return text
    parent = node.parent()
    if parent is None:
        return text
    if node.kind() == "flow_node" and parent.kind() == "block_sequence_item":
        # a block list item: the list holds the subcommand (exec form, or the `args:` list
        # beside a `command: celery`), the item alone does not
        sequence = parent.parent()
        if sequence is not None:
            return str(sequence.text())
    return str(parent.text())


def message_args(code: str, node: Any, settings: Settings) -> Dict[str, str]:
    """The ``codes.BY_CODE[code].format`` arguments for a matched node."""
    text = node.text()
    if code in ("CPK001", "CPK002"):
        setting = setting_of(node)
        args = {"setting": setting, "value": value_of(_after_equals(text), settings)}
        if code == "CPK001":
            args["risk"] = names.serializer_risk(names.normalise_key(setting, settings))
        return args
    if code == "CPK003":
        command = _command_text(node)
        parent = node.parent()
        around = text + (parent.text() if parent is not None else "")
        beat_only = "CELERYBEAT_OPTS=" in around or (
            re.search(r"\bbeat\b", command) and not re.search(r"\bworker\b", command)
        )
        sub = "beat" if beat_only else "worker"
        key = _CMDLINE_KEY.search(text)
        setting = key.group(1) if key else "a serializer setting"
        tail = text[key.end() :] if key else text
        return {
            "call": f"the celery {sub} command line",
            "setting": setting,
            "value": value_of(tail, settings),
        }
    if code == "CPK005":
        if names.CALL_SERIALIZER_ENV in text or setting_of(node) == names.CALL_SERIALIZER_ENV:
            api = f"{names.CALL_SERIALIZER_ENV} (celery call)"
        else:
            api = "celery call --serializer"
        tail = text.split("--serializer", 1)[-1]
        return {"api": api, "value": value_of(_after_equals(tail), settings)}
    raise KeyError(code)


def _after_equals(text: str) -> str:
    match = _ASSIGNED_KEY.match(text)
    return text[match.end() :] if match else text
