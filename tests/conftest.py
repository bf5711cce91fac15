"""Fixtures shared by every test: the shared corpus and a set of hostile files."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.s3_server import S3Server, seaweedfs

REPO = Path(__file__).resolve().parents[1]
#: Real media nobody on this project made, with expected results. Its README forbids
#: committing copies, so the tests read it beside the checkout, where CI keeps it too.
CORPUS = REPO.parent / "shared" / "corpus"


def pytest_configure(config: pytest.Config) -> None:
    """One clear line, not hundreds of errors, when the corpus is not beside the checkout."""
    if not CORPUS.is_dir():
        msg = f"the shared test corpus is missing: the tests read it from {CORPUS}"
        raise pytest.UsageError(msg)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2id at its lowest cost in this process: tests make and check many passwords,
    and 0.2 s each adds up. The hashes stay argon2id, so servers the tests start (which
    hash at full cost) verify them and upgrade them on sign-in."""
    from argon2 import PasswordHasher

    from accord.server.accounts import service as accounts

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        )
        yield


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3 server (SeaweedFS) on loopback, one per test process; make a bucket of
    your own with ``s3_server.bucket(name)``."""
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


#: Real photos of two people's faces; ``make test-media`` fetches them.
FACES = REPO / ".cache" / "test-media" / "faces"


@pytest.fixture(scope="session")
def faces() -> Path:
    """obama.jpg, obama2.jpg, obama3.jpg, obama_partial_face*.jpg and biden.jpg."""
    if not (FACES / "obama.jpg").is_file():
        pytest.fail(f"the face photos are missing from {FACES}: run make test-media")
    return FACES


@dataclass(frozen=True)
class Hostile:
    path: Path
    #: The ``code`` of the error accord must answer with.
    code: str
    #: Words the error's detail must contain.
    reason: str


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_bomb_png() -> bytes:
    """A few kilobytes of PNG claiming 100,000 x 100,000 pixels."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * (1 << 20), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


@pytest.fixture(scope="session")
def hostile_files(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Hostile]:
    """Malformed corpus files plus made ones, each with the error it must produce."""
    folder = tmp_path_factory.mktemp("hostile")
    jpeg = (corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg").read_bytes()
    mp4 = (corpus / "c2pa" / "video1_no_manifest.mp4").read_bytes()
    made = {
        "short-id3.mp3": b"ID3\x04\x00",  # an ID3 header cut after 5 of its 10 bytes
        # An MP4 whose video track has no sample description: FFmpeg opens it, no codec.
        "no-stsd.mp4": mp4.replace(b"stsd", b"xxxx", 1),
        "pixel-bomb.png": pixel_bomb_png(),
        "truncated.jpg": jpeg[: len(jpeg) // 3],
        "empty.jpg": b"",
        "random.bin": np.random.default_rng(2024).bytes(64 * 1024),
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)
    c2pa = corpus / "c2pa"
    return {
        "riff_bomb_1000.wav": Hostile(c2pa / "riff_bomb_1000.wav", "media.corrupt", "nested"),
        "nested_moov_1000.mp4": Hostile(c2pa / "nested_moov_1000.mp4", "media.corrupt", "nested"),
        "id3v23_compression_underflow.mp3": Hostile(
            c2pa / "id3v23_compression_underflow.mp3", "media.corrupt", "compressed"
        ),
        "sample3.invalid.wav": Hostile(c2pa / "sample3.invalid.wav", "media.corrupt", "RIFF"),
        "short-id3.mp3": Hostile(folder / "short-id3.mp3", "media.corrupt", "cut short"),
        "no-stsd.mp4": Hostile(folder / "no-stsd.mp4", "media.corrupt", "codec description"),
        "pixel-bomb.png": Hostile(folder / "pixel-bomb.png", "media.too_large", "pixels"),
        "truncated.jpg": Hostile(folder / "truncated.jpg", "media.corrupt", "truncated"),
        "empty.jpg": Hostile(folder / "empty.jpg", "media.empty", "empty"),
        "random.bin": Hostile(folder / "random.bin", "media.unsupported", "not an image"),
    }
