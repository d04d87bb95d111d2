"""``python -m flake8_celery_pickle``: the same command as ``flake8-celery-pickle``."""

from __future__ import annotations

import sys

from flake8_celery_pickle.cli import main

if __name__ == "__main__":
    sys.exit(main())
