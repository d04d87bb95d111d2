"""Per-file state shared by the checks: the model, the resolvers, and what has been found."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.python.model import Model, Scope
from flake8_celery_pickle.python.symbols import CONF, Resolver
from flake8_celery_pickle.python.values import Values
from flake8_celery_pickle.settings import Settings


class Context:
    def __init__(self, model: Model, settings: Settings) -> None:
        self.model = model
        self.settings = settings
        self.resolver = Resolver(model)
        self.values = Values(self.resolver)
        #: The same, and f-strings by what they start with: result backend URLs (CPK010).
        self.url_values = Values(self.resolver, prefixes=True)
        self.setting_names: Dict[str, str] = vocabulary.build_lookup(settings.namespaces)
        #: Serializer names and content types that decode unsafely: the user's option plus
        #: every name this file registers with an unsafe decoder (CPK008).
        self.unsafe: Set[str] = set(settings.unsafe_serializers)
        self.findings: List[Finding] = []
        #: Canonical names of the settings set, whatever the value, per owner (CPK004): the
        #: variable holding the app whose configuration is written, or None for the module.
        self.explicit: Dict[Optional[str], Set[str]] = {}
        #: Owners that load configuration from somewhere this file cannot see.
        self.external: Set[Optional[str]] = set()
        #: ``Celery(...)`` calls that build an app, with the variable they are bound to.
        self.apps: List[Tuple[ast.Call, Optional[str]]] = []
        #: Dict literals already judged as arguments of a configuration call.
        self.consumed: Set[int] = set()
        self._calls_by_scope: Optional[Dict[int, List[ast.Call]]] = None

    # -- values -------------------------------------------------------------------------
    def pickle_in(self, node: ast.AST, scope: Scope) -> List[Tuple[str, ast.AST]]:
        """Every pickle value ``node`` may be or contain, with the node that carries it."""
        found = []
        seen: Set[Tuple[int, str]] = set()
        for text, carrier in self.values.strings(node, scope):
            if vocabulary.is_pickle(text, self.unsafe) and (id(carrier), text) not in seen:
                seen.add((id(carrier), text))
                found.append((text, carrier))
        return found

    def strings(self, node: ast.AST, scope: Scope) -> List[str]:
        return [text for text, _ in self.values.strings(node, scope)]

    def setting(self, name: object) -> Optional[str]:
        """Canonical name of a Celery setting spelled ``name`` (None if it is not one)."""
        return self.setting_names.get(name) if isinstance(name, str) else None

    def mark_explicit(self, canonical: str, owner: Optional[str]) -> None:
        self.explicit.setdefault(owner, set()).add(canonical)

    # -- receivers ----------------------------------------------------------------------
    def is_conf(self, node: ast.AST, scope: Scope) -> bool:
        """Whether ``node`` is an app's configuration object (``app.conf`` or an alias)."""
        if isinstance(node, ast.Attribute) and node.attr == "conf":
            return True
        if self.resolver.symbol(node, scope) == CONF:
            return True
        if isinstance(node, ast.Name):
            bindings, _ = scope.lookup(node.id)
            for binding in bindings:
                if isinstance(binding.node, ast.Attribute) and binding.node.attr == "conf":
                    return True
            # A signal handler's ``conf`` parameter (``celeryd_init``, ``on_after_configure``).
            return (
                node.id == "conf"
                and self.resolver.celery_context
                and any(b.kind == "param" for b in bindings)
            )
        return False

    @staticmethod
    def owner(receiver: ast.AST) -> Optional[str]:
        """The variable an app's configuration belongs to: ``app`` for ``app.conf``."""
        node = (
            receiver.value
            if isinstance(receiver, ast.Attribute) and receiver.attr == "conf"
            else receiver
        )
        return node.id if isinstance(node, ast.Name) else None

    def calls_in(self, scope_node: ast.AST) -> List[ast.Call]:
        """Calls made directly inside a function (from the model, no new walk)."""
        if self._calls_by_scope is None:
            index: Dict[int, List[ast.Call]] = {}
            for call, scope in self.model.calls:
                index.setdefault(id(scope.node), []).append(call)
            self._calls_by_scope = index
        return self._calls_by_scope.get(id(scope_node), [])

    # -- reporting ----------------------------------------------------------------------
    def report(self, code: str, node: ast.AST, **args: object) -> None:
        self.findings.append(
            Finding(
                line=getattr(node, "lineno", 1),
                col=getattr(node, "col_offset", 0),
                code=code,
                message=BY_CODE[code].format(**args),
                end_line=getattr(node, "end_lineno", None),
                end_col=getattr(node, "end_col_offset", None),
            )
        )
