"""Read video safely: probe a file's tracks and sample frames at a steady rate.

Decoding goes through PyAV (FFmpeg). Every frame must be decoded (a sample taken between
key frames needs its references), but only the sampled ones are converted to RGB (or
luma), and at a reduced size: perceptual hashes look at about 64x64 pixels of detail, and
scaling inside FFmpeg's converter costs far less than converting full frames and scaling
them afterwards.

``media.limits`` bounds the work: pixels per frame and duration are checked from the
headers before decoding and again on every decoded frame; decoded frames and wall-clock
time are counted as decoding goes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import av.error
import numpy as np
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray

from accord.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia
from accord.media.boundary import decoding
from accord.media.demuxers import CONTAINER_OPTIONS, demuxer_for
from accord.media.file import MediaFile
from accord.media.limits import MediaLimits

#: Longest side, in pixels, of the frames ``iter_frames`` returns by default.
FRAME_MAX_SIDE = 512

#: Slack when comparing a frame's time with the next sampling time, for rounded pts.
_TIME_EPSILON = 1e-3


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the container headers say about a file, before anything is decoded.

    ``width`` and ``height`` are the stored frame size (0 without a video track), before
    any rotation the file asks players to apply.
    """

    width: int
    height: int
    #: Seconds, or None when the container does not say.
    duration: float | None
    #: Frames per second, or None when the container does not say.
    frame_rate: float | None
    has_video: bool
    has_audio: bool


@dataclass(frozen=True, slots=True, eq=False)
class VideoFrame:
    """One sampled frame: seconds since the first frame, and its pixels.

    ``pixels`` is RGB (H x W x 3), or luma (H x W) when ``iter_frames`` was asked for gray.
    """

    timestamp: float
    pixels: NDArray[np.uint8]


def probe_video(media: MediaFile) -> VideoInfo:
    """Read the headers of ``media``; raise ``CorruptMedia`` if FFmpeg cannot parse them."""
    with decoding("video"), _open(media) as container:
        video = _video_stream(container)
        rate = _frame_rate(video) if video is not None else None
        return VideoInfo(
            width=video.codec_context.width if video is not None else 0,
            height=video.codec_context.height if video is not None else 0,
            duration=_duration(container, video),
            frame_rate=float(rate) if rate else None,
            has_video=video is not None,
            has_audio=bool(container.streams.audio),
        )


def iter_frames(
    media: MediaFile,
    *,
    interval: float = 1.0,
    max_side: int | None = FRAME_MAX_SIDE,
    gray: bool = False,
) -> Generator[VideoFrame, None, None]:
    """Yield about one frame per ``interval`` seconds of presentation time.

    The first frame is always yielded (at timestamp 0); after a frame at ``t`` the next one
    yielded is the first at or after the next multiple of ``interval``. Frames are scaled
    down (never up) to at most ``max_side`` pixels on their longer side, keeping the
    aspect ratio, and turned upright when the file carries a rotation. ``gray`` asks for
    luma only (full range, H x W): what PDQ looks at, and several times cheaper for FFmpeg
    to scale than RGB.

    Raises ``UnsupportedMedia`` without a video track, ``MediaTooLarge`` when a limit in
    ``media.limits`` is broken and ``CorruptMedia`` when FFmpeg fails or no frame decodes.
    """
    if not interval > 0:
        raise ValueError("interval must be positive")
    limits = media.limits
    deadline = time.monotonic() + limits.max_decode_seconds
    with decoding("video"), _open(media) as container:
        stream = _video_stream(container)
        if stream is None:
            raise UnsupportedMedia("the file has no video track")
        _check_headers(container, stream, limits)
        stream.thread_type = "AUTO"
        decoder = _Decoder(container, stream, deadline, limits)
        sampler = _Sampler(interval, _frame_rate(stream), limits)
        # One converter for the whole stream: FFmpeg then keeps its scaling filters, which
        # cost more to set up than to run (VideoFrame.to_ndarray builds new ones each call).
        reformatter = VideoReformatter()
        for frame in decoder.frames():
            timestamp = sampler.take(frame)
            if timestamp is not None:
                pixels = _to_array(frame, reformatter, max_side, gray)
                yield VideoFrame(timestamp=timestamp, pixels=pixels)
        if sampler.decoded == 0:
            raise CorruptMedia("no video frame could be decoded")
        # The MP4 index lists every frame; a file cut short just stops, without an error.
        if stream.frames and decoder.packets < stream.frames:
            raise CorruptMedia(
                f"the video stops after {decoder.packets} of its {stream.frames} frames "
                "(truncated or corrupt)"
            )


class _Sampler:
    """Counts decoded frames against the limits and picks those to yield."""

    def __init__(self, interval: float, rate: Fraction | None, limits: MediaLimits) -> None:
        self.interval = interval
        self.rate = rate
        self.limits = limits
        self.decoded = 0
        self.origin: float | None = None
        self.next_time = 0.0

    def take(self, frame: Any) -> float | None:
        """The frame's timestamp if it is to be yielded, else None."""
        self.decoded += 1
        if self.decoded > self.limits.max_frames:
            raise MediaTooLarge(f"the video has more than {self.limits.max_frames} frames")
        _check_pixels(frame.width, frame.height, self.limits)
        seconds = _frame_seconds(frame, self.decoded, self.rate)
        if self.origin is None:
            self.origin = seconds
        timestamp = max(0.0, seconds - self.origin)
        if timestamp > self.limits.max_duration_seconds:
            raise MediaTooLarge(
                f"the video is longer than {self.limits.max_duration_seconds:g} seconds"
            )
        if timestamp + _TIME_EPSILON < self.next_time:
            return None
        self.next_time = (math.floor(timestamp / self.interval + _TIME_EPSILON) + 1) * self.interval
        return timestamp


def _open(media: MediaFile) -> Any:
    # The demuxer is named, never probed: see accord.media.demuxers.
    demuxer = demuxer_for(media)
    try:
        # Tags that are not UTF-8 are read without their bad bytes, not refused.
        return av.open(
            str(media.path),
            format=demuxer,
            container_options=dict(CONTAINER_OPTIONS),
            metadata_errors="ignore",
        )
    except av.error.FFmpegError as error:
        raise CorruptMedia(f"the video cannot be read: {_reason(error)}") from error


def _video_stream(container: Any) -> Any:
    """The first video track, or None; a track without a codec description (an MP4 whose
    ``stsd`` box is missing) is corrupt, not a track to read."""
    if not container.streams.video:
        return None
    stream = container.streams.video[0]
    if stream.codec_context is None:
        raise CorruptMedia("the video track does not say how it is encoded (no codec description)")
    return stream


def _check_headers(container: Any, stream: Any, limits: MediaLimits) -> None:
    """Refuse from the headers alone what would break a limit once decoded."""
    _check_pixels(stream.codec_context.width, stream.codec_context.height, limits)
    duration = _duration(container, stream)
    if duration is not None and duration > limits.max_duration_seconds:
        raise MediaTooLarge(
            f"the video lasts {duration:.0f} seconds; the limit is {limits.max_duration_seconds:g}"
        )
    if stream.frames and stream.frames > limits.max_frames:
        raise MediaTooLarge(
            f"the video has {stream.frames} frames; the limit is {limits.max_frames}"
        )


def _check_pixels(width: int, height: int, limits: MediaLimits) -> None:
    if width * height > limits.max_pixels:
        raise MediaTooLarge(
            f"video frames are {width}x{height} pixels; the limit is {limits.max_pixels}"
        )


class _Decoder:
    """Decoded frames of one stream, FFmpeg errors turned into ``CorruptMedia``."""

    def __init__(self, container: Any, stream: Any, deadline: float, limits: MediaLimits) -> None:
        self.container = container
        self.stream = stream
        self.deadline = deadline
        self.limits = limits
        #: Packets read from the file, not counting the empty one that flushes the decoder.
        self.packets = 0

    def frames(self) -> Iterator[Any]:
        # Only calls into FFmpeg sit inside the ``try`` block, so errors raised by whoever
        # consumes the frames are not mistaken for decoding errors.
        packets = self.container.demux(self.stream)
        while True:
            if time.monotonic() > self.deadline:
                raise MediaTooLarge(
                    f"decoding took longer than {self.limits.max_decode_seconds:g} seconds"
                )
            try:
                packet = next(packets)
                frames = packet.decode()
            except StopIteration:
                return
            except av.error.FFmpegError as error:
                raise CorruptMedia(f"the video cannot be decoded: {_reason(error)}") from error
            if packet.size or packet.dts is not None:
                self.packets += 1
            yield from frames


def _to_array(
    frame: Any, reformatter: VideoReformatter, max_side: int | None, gray: bool
) -> NDArray[np.uint8]:
    width, height = frame.width, frame.height
    scale = 1.0 if max_side is None else min(1.0, max_side / max(width, height))
    width, height = max(1, round(width * scale)), max(1, round(height * scale))
    try:
        # AREA averages the pixels each output pixel covers: the right filter to shrink.
        converted = reformatter.reformat(
            frame,
            width=width,
            height=height,
            format="gray" if gray else "rgb24",
            interpolation="AREA",
        )
        pixels = np.asarray(converted.to_ndarray(), dtype=np.uint8)
    except av.error.FFmpegError as error:
        raise CorruptMedia(f"a video frame cannot be converted: {_reason(error)}") from error
    # The display matrix turns the frame counterclockwise by this many degrees.
    turns = round(_rotation(frame) / 90) % 4
    return np.ascontiguousarray(np.rot90(pixels, turns)) if turns else pixels


def _rotation(frame: Any) -> float:
    try:
        return float(frame.rotation or 0)
    except (AttributeError, TypeError, ValueError):  # no or malformed display matrix
        return 0.0


def _frame_seconds(frame: Any, index: int, rate: Fraction | None) -> float:
    if frame.time is not None:
        return float(frame.time)
    # No timestamp: assume a constant frame rate (or one frame per second without one).
    return (index - 1) / float(rate) if rate else float(index - 1)


def _frame_rate(stream: Any) -> Fraction | None:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            return Fraction(rate)
    return None


def _duration(container: Any, stream: Any | None) -> float | None:
    if container.duration is not None and container.duration > 0:
        return float(container.duration) / av.time_base
    if stream is not None and stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _reason(error: av.error.FFmpegError) -> str:
    # FFmpeg messages carry the file name; keep only the reason.
    return str(error.strerror or error).strip() or type(error).__name__
