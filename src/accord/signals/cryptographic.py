"""Exact-match signals: SHA-256 and MD5 of the file's bytes (MD5 for exchange partners)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from accord.errors import InvalidSignal
from accord.media.kinds import MediaKind
from accord.signals.base import Compared, Signal, SignalType, Subject


def file_digest(path: Path, algorithm: str) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, algorithm).hexdigest()


class _DigestSignal(SignalType):
    """A cryptographic digest: any changed byte gives another value."""

    media_kinds = frozenset(MediaKind)
    threshold = 0.0
    compares = Compared.BYTES
    matched_by = "the same bytes"
    hex_length: ClassVar[int]

    def compute(self, subject: Subject) -> Signal:
        return Signal(type=self.name, value=file_digest(subject.media.path, self.name))

    @classmethod
    def validate(cls, value: str) -> str:
        normalized = value.strip().lower()
        if not re.fullmatch(rf"[0-9a-f]{{{cls.hex_length}}}", normalized):
            raise InvalidSignal(f"{cls.name} must be {cls.hex_length} hexadecimal characters")
        return normalized

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return 0.0 if cls.validate(a) == cls.validate(b) else 1.0

    @classmethod
    def examples(cls) -> Sequence[str]:
        return [hashlib.new(cls.name, data).hexdigest() for data in (b"", b"accord")]


class Sha256(_DigestSignal):
    name = "sha256"
    description = "SHA-256 of the file's bytes: the identity of an exact copy"
    hex_length = 64
    stix_hash = "SHA-256"


class Md5(_DigestSignal):
    name = "md5"
    description = "MD5 of the file's bytes, for partners whose hash lists use it"
    hex_length = 32
    stix_hash = "MD5"
    hma_name = "video_md5"
    hma_kinds = frozenset({MediaKind.VIDEO})
    looked_up_if_banked = True
