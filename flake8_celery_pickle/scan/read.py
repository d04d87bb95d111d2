"""Reading one file without ever blocking, crashing or guessing silently.

Every outcome is a value: the decoded text, a :class:`Skip` (a deliberate, counted decision
such as a binary or oversized file) or an :class:`Unreadable` (an error entry). Python source is
decoded as ``tokenize.open`` does (PEP 263 coding line, UTF-8 BOM); configuration files are
UTF-8 with an optional BOM.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from typing import Union

#: Files larger than this are skipped unless ``--max-file-size`` says otherwise.
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
#: How much of a configuration file is searched for NUL bytes to call it binary.
BINARY_PROBE = 8192
_NEWLINES = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Skipped:
    reason: str


@dataclass(frozen=True)
class Unreadable:
    message: str


Outcome = Union[str, Skipped, Unreadable]


def human_size(size: int) -> str:
    """``10 MiB``-style size for messages (exact units only, else bytes)."""
    for shift, unit in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f"{size >> shift} {unit}"
    return f"{size} bytes"


def _kind_name(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def _describe(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def read_bytes(path: str, max_size: int) -> bytes | Skipped | Unreadable:
    """The file's bytes; never blocks on FIFOs and never reads past ``max_size`` (0: no limit)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            return Skipped("broken symbolic link")
        return Unreadable("cannot read: the file disappeared during the scan")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Skipped("symbolic link loop")
        if exc.errno == errno.ENXIO:
            return Skipped("not a regular file (a socket or device)")
        return Unreadable(f"cannot read: {_describe(exc)}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Skipped(f"not a regular file ({_kind_name(info.st_mode)})")
        if max_size and info.st_size > max_size:
            return Skipped(f"larger than {human_size(max_size)} (--max-file-size)")
        data = read_open_file(fd, info.st_size, max_size)
        if data is None:
            return Skipped(f"larger than {human_size(max_size)} (--max-file-size)")
        return data
    except OSError as exc:
        return Unreadable(f"cannot read: {_describe(exc)}")
    finally:
        os.close(fd)


def read_open_file(fd: int, size: int, limit: int = 0) -> bytes | None:
    """Every byte of the open file ``fd`` whose ``fstat`` size is ``size``, or None once there
    are more than ``limit`` (0: no limit).

    One read for the whole file (one byte more shows it grew since ``fstat``), then an empty
    one; files that report no size (/proc) are read a block at a time.
    """
    chunks: list[bytes] = []
    total = 0
    want = max(size + 1, 1 << 13)
    while True:
        chunk = os.read(fd, want)
        if not chunk:
            break
        total += len(chunk)
        if limit and total > limit:
            return None
        chunks.append(chunk)
        want = 1 << 20
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def plain_utf8_source(data: bytes) -> str | None:
    """Python source with no BOM and no coding line in its first two lines, decoded as the
    interpreter reads it (UTF-8); None when ``tokenize.detect_encoding`` has to decide (a BOM,
    a coding line, or bytes that are not UTF-8)."""
    if data.startswith(codecs.BOM_UTF8):
        return None
    second = data.find(b"\n", data.find(b"\n") + 1)
    if b"coding" in (data if second < 0 else data[:second]):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_python(data: bytes) -> str | Unreadable:
    """Decode Python source as the interpreter would (PEP 263 coding line, UTF-8 BOM)."""
    plain = plain_utf8_source(data)
    if plain is not None:
        return plain
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            return Unreadable(f"cannot decode as utf-8: {_decode_problem(bad)}")
        return Unreadable(f"cannot decode: {exc.msg}")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        return Unreadable(f"cannot decode as {encoding}: {_decode_problem(exc)}")
    return text[1:] if text.startswith("\ufeff") else text


def decode_config(data: bytes) -> str | Skipped | Unreadable:
    """Decode a configuration file as UTF-8 (BOM allowed); NUL bytes mean binary."""
    if b"\x00" in data[:BINARY_PROBE]:
        return Skipped("binary file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Unreadable(f"cannot decode as utf-8: {_decode_problem(exc)}")
    return text[1:] if text.startswith("\ufeff") else text


def _decode_problem(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"invalid byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"
    return str(exc)


def python_lines(text: str) -> list[str]:
    """Physical lines as Python counts them (``\\r\\n``, ``\\r`` and ``\\n`` end a line)."""
    return _NEWLINES.split(text)


def config_lines(text: str) -> list[str]:
    """Physical lines as tree-sitter counts them (``\\n`` ends a line; a trailing CR is dropped)."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
