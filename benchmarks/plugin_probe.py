"""Time the plugin's own work per file, in one process, the way flake8 calls it.

Run with the plugin environment's interpreter: ``python plugin_probe.py ROOT DIR...``. For each
``.py`` file it decodes the lines as flake8 does (PEP 263 encoding, line ends kept), parses them
outside the timed region (flake8 parses once for all plugins, so the parse is not the plugin's
cost), then times ``Plugin(tree, lines).run()`` until exhausted. Prints one JSON object: files,
files that passed the gate, files that failed to parse, findings, and the plugin's seconds.

Scanned files are only read and parsed, never imported or executed.
"""

from __future__ import annotations

import ast
import io
import json
import os
import sys
import time
import tokenize
from typing import Dict, List


def _lines(data: bytes) -> List[str]:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding).splitlines(keepends=True)


def probe(root: str, dirs: List[str]) -> Dict[str, float]:
    from flake8_celery_pickle.plugin import Plugin
    from flake8_celery_pickle.python import may_hold_finding

    files = gated = unparsable = findings = 0
    spent = 0
    for top in dirs:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for filename in sorted(filenames):
                if not filename.endswith(".py"):
                    continue
                with open(os.path.join(dirpath, filename), "rb") as handle:
                    data = handle.read()
                files += 1
                try:
                    lines = _lines(data)
                    tree = ast.parse("".join(lines))
                except (SyntaxError, ValueError, UnicodeDecodeError, LookupError):
                    unparsable += 1
                    continue
                gated += bool(may_hold_finding(lines))
                start = time.perf_counter_ns()
                found = list(Plugin(tree, lines).run())
                spent += time.perf_counter_ns() - start
                findings += len(found)
    return {
        "files": files,
        "gated": gated,
        "unparsable": unparsable,
        "findings": findings,
        "seconds": spent / 1e9,
    }


def main(argv: List[str]) -> int:
    print(json.dumps(probe(argv[0], argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
