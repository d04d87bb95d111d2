"""Run the real flake8 command in a directory of its own, as a user would.

Every run happens in a directory that holds its own ``setup.cfg`` (so the repository's
``[flake8]`` settings never leak in: flake8 uses the first configuration file it finds from the
working directory upwards), through ``sys.executable -m flake8`` (the interpreter running the
tests, with this package installed as a plugin). Results are the exact lines flake8 prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

#: Seconds a single flake8 run may take before the test fails instead of hanging.
TIMEOUT = 120


@dataclass(frozen=True)
class Flake8Run:
    returncode: int
    #: stdout, one entry per printed line, without line endings.
    lines: List[str]
    stderr: str

    @property
    def codes(self) -> List[str]:
        """The code of every printed result line (``path:line:col: CODE message``)."""
        return [line.split(": ", 1)[1].split(" ", 1)[0] for line in self.lines]


def write_files(directory: Path, files: Dict[str, str]) -> None:
    """Write ``files`` (relative path -> text) under ``directory``, creating folders."""
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_config(directory: Path, options: str = "") -> Path:
    """Write ``directory/setup.cfg`` with a ``[flake8]`` section holding ``options``."""
    path = directory / "setup.cfg"
    path.write_text("[flake8]\n" + options, encoding="utf-8")
    return path


def run_flake8(
    directory: Path,
    *args: str,
    config: Optional[str] = "",
    stdin: Optional[str] = None,
    python: Sequence[str] = (),
) -> Flake8Run:
    """Run flake8 with ``args`` in ``directory`` and return what it printed.

    ``config`` is the body of the ``[flake8]`` section written to ``directory/setup.cfg``
    first; ``None`` leaves any existing file alone. ``stdin`` is fed to the process (for
    ``flake8 -``). ``python`` replaces ``-m flake8`` with other interpreter arguments, for runs
    that need to prepare the process before flake8 starts (``-c "..."``).
    """
    if config is not None:
        write_config(directory, config)
    command = [sys.executable, *(python or ("-m", "flake8")), *args]
    env = dict(os.environ)
    # Nothing from the surrounding shell may change how flake8 or Python behave.
    for name in ("PYTHONSTARTUP", "PYTHONWARNINGS", "FLAKE8_CONFIG"):
        env.pop(name, None)
    done = subprocess.run(
        command,
        cwd=directory,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    return Flake8Run(done.returncode, done.stdout.splitlines(), done.stderr)
