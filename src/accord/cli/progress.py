"""A progress bar for a person watching a long command, kept out of its results."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TypeVar

import typer

ItemT = TypeVar("ItemT")


def with_progress(items: Sequence[ItemT], label: str) -> Iterator[ItemT]:
    """``items``, with a bar on stderr while a person watches there and the results go to a
    file or a pipe. When stdout is the terminal too, each result line shows the progress,
    and a bar redrawn between them would garble both."""
    if not sys.stderr.isatty() or sys.stdout.isatty():
        yield from items
        return
    with typer.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar
