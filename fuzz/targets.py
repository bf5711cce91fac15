"""The fuzz targets: one parser each, fed through the library's own entry points.

Import this module inside ``atheris.instrument_imports`` so accord's code is measured.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

from accord.errors import AccordError
from accord.media.audio import audio_seconds, decode_audio
from accord.media.file import MediaFile, open_media
from accord.media.image import decode_image
from accord.media.limits import MIB, MediaLimits
from accord.media.metadata import read_fields
from accord.media.sniff import sniff_bytes
from accord.media.video import iter_frames, probe_video
from accord.provenance.verification import verify_file

#: Tighter than the server's, so no single input holds a run up for long.
LIMITS = MediaLimits(
    max_bytes=4 * MIB,
    max_pixels=4_000_000,
    max_frames=2000,
    max_duration_seconds=600.0,
    max_decode_seconds=5.0,
)


class Unforeseen(Exception):
    """A decoder raised what the decode boundary had to contain: a cause to fix."""


class _Boundary(logging.Handler):
    """Keeps what ``accord.media.boundary`` logs: an exception it turned into
    ``CorruptMedia``."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.caught: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.caught.append(record.exc_info[1])


class Harness:
    """Runs one target on bytes and enforces the contract."""

    def __init__(self, target: Callable[[Path], None]) -> None:
        self.target = target
        self.path = Path(tempfile.mkdtemp(prefix="accord-fuzz-")) / "input"
        self.boundary = _Boundary()
        logging.getLogger("accord.media").addHandler(self.boundary)

    def __call__(self, data: bytes) -> None:
        self.path.write_bytes(data)
        self.boundary.caught.clear()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Pillow's, on every other corrupt input
                self.target(self.path)
        except AccordError:
            pass  # the contract: a refusal accord names
        if self.boundary.caught:
            cause = self.boundary.caught[0]
            raise Unforeseen(f"{type(cause).__name__}: {cause}") from cause


def _sniff(path: Path) -> None:
    sniff_bytes(path.read_bytes())


def _opened(path: Path) -> MediaFile:
    return open_media(path, LIMITS)


def _structure(path: Path) -> None:
    _opened(path)


def _image(path: Path) -> None:
    media = _opened(path)
    decode_image(media)
    decode_image(media, min_side=8, luma=True)  # the reduced-JPEG path


def _audio(path: Path) -> None:
    media = _opened(path)
    audio_seconds(media)
    decode_audio(media, max_seconds=30.0)


def _video(path: Path) -> None:
    media = _opened(path)
    probe_video(media)
    for _ in iter_frames(media, interval=0.5, max_side=64):
        pass


def _metadata(path: Path) -> None:
    read_fields(_opened(path))


def _credentials(path: Path) -> None:
    verify_file(path, limits=LIMITS)


TARGETS: dict[str, Callable[[Path], None]] = {
    "sniff": _sniff,
    "structure": _structure,
    "image": _image,
    "audio": _audio,
    "video": _video,
    "metadata": _metadata,
    "credentials": _credentials,
}
