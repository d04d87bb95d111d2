"""Whether a file is a test: tests build throwaway apps and set variables for themselves, so
they say nothing about how the project itself is configured."""

from __future__ import annotations

from pathlib import PurePosixPath


def is_test_path(rel: str) -> bool:
    """Test modules build throwaway apps; they do not say how the project is configured."""
    path = PurePosixPath(rel)
    if any(part in ("tests", "test", "testing") for part in path.parent.parts):
        return True
    return (
        path.name.startswith("test_")
        or path.name.endswith("_test.py")
        or path.name == "conftest.py"
    )
