"""Bring request bodies and uploads to a temporary file that the hasher can read."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from accord.errors import PayloadTooLarge

_CHUNK = 1024 * 1024


@contextmanager
def spooled_to_disk(source: BinaryIO, *, directory: Path, max_bytes: int) -> Iterator[Path]:
    """Copy ``source`` to a private temporary file, deleted when the block ends."""
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix="upload-") as target:
        written = 0
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > max_bytes:
                msg = f"the upload is over the {max_bytes}-byte limit"
                raise PayloadTooLarge(msg)
            target.write(chunk)
        target.flush()
        yield Path(target.name)
