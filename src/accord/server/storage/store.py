"""What every blob store does, whatever keeps the bytes (a folder, S3-compatible object
storage): store a file under its SHA-256, stream it back, lend it as a local file, delete
it, list what it holds, and say whether it can do its work now.

A blob is named by the SHA-256 of its bytes and laid out as ``ab/cd/<sha256>`` under the
store's root (the folder, or the bucket's prefix), so one blob is stored once and never
changes; a write is visible under its name only when whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

_SHA256 = re.compile(r"[0-9a-f]{64}")
#: Bytes read or written at a time when blobs are streamed.
CHUNK_BYTES = 1024 * 1024


class MissingBlob(FileNotFoundError):
    """The store holds no blob with that SHA-256 (an ``OSError``, as a missing file is)."""

    def __init__(self, sha256: str, where: str) -> None:
        super().__init__(f"no blob {sha256} in {where}")
        self.sha256 = sha256


class BlobStoreError(OSError):
    """The store cannot be reached or refused a request (an ``OSError``: callers that
    handle an unreadable file handle this too)."""


def check_sha256(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        msg = f"not a SHA-256 hex digest: {sha256!r}"
        raise ValueError(msg)
    return sha256


def relative_key(sha256: str) -> str:
    """``ab/cd/abcd…``: where a blob lives under its store's root."""
    check_sha256(sha256)
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def is_blob_key(relative: str) -> bool:
    """Whether ``relative`` (a path under a store's root) is a blob's own name."""
    name = relative.rsplit("/", 1)[-1]
    return bool(_SHA256.fullmatch(name)) and relative == relative_key(name)


class BlobReader(Protocol):
    """An open blob, read front to back."""

    #: The blob's length in bytes.
    @property
    def size(self) -> int: ...

    def read(self, size: int = -1, /) -> bytes: ...


class BlobStore(Protocol):
    """A content-addressed store of original bytes (uploaded media, signed copies)."""

    def describe(self) -> str:
        """Where the blobs are, for messages: a folder's path or ``s3://bucket/prefix``."""
        ...

    def put_file(self, source: Path) -> str:
        """Store a copy of ``source``; return its SHA-256. Storing twice is harmless."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def open(self, sha256: str) -> AbstractContextManager[BlobReader]:
        """The blob, streamed (never read whole into memory); ``MissingBlob`` if absent."""
        ...

    def local_copy(self, sha256: str) -> AbstractContextManager[Path]:
        """A file holding the blob for the block, for code that needs a path (decoders):
        the folder store's own file (read it, never change it), or a download removed
        afterwards. ``MissingBlob`` if absent."""
        ...

    def copy_to(self, sha256: str, destination: Path) -> None:
        """Write the blob to ``destination``; ``MissingBlob`` if absent."""
        ...

    def delete(self, sha256: str) -> None:
        """Delete the blob; deleting one that is not there is harmless."""
        ...

    def digests(self) -> Iterator[str]:
        """The SHA-256 of every blob stored, in no particular order (a backup copies them)."""
        ...

    def problem(self) -> str | None:
        """Why the store cannot do its work now (unreachable, no such bucket, not
        writable), in a few words; None when it can. Answers within a few seconds."""
        ...
