"""A content-addressed blob store in a folder: a file's name is its SHA-256.

Writes go to a temporary file in the same folder, are flushed to disk, then renamed into
place, so a crash never leaves a half-written blob under a valid name.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


class FolderBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            msg = f"not a SHA-256 hex digest: {sha256!r}"
            raise ValueError(msg)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def digests(self) -> Iterator[str]:
        """The SHA-256 of every blob stored, in no particular order (a backup copies them)."""
        for path in self.root.glob("??/??/*"):
            if _SHA256.fullmatch(path.name) and path == self.path_for(path.name):
                yield path.name

    def put_file(self, source: Path) -> str:
        """Store a copy of ``source``; return its SHA-256. Storing twice is harmless."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with (
            source.open("rb") as reader,
            tempfile.NamedTemporaryFile(dir=self.root, prefix=".incoming-", delete=False) as out,
        ):
            try:
                while chunk := reader.read(_CHUNK):
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
        shutil.copyfile(self.path_for(sha256), destination)

    def is_writable(self) -> bool:
        self.root.mkdir(parents=True, exist_ok=True)
        return os.access(self.root, os.W_OK)
