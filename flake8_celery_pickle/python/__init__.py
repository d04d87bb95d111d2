"""The Python checker: source or tree in, findings out. Pure; knows nothing of flake8.

Public entry points:

* :func:`may_hold_finding` -- the text gate every caller asks first;
* :func:`check_tree` -- findings for an already parsed module (the flake8 plugin);
* :func:`check_source` -- gate, parse and check (the command).
"""

from __future__ import annotations

from flake8_celery_pickle.python.checker import check_source, check_tree
from flake8_celery_pickle.python.gate import may_hold_finding

__all__ = ["check_source", "check_tree", "may_hold_finding"]
