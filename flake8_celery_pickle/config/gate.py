"""The text gate for configuration files: can this text hold a finding at all?

Every configuration finding needs a pickle spelling in the text (``pickle`` also covers
``fernet_pickle``; ``python-serialize`` covers both content types), a ``kombu.serializers``
entry point (CPK008), or a serializer the user declared unsafe. A file without any of them is
never parsed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import FrozenSet, Pattern

from flake8_celery_pickle.settings import DEFAULTS, Settings

GATE_WORDS = ("pickle", "python-serialize", "kombu.serializers")


@lru_cache(maxsize=32)
def _pattern(extra: FrozenSet[str]) -> Pattern[str]:
    words = sorted(set(GATE_WORDS) | extra, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in words))


def may_hold_finding(text: str, settings: Settings = DEFAULTS) -> bool:
    """False only when ``text`` cannot hold any configuration-file finding."""
    return _pattern(settings.unsafe_serializers).search(text) is not None
