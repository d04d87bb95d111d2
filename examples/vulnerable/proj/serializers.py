"""A faster serializer for large task payloads."""

import pickle

from kombu.serialization import register


def _decode(payload):
    return pickle.loads(payload)


register(  # CPK008
    "fastpickle",
    pickle.dumps,
    _decode,
    content_type="application/x-fastpickle",
    content_encoding="binary",
)
