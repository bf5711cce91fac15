"""Media the tests make: encoded with PyAV's bundled FFmpeg, never downloaded."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw


def encode_h264(
    path: Path,
    frames: Sequence[NDArray[np.uint8]],
    *,
    fps: int = 30,
    pix_fmt: str = "yuv420p",
    rotation: int | None = None,
    title: str | None = None,
    crf: int = 18,
) -> Path:
    """Write RGB ``frames`` as an H.264 MP4 at ``path`` (near-lossless unless ``crf`` is
    raised, fast preset)."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        if title is not None:
            container.metadata["title"] = title
        stream = container.add_stream("libx264", rate=fps)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.options = {"preset": "ultrafast", "crf": str(crf)}
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for pixels in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def moving_scene(
    seed: int, *, frames: int = 30, width: int = 192, height: int = 108
) -> list[NDArray[np.uint8]]:
    """Frames of a scene that is not left-right symmetric: a smooth random texture panning
    at a speed and in a direction drawn from ``seed``, with a few bright discs moving
    across it. Distinct seeds give unrelated videos."""
    rng = np.random.default_rng(seed)
    step = rng.uniform(1.5, 4.0, 2) * rng.choice([-1, 1], 2)
    margin = np.ceil(np.abs(step) * frames).astype(int) + 8
    coarse = rng.integers(0, 256, ((height + margin[0]) // 8 + 2, (width + margin[1]) // 8 + 2, 3))
    big = (coarse.shape[1] * 8, coarse.shape[0] * 8)
    texture = np.asarray(
        Image.fromarray(coarse.astype(np.uint8)).resize(big, Image.Resampling.BICUBIC)
    )
    discs = rng.uniform(0, 1, (3, 5))  # x, y, dx, dy, radius, as shares of the frame
    out = []
    for index in range(frames):
        top = int(margin[0] // 2 + step[0] * (index - frames / 2))
        left = int(margin[1] // 2 + step[1] * (index - frames / 2))
        picture = Image.fromarray(
            np.ascontiguousarray(texture[top : top + height, left : left + width])
        )
        draw = ImageDraw.Draw(picture)
        for x, y, dx, dy, radius in discs:
            cx = (x + (dx - 0.5) * 0.02 * index) * width
            cy = (y + (dy - 0.5) * 0.02 * index) * height
            r = (0.05 + 0.1 * radius) * height
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 240, 200))
        out.append(np.asarray(picture))
    return out


def mirrored(frames: Sequence[NDArray[np.uint8]]) -> list[NDArray[np.uint8]]:
    """The frames mirrored left to right, as a flipped re-upload shows them."""
    return [np.ascontiguousarray(frame[:, ::-1]) for frame in frames]


def encode_talking_video(path: Path, speech: Path, *, fps: int = 10) -> Path:
    """An MP4 of grey frames for as long as ``speech`` (a WAV) lasts, with it as AAC sound."""
    with av.open(str(speech)) as source:
        sound = [frame.to_ndarray() for frame in source.decode(audio=0)]
        rate = source.streams.audio[0].rate
    samples = np.concatenate(sound, axis=1).astype(np.float32)
    if sound[0].dtype == np.int16:  # espeak-ng writes 16-bit PCM
        samples /= float(np.iinfo(np.int16).max)
    seconds = samples.shape[1] / rate
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        assert isinstance(video, av.VideoStream)
        video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        audio = container.add_stream("aac", rate=rate)
        assert isinstance(audio, av.AudioStream)
        grey = np.full((64, 64, 3), 128, np.uint8)
        for _ in range(max(1, round(seconds * fps))):
            for packet in video.encode(av.VideoFrame.from_ndarray(grey, format="rgb24")):
                container.mux(packet)
        chunk = 1024
        for start in range(0, samples.shape[1], chunk):
            piece = np.ascontiguousarray(samples[:1, start : start + chunk])
            frame = av.AudioFrame.from_ndarray(piece, format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in audio.encode(frame):
                container.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode():
                container.mux(packet)
    return path


def bomb_gif() -> bytes:
    """A GIF of a few bytes claiming 65535 x 65535 pixels (Pillow refuses it as it opens)."""
    screen = struct.pack("<HH", 65535, 65535) + b"\x00\x00\x00"
    image = b"," + struct.pack("<HHHH", 0, 0, 65535, 65535) + b"\x00"
    return b"GIF89a" + screen + image + b"\x02\x02\x44\x01\x00;"
