"""``flake8-celery-pickle``: scan a tree of Python and configuration files for Celery pickle.

Exit codes: 0 no findings, 1 findings, 2 a usage error or a file that could not be read or
parsed (everything else is still reported). Only the standard library is imported before the
arguments are parsed; the scan and the reporters load afterwards.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # the scan and the reporters load only after the arguments are parsed
    from flake8_celery_pickle.report.model import Report
    from flake8_celery_pickle.scan.options import ScanOptions

PROG = "flake8-celery-pickle"
FORMATS = ("text", "json", "sarif", "github", "gitlab", "rdjson")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)(?:i?b)?\s*$", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]+")


class UsageError(Exception):
    """A bad option value: reported like argparse's own errors, exit code 2."""


def _version() -> str:
    try:
        from importlib.metadata import version

        return version(PROG)
    except Exception:
        return "0+unknown"


class _VersionAction(argparse.Action):
    """``--version``, reading the installed metadata only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help=str(kwargs.get("help", "")),
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        sys.stdout.write(f"{PROG} {_version()}\n")
        parser.exit(0)


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return tuple(code for value in values for code in _SPLIT.split(value.strip()) if code)


def _list(values: list[str] | None) -> tuple[str, ...]:
    return tuple(
        part.strip() for value in values or () for part in value.split(",") if part.strip()
    )


def parse_size(text: str) -> int:
    """``10M``, ``512k``, ``1048576``, ``2GiB`` -> bytes; ``0`` means no limit."""
    match = _SIZE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"invalid size {text!r} (use e.g. 10M, 512K or bytes)")
    number, unit = int(match.group(1)), match.group(2).lower()
    return number * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit]


def parse_jobs(text: str) -> int | None:
    if text.strip().lower() == "auto":
        return None
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid job count {text!r} (a number or 'auto')"
        ) from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("--jobs must be at least 1")
    return jobs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Find Celery and kombu configuration and code that makes workers or "
        "clients use pickle, in Python and configuration files.",
        epilog="Exit status: 0 no findings, 1 findings, 2 usage error or a file that could "
        "not be read or parsed.",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: .)"
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    out.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout"
    )
    out.add_argument("-q", "--quiet", action="store_true", help="no summary or notes on stderr")
    choose = parser.add_argument_group("codes")
    choose.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="codes or prefixes to report, comma separated (default: CPK)",
    )
    choose.add_argument(
        "--ignore",
        action="append",
        metavar="CODES",
        help="codes or prefixes to leave out; replaces the default ignore list "
        "(default: the codes that are off by default)",
    )
    choose.add_argument(
        "--extend-select",
        action="append",
        metavar="CODES",
        help="add to the selected codes, e.g. CPK010",
    )
    choose.add_argument(
        "--extend-ignore", action="append", metavar="CODES", help="add to the ignored codes"
    )
    choose.add_argument(
        "--disable-noqa",
        action="store_true",
        help="report findings that # noqa or ast-grep-ignore comments silence",
    )
    files = parser.add_argument_group("files")
    files.add_argument(
        "--exclude",
        action="append",
        metavar="PATTERNS",
        help="comma-separated globs to leave out; replaces the default list",
    )
    files.add_argument(
        "--extend-exclude",
        action="append",
        metavar="PATTERNS",
        help="comma-separated globs to leave out in addition to the defaults",
    )
    files.add_argument("--no-gitignore", action="store_true", help="do not honour .gitignore files")
    files.add_argument(
        "--max-file-size",
        type=parse_size,
        metavar="SIZE",
        help="skip (and count) files larger than SIZE, e.g. 10M; 0: no limit (default: 10M)",
    )
    files.add_argument(
        "--diff-base",
        metavar="REF",
        help="report only findings on lines added or changed since git REF",
    )
    files.add_argument(
        "--no-project",
        action="store_true",
        help="skip the whole-project view (cross-file configuration, pins)",
    )
    run = parser.add_argument_group("run")
    run.add_argument(
        "-j",
        "--jobs",
        type=parse_jobs,
        default=None,
        metavar="N",
        help="worker processes, or 'auto' (default: auto: processes only for large trees)",
    )
    settings = parser.add_argument_group("checks (as the flake8 plugin's options)")
    settings.add_argument(
        "--celery-pickle-namespaces",
        action="append",
        metavar="NAMES",
        help="Django namespaces whose <NS>_TASK_SERIALIZER and similar names "
        "are Celery settings, comma separated (default: CELERY)",
    )
    settings.add_argument(
        "--celery-pickle-unsafe-serializers",
        action="append",
        metavar="NAMES",
        help="serializer names or content types registered elsewhere with "
        "decoders that can run code, comma separated",
    )
    parser.add_argument(
        "--print-pack-path",
        action="store_true",
        help="print the path of the ast-grep rule pack's sgconfig.yml and exit",
    )
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    return parser


def _scan_options(args: argparse.Namespace) -> ScanOptions:
    from flake8_celery_pickle.scan import ScanOptions
    from flake8_celery_pickle.scan.ignore import DEFAULT_EXCLUDE
    from flake8_celery_pickle.scan.read import DEFAULT_MAX_SIZE
    from flake8_celery_pickle.scan.select import invalid_prefixes
    from flake8_celery_pickle.settings import DEFAULT_NAMESPACES, Settings

    select, ignore = _codes(args.select), _codes(args.ignore)
    extend_select, extend_ignore = (
        _codes(args.extend_select) or (),
        _codes(args.extend_ignore) or (),
    )
    bad = invalid_prefixes([*(select or ()), *(ignore or ()), *extend_select, *extend_ignore])
    if bad:
        raise UsageError(f"invalid code or prefix {bad[0]!r} (expected e.g. CPK001 or CPK)")
    namespaces = (
        _list(args.celery_pickle_namespaces)
        if args.celery_pickle_namespaces
        else DEFAULT_NAMESPACES
    )
    return ScanOptions(
        settings=Settings.from_options(namespaces, _list(args.celery_pickle_unsafe_serializers)),
        select=select,
        ignore=ignore,
        extend_select=extend_select,
        extend_ignore=extend_ignore,
        exclude=_list(args.exclude) if args.exclude is not None else DEFAULT_EXCLUDE,
        extend_exclude=_list(args.extend_exclude),
        use_gitignore=not args.no_gitignore,
        disable_noqa=args.disable_noqa,
        max_size=DEFAULT_MAX_SIZE if args.max_file_size is None else args.max_file_size,
        jobs=args.jobs,
        diff_base=args.diff_base,
        project=not args.no_project,
        paths=tuple(args.paths) or (".",),
    )


def _write(stream: IO[str], text: str) -> None:
    """Write ``text`` whatever the stream's encoding; a closed pipe (``| head``) ends quietly."""
    try:
        try:
            stream.write(text)
        except UnicodeEncodeError:
            buffer = getattr(stream, "buffer", None)
            if buffer is None:
                stream.write(text.encode("ascii", "backslashreplace").decode("ascii"))
            else:
                stream.flush()
                buffer.write(text.encode("utf-8", "backslashreplace"))
                buffer.flush()
        stream.flush()
    except BrokenPipeError:
        # Nobody reads any more: point the stream at devnull so the exit flush cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        finally:
            os.close(devnull)


def _summary(report: Report) -> str:
    files = report.scanned
    text = f"{PROG}: {files} file{'s' if files != 1 else ''} scanned"
    skipped = Counter(skip.reason for skip in report.skipped)
    if skipped:
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items()))
        text += f", {len(report.skipped)} skipped ({reasons})"
    else:
        text += ", 0 skipped"
    errors = len(report.errors)
    text += f", {errors} error{'s' if errors != 1 else ''}"
    findings = len(report.items)
    text += f", {findings} finding{'s' if findings != 1 else ''}"
    return text + "\n"


def _print_pack_path() -> int:
    from flake8_celery_pickle.scan.engines import config_engine

    config, problem = config_engine()
    if config is None or not hasattr(config, "pack_config_path"):
        sys.stderr.write(
            f"{PROG}: the ast-grep rule pack is not available{': ' + problem if problem else ''}\n"
        )
        return EXIT_ERROR
    _write(sys.stdout, f"{config.pack_config_path()}\n")
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (0 clean, 1 findings, 2 errors)."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    if args.print_pack_path:
        return _print_pack_path()
    try:
        options = _scan_options(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return EXIT_ERROR

    from flake8_celery_pickle.codes import BY_CODE
    from flake8_celery_pickle.report import renderer
    from flake8_celery_pickle.report.text import escape, escape_path
    from flake8_celery_pickle.scan import DiffBaseError, scan

    try:
        report = scan(options)
    except DiffBaseError as exc:
        sys.stderr.write(f"{PROG}: error: --diff-base {args.diff_base}: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    if args.format in ("json", "sarif"):
        report.version = _version()
    output = renderer(args.format)(report, BY_CODE)
    if args.output:
        try:
            with open(
                args.output, "w", encoding="utf-8", errors="backslashreplace", newline=""
            ) as handle:
                handle.write(output)
        except OSError as exc:
            sys.stderr.write(f"{PROG}: error: cannot write {args.output}: {exc.strerror or exc}\n")
            return EXIT_ERROR
    else:
        _write(sys.stdout, output)
    for error in report.errors:
        where = f":{error.line}" if error.line else ""
        _write(sys.stderr, f"{escape_path(error.path)}{where}: error: {escape(error.message)}\n")
    if not args.quiet:
        for note in report.notes:
            _write(sys.stderr, f"{PROG}: note: {escape(note)}\n")
        if args.format == "text":
            _write(sys.stderr, _summary(report))
    if report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if report.items else EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
