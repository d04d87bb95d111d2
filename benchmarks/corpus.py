"""The benchmark corpus: Python files from pinned source distributions on the package index.

Each distribution is fetched once with ``pip download --no-deps --no-binary NAME NAME==VERSION``
(pip talks to whatever index the user's pip is configured for) into
``<cache>/downloads/``, unpacked, and only its ``.py`` files are kept under
``<cache>/corpus/<group>/``. A manifest records the pins and file counts; a later run with the
same pins reuses the corpus without touching the network.

The corpus root is made a git repository of its own (an empty one) so that tools which honour
``.gitignore`` do not apply the enclosing checkout's ignore rules (which ignore the cache).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Sequence, Tuple

from benchmarks.envs import run_quiet

Log = Callable[[str], None]


@dataclass(frozen=True)
class Source:
    """One pinned source distribution and the corpus directory it is unpacked into."""

    group: str
    name: str
    version: str
    note: str = ""

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


#: The pinned corpus. Change a pin and the next run rebuilds the corpus.
SOURCES: Tuple[Source, ...] = (
    Source("django", "Django", "5.2.19", "web framework (package and its tests)"),
    Source("celery", "celery", "5.7.0", "task queue (package and its tests)"),
    Source("kombu", "kombu", "5.7.0", "messaging library (package and its tests)"),
    Source("airflow", "apache-airflow-core", "3.3.2", "workflow scheduler"),
    Source("airflow", "apache-airflow-providers-celery", "3.26.0", "Airflow's Celery executor"),
    Source("mayan-edms", "mayan-edms", "4.12.2", "a large Django + Celery application"),
)

#: Directories (under the corpus root) that the flake8 rows scan. flake8 itself needs minutes for
#: the whole corpus, so its paired rows use a smaller, real part: a Django + Celery application
#: (typical: few files mention Celery) and kombu (the text gate's worst case: nearly every file
#: names kombu).
FLAKE8_GROUPS: Tuple[str, ...] = ("kombu", "mayan-edms")


@dataclass(frozen=True)
class GroupStats:
    files: int
    lines: int
    bytes: int


@dataclass
class Corpus:
    """A built corpus: its root, the half corpus, and per-group statistics."""

    root: Path
    half_root: Path
    stats: Dict[str, GroupStats]

    @property
    def total(self) -> GroupStats:
        return GroupStats(
            sum(s.files for s in self.stats.values()),
            sum(s.lines for s in self.stats.values()),
            sum(s.bytes for s in self.stats.values()),
        )

    def subset_total(self, groups: Sequence[str]) -> GroupStats:
        chosen = [self.stats[g] for g in groups]
        return GroupStats(
            sum(s.files for s in chosen), sum(s.lines for s in chosen), sum(s.bytes for s in chosen)
        )

    def half_files(self) -> int:
        return sum(1 for _ in python_files(self.half_root))


def _pins(sources: Sequence[Source]) -> List[Dict[str, str]]:
    return [asdict(s) for s in sources]


def python_files(root: Path) -> Iterator[Path]:
    """Every ``.py`` file under ``root`` in a stable order, skipping ``.git``."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for filename in sorted(filenames):
            if filename.endswith(".py"):
                yield Path(dirpath, filename)


def _group_stats(root: Path) -> GroupStats:
    files = lines = size = 0
    for path in python_files(root):
        data = path.read_bytes()
        files += 1
        lines += data.count(b"\n")
        size += len(data)
    return GroupStats(files, lines, size)


def _download(source: Source, pip: Sequence[str], target: Path, log: Log) -> Path:
    """The sdist archive of ``source`` in ``target``, downloading it unless already there."""
    archives = _archives(target)
    if archives:
        return archives[0]
    target.mkdir(parents=True, exist_ok=True)
    log(f"downloading {source.requirement} (source distribution)")
    cmd = [
        *pip,
        "download",
        "--quiet",
        "--no-deps",
        "--no-binary",
        source.name,
        "--dest",
        str(target),
        source.requirement,
    ]
    run_quiet(cmd)
    archives = _archives(target)
    if not archives:
        raise RuntimeError(f"pip saved no source archive for {source.requirement}")
    return archives[0]


def _archives(directory: Path) -> List[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p for p in directory.iterdir() if p.name.endswith((".tar.gz", ".tgz", ".zip", ".tar.bz2"))
    )


def _safe_member(name: str) -> str | None:
    """The member path when it is a relative ``.py`` path that stays inside the target."""
    if not name.endswith(".py"):
        return None
    parts = Path(name).parts
    if not parts or Path(name).is_absolute() or ".." in parts:
        return None
    return name


def _unpack_python_files(archive: Path, dest: Path) -> int:
    """Extract only the regular ``.py`` members of ``archive`` into ``dest``; returns a count."""
    count = 0
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = _safe_member(info.filename)
                if name is None or info.is_dir():
                    continue
                out = dest / name
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(zf.read(info))
                count += 1
        return count
    with tarfile.open(archive) as tf:
        for member in tf:
            name = _safe_member(member.name)
            if name is None or not member.isfile():
                continue
            fileobj = tf.extractfile(member)
            if fileobj is None:
                continue
            out = dest / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(fileobj.read())
            count += 1
    return count


def _make_own_repository(root: Path) -> None:
    """Make ``root`` the top of an (empty) git repository of its own."""
    if (root / ".git").exists():
        return
    git = shutil.which("git")
    if git:
        subprocess.run([git, "init", "--quiet", str(root)], check=True)
    else:
        (root / ".git").mkdir()


def _build_half(root: Path, half_root: Path) -> None:
    """Every other file of the corpus (in sorted order), hard-linked into ``half_root``."""
    if half_root.exists():
        shutil.rmtree(half_root)
    half_root.mkdir(parents=True)
    for index, path in enumerate(python_files(root)):
        if index % 2:
            continue
        out = half_root / path.relative_to(root)
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, out)
        except OSError:
            shutil.copyfile(path, out)
    _make_own_repository(half_root)


def build_corpus(
    cache: Path,
    pip: Sequence[str],
    log: Log,
    sources: Sequence[Source] = SOURCES,
    name: str = "corpus",
) -> Corpus:
    """The corpus ``cache/name``, built from ``sources`` unless a matching one is there.

    Downloads are shared between corpora of different names; the half corpus is
    ``cache/<name>-half`` and the manifest ``cache/<name>.json``.
    """
    root = cache / name
    half_root = cache / f"{name}-half"
    manifest_path = cache / f"{name}.json"
    if manifest_path.is_file() and root.is_dir() and half_root.is_dir():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("sources") == _pins(sources):
            stats = {g: GroupStats(**s) for g, s in manifest["stats"].items()}
            return Corpus(root, half_root, stats)
    log(f"building the corpus {name}")
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for source in sources:
        archive = _download(source, pip, cache / "downloads" / source.requirement, log)
        count = _unpack_python_files(archive, root / source.group)
        log(f"  {source.requirement}: {count} .py files")
    _make_own_repository(root)
    _build_half(root, half_root)
    groups = sorted({s.group for s in sources})
    stats = {g: _group_stats(root / g) for g in groups}
    manifest_path.write_text(
        json.dumps(
            {"sources": _pins(sources), "stats": {g: asdict(s) for g, s in stats.items()}},
            indent=2,
        ),
        encoding="utf-8",
    )
    return Corpus(root, half_root, stats)
