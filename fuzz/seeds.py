"""Seed inputs for the fuzz targets: tiny media made here, and small corpus files.

The shared corpus may not be beside every checkout, and its README forbids copying it
into the repository, so each target also gets seeds made in code (a few hundred bytes to
a few kilobytes each: small seeds keep every execution fast).
"""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"

#: Corpus files small enough to seed with, by the targets they suit.
_CORPUS_IMAGES = (
    "pdq/misc-images/small.jpg",
    "pdq/reg-test-input/labelme-subset/q0003.jpg",
    "pdq/bridge-mods/square-128x128.jpg",
    "c2pa/libpng-test.png",
    "c2pa/test_xmp.webp",
)
_CORPUS_AUDIO = ("c2pa/id3v23_compression_underflow.mp3", "c2pa/riff_bomb_1000.wav")
_CORPUS_VIDEO = ("c2pa/dashinit.mp4", "c2pa/nested_moov_1000.mp4")
_CORPUS_CREDENTIALS = ("c2pa/C.jpg",)

#: The EXIF orientation tag, and the PNG chunks metadata is read from.
_ORIENTATION = 0x0112


def _picture(size: int = 16) -> Image.Image:
    ramp = np.linspace(0, 255, size * size * 3).reshape(size, size, 3)
    return Image.fromarray(ramp.astype(np.uint8), "RGB")


def _image_bytes(fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    _picture().save(out, fmt, **options)
    return out.getvalue()


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[_ORIENTATION] = 6
    exif[0x010F] = "fuzz camera"
    out = io.BytesIO()
    _picture(24).save(out, "JPEG", exif=exif.tobytes(), comment=b"seed")
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_with_text() -> bytes:
    png = _image_bytes("PNG")
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    chunks = (
        _png_chunk(b"tEXt", b"parameters\0a prompt")
        + _png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"made by a tool"))
        + _png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + xmp)
    )
    return png[:-12] + chunks + png[-12:]  # before IEND


def image_seeds() -> list[bytes]:
    return [
        _image_bytes("JPEG", quality=80),
        _jpeg_with_exif(),
        _png_with_text(),
        _image_bytes("GIF"),
        _image_bytes("WEBP"),
        _image_bytes("BMP"),
        _image_bytes("TIFF"),
    ]


def _tone(seconds: float = 0.25, rate: int = 8000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * math.pi * 440 * t) * 12000).astype(np.int16)


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(_tone().tobytes())
    return out.getvalue()


def _encoded_audio(container: str, codec: str, rate: int) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format=container) as muxer:
        muxer.metadata["title"] = "seed"
        stream = muxer.add_stream(codec, rate=rate)
        assert isinstance(stream, av.AudioStream)
        samples = np.resize(_tone(), 4 * 1152).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            muxer.mux(packet)
        for packet in stream.encode(None):
            muxer.mux(packet)
    return out.getvalue()


def audio_seeds() -> list[bytes]:
    return [
        _wav(),
        _encoded_audio("mp3", "libmp3lame", 8000),
        _encoded_audio("flac", "flac", 8000),
        _encoded_audio("ipod", "aac", 8000),  # M4A
    ]


def _video(container: str, codec: str) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format=container) as muxer:
        muxer.metadata["title"] = "seed"
        stream = muxer.add_stream(codec, rate=4)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for shade in (0, 80, 160, 240):
            pixels = np.full((32, 32, 3), shade, np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                muxer.mux(packet)
        for packet in stream.encode(None):
            muxer.mux(packet)
    return out.getvalue()


def video_seeds() -> list[bytes]:
    return [_video("mp4", "libx264"), _video("mp4", "mpeg4"), _video("matroska", "mpeg4")]


def _corpus(names: tuple[str, ...]) -> list[bytes]:
    """The named corpus files, where the corpus is beside the checkout."""
    return [(CORPUS / name).read_bytes() for name in names if (CORPUS / name).is_file()]


def structure_seeds() -> list[bytes]:
    return [*video_seeds(), *audio_seeds(), _image_bytes("WEBP"), *_corpus(_CORPUS_VIDEO)]


def all_kinds() -> list[bytes]:
    return [*image_seeds(), *audio_seeds(), *video_seeds()]


#: Seeds for each target, by the target's name.
SEEDS: dict[str, Callable[[], list[bytes]]] = {
    "sniff": all_kinds,
    "structure": lambda: [*structure_seeds(), *_corpus(_CORPUS_AUDIO)],
    "image": lambda: [*image_seeds(), *_corpus(_CORPUS_IMAGES)],
    "audio": lambda: [*audio_seeds(), *_corpus(_CORPUS_AUDIO)],
    "video": lambda: [*video_seeds(), *_corpus(_CORPUS_VIDEO)],
    "metadata": lambda: [*all_kinds(), *_corpus(_CORPUS_IMAGES)],
    "credentials": lambda: [*image_seeds()[:3], *_corpus(_CORPUS_CREDENTIALS)],
}
