"""Media the tests make: encoded with PyAV's bundled FFmpeg, never downloaded."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray


def encode_h264(
    path: Path,
    frames: Sequence[NDArray[np.uint8]],
    *,
    fps: int = 30,
    pix_fmt: str = "yuv420p",
    rotation: int | None = None,
) -> Path:
    """Write RGB ``frames`` as an H.264 MP4 at ``path`` (near-lossless, fast preset)."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.options = {"preset": "ultrafast", "crf": "18"}
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for pixels in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
