"""Bring request bodies and uploads to a temporary file that the hasher can read."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from starlette.requests import Request

from accord.errors import PayloadTooLarge

_CHUNK = 1024 * 1024


@contextmanager
def spooled_to_disk(source: BinaryIO, *, directory: Path, max_bytes: int) -> Iterator[Path]:
    """Copy ``source`` to a private temporary file, deleted when the block ends."""
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix="upload-") as target:
        while chunk := source.read(_CHUNK):
            _write_within(target, chunk, max_bytes)
        target.flush()
        yield Path(target.name)


@asynccontextmanager
async def body_spooled_to_disk(
    request: Request, *, directory: Path, max_bytes: int
) -> AsyncIterator[Path]:
    """Stream a raw request body (a file sent as is) to a private temporary file.

    Writes happen on the event loop: they are page-cache copies of chunks the server
    already holds in memory, cheaper than a worker thread per chunk. ``directory`` exists:
    the app creates it when it starts.
    """
    with tempfile.NamedTemporaryFile(dir=directory, prefix="upload-") as target:
        async for chunk in request.stream():
            _write_within(target, chunk, max_bytes)
        target.flush()
        yield Path(target.name)


def _write_within(target: IO[bytes], chunk: bytes, max_bytes: int) -> None:
    """Append ``chunk`` unless the file would pass ``max_bytes``."""
    if target.tell() + len(chunk) > max_bytes:
        msg = f"the upload is over the {max_bytes}-byte limit"
        raise PayloadTooLarge(msg)
    target.write(chunk)
