"""A content-addressed blob store in a folder (the default): a file's name is its SHA-256.

Writes go to a temporary file in the same folder, are flushed to disk, then renamed into
place, so a crash never leaves a half-written blob under a valid name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

from accord.server.storage.store import CHUNK_BYTES, MissingBlob, is_blob_key, relative_key


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _FileReader:
    def __init__(self, file: BinaryIO, size: int) -> None:
        self._file = file
        self.size = size

    def read(self, size: int = -1, /) -> bytes:
        return self._file.read(size)


class FolderBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return f"the folder {self.root}"

    def path_for(self, sha256: str) -> Path:
        return self.root / relative_key(sha256)

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def digests(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*"):
            if is_blob_key(path.relative_to(self.root).as_posix()):
                yield path.name

    @contextmanager
    def open(self, sha256: str) -> Iterator[_FileReader]:
        try:
            file = self.path_for(sha256).open("rb")
        except FileNotFoundError:
            raise MissingBlob(sha256, self.describe()) from None
        with file:
            yield _FileReader(file, os.fstat(file.fileno()).st_size)

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        path = self.path_for(sha256)
        if not path.is_file():
            raise MissingBlob(sha256, self.describe())
        yield path

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def put_file(self, source: Path) -> str:
        """Store a copy of ``source``; return its SHA-256. Storing twice is harmless."""
        with source.open("rb") as reader:
            return self.put_stream(reader)

    def put_stream(self, reader: Readable) -> str:
        """Store what ``reader`` holds (read to its end); return its SHA-256."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".incoming-", delete=False) as out:
            try:
                while chunk := reader.read(CHUNK_BYTES):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            except BaseException:
                Path(out.name).unlink(missing_ok=True)
                raise
        sha256 = digest.hexdigest()
        target = self.path_for(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        Path(out.name).replace(target)
        return sha256

    def copy_to(self, sha256: str, destination: Path) -> None:
        try:
            shutil.copyfile(self.path_for(sha256), destination)
        except FileNotFoundError:
            if self.exists(sha256):
                raise  # the destination's folder is missing
            raise MissingBlob(sha256, self.describe()) from None

    def problem(self) -> str | None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return f"{self.root} cannot be made: {error.strerror or error}"
        if not os.access(self.root, os.W_OK):
            return f"{self.root} is not writable"
        return None
