"""A blob sent in an HTTP response chunk by chunk, from whichever store keeps it: its
first bytes read ahead (to name its media type), the rest never held whole in memory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

from accord.media.sniff import SNIFF_BYTES
from accord.server.storage.store import CHUNK_BYTES, BlobReader, BlobStore


@dataclass(frozen=True, slots=True)
class StreamedBlob:
    #: The first bytes, already read (and sent first by ``chunks``).
    head: bytes
    size: int
    #: Every byte of the blob, ``head`` first; the blob is closed when they run out.
    chunks: Iterator[bytes]


def streamed_blob(store: BlobStore, sha256: str, head_bytes: int = SNIFF_BYTES) -> StreamedBlob:
    """The blob, opened now (so a missing one raises ``MissingBlob`` before a response
    starts) and read as the response is sent."""
    held = ExitStack()
    reader = held.enter_context(store.open(sha256))
    try:
        head = reader.read(head_bytes)
    except BaseException:
        held.close()
        raise
    return StreamedBlob(head, reader.size, _chunks(held, reader, head))


def _chunks(held: ExitStack, reader: BlobReader, head: bytes) -> Iterator[bytes]:
    with held:
        if head:
            yield head
        while chunk := reader.read(CHUNK_BYTES):
            yield chunk
