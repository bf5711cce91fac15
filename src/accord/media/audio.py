"""Decode the audio of a media file into mono float32 samples at a fixed rate.

Every audio format accord reads (WAV, MP3, FLAC, Ogg Vorbis/Opus, M4A/AAC, AIFF) and the
audio track of every video container it reads (MP4, MOV, Matroska/WebM, AVI, MPEG-TS, FLV)
goes through PyAV (FFmpeg). The file's channels are downmixed to mono and resampled by
FFmpeg's resampler, so every caller sees the same kind of signal whatever the source.

The file's ``MediaLimits`` are enforced while decoding: a declared duration over the limit
is refused before any packet is decoded, decoded samples are counted (a container can lie
about its duration), and the wall clock is checked between packets. FFmpeg failures become
``CorruptMedia`` with FFmpeg's own short message; no traceback leaks to the caller.

``decode_audio_windows`` seeks to chosen stretches of a long recording and decodes only
those, so listening to parts of a two-hour file costs the parts, not the file.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia
from accord.media.boundary import decoding
from accord.media.demuxers import CONTAINER_OPTIONS, demuxer_for
from accord.media.file import MediaFile
from accord.media.kinds import MediaKind
from accord.media.limits import MediaLimits

#: A stream that states this much more audio than it yields was cut short; the slack
#: absorbs encoder delay and padding. Only formats that state the length exactly are
#: checked: the MP4 family, AIFF, FLAC and MP3 with a Xing/Info/VBRI header. (A cut
#: WAV is caught by its RIFF size when the file is opened.)
_TRUNCATION_SLACK_SECONDS = 0.5
_TRUNCATION_SHARE = 0.01
_EXACT_LENGTH_FORMATS = frozenset({"m4a", "mp4", "mov", "aiff", "flac"})
_MP3_TAGS = (b"Xing", b"Info", b"VBRI")
_MP3_HEADER_SPAN = 64
_ID3_HEADER = 10
#: Samples allocated up front when the stream does not say how long it is.
_INITIAL_SECONDS = 60.0
#: Samples per resampled frame: large frames keep per-frame Python overhead small.
_RESAMPLED_FRAME = 16384
#: FFmpeg messages are cut to this many characters in error details.
_MAX_REASON = 160


@dataclass(frozen=True, slots=True)
class AudioClip:
    """Mono audio: ``samples`` are float32 in [-1, 1] at ``sample_rate`` Hz."""

    samples: NDArray[np.float32]
    sample_rate: int

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate


def decode_audio(
    media: MediaFile, *, sample_rate: int = 11025, max_seconds: float | None = None
) -> AudioClip:
    """Decode the first audio track of ``media`` to mono float32 at ``sample_rate`` Hz.

    ``max_seconds`` keeps only the start of the recording (decoding stops there), which
    bounds memory and time for callers that need no more. Raises ``UnsupportedMedia`` when
    the file has no audio track, ``MediaTooLarge`` when it breaks ``media.limits`` and
    ``CorruptMedia`` when FFmpeg cannot read it or it ends before its declared length.
    """
    if sample_rate <= 0:
        raise ValueError("sample_rate must be positive")
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError("max_seconds must be positive")
    _require_not_image(media)
    import av  # noqa: PLC0415 - FFmpeg is loaded only by the code paths that decode

    with _decode_errors(av):
        return _decode(av, media, sample_rate, max_seconds)


def audio_seconds(media: MediaFile) -> float:
    """The length of the first audio track in seconds, read from its packets' timestamps
    (the packets are read, not decoded), and from what the file states (or FFmpeg
    estimates) where they agree.

    A container can misstate its length: a Matroska file can state 10 s and hold three
    minutes, a cut file states more than it holds. Where the packets end more than the
    slack (``_TRUNCATION_SLACK_SECONDS``, or 1 %) away from the stated length, the packets
    are the truth; within it, the longer of the two stands; without timestamps, the stated.
    Raises as ``decode_audio`` does (no audio track, over ``media.limits``, unreadable)."""
    _require_not_image(media)
    import av  # noqa: PLC0415 - FFmpeg is loaded only by the code paths that decode

    with _decode_errors(av), _audio_stream(av, media) as (container, stream, declared):
        counted = _packet_seconds(container, stream, media.limits)
    return _length(declared, counted)


def _length(declared: float | None, counted: float) -> float:
    """The track's length from its stated one and where its packets end (0: unknown)."""
    if counted <= 0:
        return declared or 0.0
    if declared is None:
        return counted
    if abs(counted - declared) > max(_TRUNCATION_SLACK_SECONDS, declared * _TRUNCATION_SHARE):
        return counted
    return max(declared, counted)


def decode_audio_windows(
    media: MediaFile, windows: Sequence[tuple[float, float]], *, sample_rate: int = 16000
) -> list[AudioClip]:
    """Decode the (start, end) stretches of the first audio track, in seconds, to mono
    float32 at ``sample_rate`` Hz: one clip per window, in the order given.

    Each window is sought to and decoded alone, so memory is bounded by the windows, not
    by the file. A clip starts at its window's start (silence fills the front if the
    stream starts later) and is shorter than its window where the recording ends first.
    ``media.limits`` hold as in ``decode_audio``; the decoding time limit counts all the
    windows together. Raises as ``decode_audio`` does.
    """
    if sample_rate <= 0:
        raise ValueError("sample_rate must be positive")
    for start, end in windows:
        if not (math.isfinite(start) and math.isfinite(end) and 0 <= start < end):
            raise ValueError(f"a window must be 0 <= start < end, got ({start}, {end})")
    _require_not_image(media)
    import av  # noqa: PLC0415 - FFmpeg is loaded only by the code paths that decode

    started = time.monotonic()
    with _decode_errors(av), _audio_stream(av, media) as (container, stream, _declared):
        return [
            _decode_window(
                av,
                container,
                stream,
                media,
                sample_rate=sample_rate,
                window=window,
                started=started,
            )
            for window in windows
        ]


def _require_not_image(media: MediaFile) -> None:
    if media.kind is MediaKind.IMAGE:
        raise UnsupportedMedia("the file is an image; it has no audio track")


@contextmanager
def _decode_errors(av: Any) -> Iterator[None]:
    """FFmpeg's failures and the plain errors PyAV raises on bad streams as ``CorruptMedia``;
    anything else too, logged (``accord.media.boundary``)."""
    with decoding("audio"):
        try:
            yield
        except (UnsupportedMedia, MediaTooLarge, CorruptMedia):
            raise
        except av.error.FFmpegError as exc:
            raise CorruptMedia(f"the audio cannot be decoded: {_reason(exc)}") from None
        except (EOFError, ValueError, IndexError) as exc:
            # PyAV raises a few plain Python errors on malformed streams (bad layouts, ...).
            raise CorruptMedia(f"the audio cannot be decoded: {_reason(exc)}") from None


@contextmanager
def _audio_stream(av: Any, media: MediaFile) -> Iterator[tuple[Any, Any, float | None]]:
    """The open container, its first audio stream and the length it declares (checked
    against the limit before any packet is decoded)."""
    limits = media.limits
    # The demuxer is named, never probed: see accord.media.demuxers.
    with av.open(
        str(media.path),
        mode="r",
        format=demuxer_for(media),
        container_options=dict(CONTAINER_OPTIONS),
        metadata_errors="ignore",
    ) as container:
        if not container.streams.audio:
            raise UnsupportedMedia("the file has no audio track")
        stream = container.streams.audio[0]
        declared = _declared_seconds(container, stream)
        if declared is not None and declared > limits.max_duration_seconds:
            raise MediaTooLarge(
                f"the audio lasts {declared:.0f} s; the limit is "
                f"{limits.max_duration_seconds:.0f} s"
            )
        yield container, stream, declared


def _decode(av: Any, media: MediaFile, sample_rate: int, max_seconds: float | None) -> AudioClip:
    limits = media.limits
    started = time.monotonic()
    with _audio_stream(av, media) as (container, stream, declared):
        wanted = _sample_cap(sample_rate, limits.max_duration_seconds, max_seconds)
        guess = declared if declared is not None else _INITIAL_SECONDS
        buffer = _SampleBuffer(min(wanted, math.ceil(guess * sample_rate) + sample_rate))
        resampler = _resampler(av, sample_rate)
        ended = _pour(
            container, stream, resampler, buffer, wanted=wanted, limits=limits, started=started
        )
        if ended and _length_is_exact(media):
            _check_complete(_stream_seconds(stream), buffer.size / sample_rate)
    samples = buffer.take(wanted)
    if len(samples) > limits.max_duration_seconds * sample_rate:
        raise MediaTooLarge(
            f"the audio lasts more than {limits.max_duration_seconds:.0f} s, the limit"
        )
    np.clip(samples, -1.0, 1.0, out=samples)  # float decoders may overshoot full scale
    return AudioClip(samples=samples, sample_rate=sample_rate)


def _decode_window(
    av: Any,
    container: Any,
    stream: Any,
    media: MediaFile,
    *,
    sample_rate: int,
    window: tuple[float, float],
    started: float,
) -> AudioClip:
    start, end = window
    count = math.ceil((end - start) * sample_rate)
    _seek(container, stream, start)
    resampler = _resampler(av, sample_rate)
    buffer = _SampleBuffer(count + sample_rate)
    # Where the first decoded frame kept begins: the seek lands on a frame at or before
    # ``start``, and the samples before ``start`` are cut off after resampling.
    first: list[float] = []

    def keep(frame: Any) -> bool:
        at = frame.time
        if at is not None and at + frame.samples / frame.sample_rate <= start:
            return False
        if not first:
            first.append(start if at is None else float(at))
        return True

    def lead() -> int:
        return round((start - first[0]) * sample_rate) if first else 0

    ended = False
    while not ended and buffer.size < max(lead(), 0) + count:
        wanted = max(lead(), 0) + count
        ended = _pour(
            container,
            stream,
            resampler,
            buffer,
            wanted=wanted,
            limits=media.limits,
            started=started,
            keep=keep,
        )
    shift = lead()
    samples = buffer.take(max(shift, 0) + count)[max(shift, 0) :]
    if shift < 0:  # the stream begins after ``start``: keep the times true with silence
        samples = np.concatenate([np.zeros(-shift, dtype=np.float32), samples])[:count]
    samples = np.array(samples, dtype=np.float32)  # a compact copy, not a view of the buffer
    np.clip(samples, -1.0, 1.0, out=samples)
    return AudioClip(samples=samples, sample_rate=sample_rate)


def _seek(container: Any, stream: Any, seconds: float) -> None:
    """Seek to the last frame that starts at or before ``seconds``."""
    if stream.time_base is not None:
        container.seek(math.floor(seconds / stream.time_base), stream=stream, backward=True)
    else:
        container.seek(math.floor(seconds * 1_000_000), backward=True)  # AV_TIME_BASE


def _resampler(av: Any, sample_rate: int) -> Any:
    return av.AudioResampler(
        format="flt", layout="mono", rate=sample_rate, frame_size=_RESAMPLED_FRAME
    )


def _pour(
    container: Any,
    stream: Any,
    resampler: Any,
    buffer: _SampleBuffer,
    *,
    wanted: int,
    limits: MediaLimits,
    started: float,
    keep: Callable[[Any], bool] | None = None,
) -> bool:
    """Decode packets into ``buffer`` until it holds ``wanted`` samples or the stream ends
    (then the resampler is flushed); says whether it ended. ``keep`` can refuse frames."""
    for packet in container.demux(stream):
        if time.monotonic() - started > limits.max_decode_seconds:
            raise MediaTooLarge(
                f"decoding took longer than {limits.max_decode_seconds:.0f} s, the limit"
            )
        for frame in packet.decode():
            if keep is not None and not keep(frame):
                continue
            for out in resampler.resample(frame):
                buffer.append(_mono(out))
        if buffer.size >= wanted:
            return False
    for out in resampler.resample(None):  # flush what the resampler holds back
        buffer.append(_mono(out))
    return True


def _packet_seconds(container: Any, stream: Any, limits: MediaLimits) -> float:
    """Where the last packet ends, from the timestamps alone (nothing is decoded)."""
    started = time.monotonic()
    seconds = 0.0
    for packet in container.demux(stream):
        if time.monotonic() - started > limits.max_decode_seconds:
            raise MediaTooLarge(
                f"reading took longer than {limits.max_decode_seconds:.0f} s, the limit"
            )
        if packet.pts is None or packet.time_base is None:
            continue
        seconds = max(seconds, float((packet.pts + (packet.duration or 0)) * packet.time_base))
        if seconds > limits.max_duration_seconds:
            raise MediaTooLarge(
                f"the audio lasts more than {limits.max_duration_seconds:.0f} s, the limit"
            )
    return seconds


def _sample_cap(sample_rate: int, limit_seconds: float, max_seconds: float | None) -> int:
    """Samples to keep: ``max_seconds`` if given, else one past the duration limit."""
    if max_seconds is not None:
        return math.ceil(max_seconds * sample_rate)
    return math.floor(limit_seconds * sample_rate) + 1


def _stream_seconds(stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    return None


def _declared_seconds(container: Any, stream: Any) -> float | None:
    """The audio's length as the file states (or FFmpeg estimates) it, if known."""
    seconds = _stream_seconds(stream)
    if seconds is None and container.duration is not None and container.duration > 0:
        seconds = float(container.duration) / 1_000_000  # AV_TIME_BASE
    return seconds


def _length_is_exact(media: MediaFile) -> bool:
    """Whether the audio stream's duration comes from a header that states it exactly.

    Elsewhere FFmpeg estimates it (from the bitrate and the file size, or from the last
    packet), and a shortfall proves nothing: an estimate is not a promise.
    """
    if media.format.name in _EXACT_LENGTH_FORMATS:
        return True
    if media.format.name == "mp3":
        return _mp3_declares_length(media)
    return False


def _mp3_declares_length(media: MediaFile) -> bool:
    """Whether the first MP3 frame is a Xing/Info/VBRI header (which counts the frames)."""
    with media.path.open("rb") as handle:
        head = handle.read(_ID3_HEADER)
        start = 0
        if head.startswith(b"ID3") and len(head) == _ID3_HEADER:
            size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
            footer = _ID3_HEADER if head[5] & 0x10 else 0
            start = _ID3_HEADER + size + footer
        handle.seek(start)
        frame = handle.read(_MP3_HEADER_SPAN)
    sync = frame.find(b"\xff")
    return sync >= 0 and any(tag in frame[sync : sync + _MP3_HEADER_SPAN] for tag in _MP3_TAGS)


def _check_complete(declared: float | None, decoded: float) -> None:
    if declared is None:
        return
    if decoded < declared - max(_TRUNCATION_SLACK_SECONDS, declared * _TRUNCATION_SHARE):
        raise CorruptMedia(
            f"the audio is truncated: {decoded:.1f} s decoded of the {declared:.1f} s "
            "its container declares"
        )


def _mono(frame: Any) -> NDArray[np.float32]:
    # 'flt' is packed, so a mono frame is one plane of frame.samples float32 values.
    return np.frombuffer(frame.planes[0], dtype=np.float32, count=frame.samples)


def _reason(exc: BaseException) -> str:
    # FFmpegError.strerror is FFmpeg's message without PyAV's errno and file name.
    text = str(getattr(exc, "strerror", None) or exc).strip() or type(exc).__name__
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 3] + "..."


class _SampleBuffer:
    """A growable float32 array: appends amortise to O(1) without a list of chunks."""

    def __init__(self, capacity: int) -> None:
        self._data = np.empty(max(capacity, 1024), dtype=np.float32)
        self.size = 0

    def append(self, chunk: NDArray[np.float32]) -> None:
        end = self.size + len(chunk)
        if end > len(self._data):
            grown = np.empty(max(end, len(self._data) * 3 // 2), dtype=np.float32)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : end] = chunk
        self.size = end

    def take(self, limit: int) -> NDArray[np.float32]:
        """The first ``limit`` samples at most; copied when the spare capacity is large."""
        n = min(self.size, limit)
        if n < len(self._data) * 3 // 4:
            return self._data[:n].copy()
        return self._data[:n]
