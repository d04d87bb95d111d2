"""``python -m flake8_celery_pickle``: the same command as ``flake8-celery-pickle``."""

from __future__ import annotations

import os
import sys


def _forget_the_working_directory() -> None:
    """Keep the scanned tree from shadowing this package's dependencies.

    ``python -m`` puts the working directory first on ``sys.path``, so a ``packaging.py`` or
    ``yaml.py`` at the top of the tree being scanned would be imported, and run, in place of
    the real library. The entry is dropped unless it is where this package itself lives (a
    checkout run from its own root).
    """
    if not sys.path:
        return
    first = os.path.abspath(sys.path[0] or os.curdir)
    home = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if first == os.getcwd() and first != home:
        del sys.path[0]


if __name__ == "__main__":
    _forget_the_working_directory()
    from flake8_celery_pickle.cli import main

    sys.exit(main())
