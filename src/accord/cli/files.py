"""The files a command is given: folders expanded to their media, failures reported alike."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import typer

from accord.cli.local import fail
from accord.errors import AccordError

#: The error code in ``--json`` output for a file the system would not open.
UNREADABLE_FILE = "file.unreadable"

#: File suffixes taken from a folder (a file named on the command line is always tried:
#: formats are told by their bytes, not their names).
MEDIA_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".avif", ".heic"}
    | {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".ts", ".flv"}
    | {".wav", ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".aif", ".aiff"}
)

_OS_REASONS = {
    errno.ENOENT: "no such file",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def expand_files(
    paths: Iterable[Path],
    *,
    suffixes: frozenset[str] = MEDIA_SUFFIXES,
    leave_out: Callable[[str], bool] | None = None,
) -> Iterator[Path]:
    """Named files as given (a missing one too, to be reported); each folder's media files,
    recursively and sorted, without hidden files and those ``leave_out`` names.

    A folder without media is warned of; if every path was such a folder, so that there
    is nothing to do, that is an error (exit status 1), not a silent success."""
    before_any: list[Path] = []  # empty folders seen before the first file
    started = False
    for path in paths:
        files = _media_in(path, suffixes, leave_out) if path.is_dir() else iter([path])
        first = next(files, None)
        if first is None:
            if started:
                _warn_empty([path])
            else:
                before_any.append(path)
            continue
        if not started:
            _warn_empty(before_any)
            started = True
        yield first
        yield from files
    if before_any and not started:
        raise fail(f"no media files in {', '.join(str(folder) for folder in before_any)}")


def _media_in(
    folder: Path, suffixes: frozenset[str], leave_out: Callable[[str], bool] | None
) -> Iterator[Path]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(names):
            # Hidden files include macOS's "._photo.jpg" resource forks: not media.
            if name.startswith(".") or Path(name).suffix.lower() not in suffixes:
                continue
            if leave_out is None or not leave_out(name):
                yield Path(root) / name


def _warn_empty(folders: list[Path]) -> None:
    for folder in folders:  # else a folder given by mistake passes without a word
        typer.echo(f"accord: warning: {folder}: no media files in this folder", err=True)


def os_reason(error: OSError) -> str:
    """Why a file could not be read, in a few plain words (not ``[Errno 2] ...``)."""
    if error.errno in _OS_REASONS:
        return _OS_REASONS[error.errno]
    return (error.strerror or str(error)).lower()


def report_file_error(path: Path, error: AccordError | OSError, *, as_json: bool) -> None:
    """One error line on stderr for a file that failed, and under ``--json`` one on stdout
    too, so output lines match input files: ``{"file", "error": {"code", "detail"}}``."""
    if isinstance(error, AccordError):
        code, detail, shown = error.code, error.detail, f"{error.title.lower()}: {error.detail}"
    else:
        code, detail = UNREADABLE_FILE, os_reason(error)
        if error.filename is not None and Path(error.filename) != path:
            detail = f"{detail}: {error.filename}"  # e.g. where a signed copy was to go
        shown = detail
    typer.echo(f"accord: error: {path}: {shown}", err=True)
    if as_json:
        typer.echo(json.dumps({"file": str(path), "error": {"code": code, "detail": detail}}))
