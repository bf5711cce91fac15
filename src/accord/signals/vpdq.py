"""vPDQ: a video as the bag of PDQ hashes of its frames, in HMA's serialized form.

Values are what python-threatexchange and HMA store for vPDQ: a JSON list of
``"<64 hex>,<quality>,<seconds>"`` strings, one per hashed frame, so they exchange with
HMA unchanged. Two videos are compared HMA's way: drop frames of quality below 50 and
repeated hashes, then count the share of each video's frames that have a frame of the
other within PDQ distance 31.

Where accord departs from HMA, and why:

- **Every frame, not one a second.** Sampled once a second, two cuts of one clip start at
  different points between samples, and when the camera moves, frames a third of a second
  apart are already far more than 31 bits apart (TMK+PDQF test clips: median 112 bits at
  0.33 s; 22-50 bits at one frame). No frame of a trimmed copy then finds its twin: the
  19-second cut of the corpus "chair" clip matched 11% of the full clip's frames. Hashing
  every frame (up to 30 a second) lines the frames up exactly. A frame within
  ``PRUNE_DISTANCE`` bits of the last kept one is dropped, so still shots cost little.
- **Borders are trimmed** (``accord.media.borders``) before hashing, once per video, so a
  letterboxed or pillarboxed copy hashes like the original.
- **PDQ sees the same 64x64 picture** whatever the copy's size: see ``PDQ_SIZE``.
- **The distance is symmetric** and asks half of either video's frames to match: see
  ``VideoPdq.distance``.
- **Overlays are matched in time.** A large logo pushes every frame past 31 bits, yet
  leaves it at the same moment: frames within ``ALIGNED_FRAME_DISTANCE`` bits count when
  they agree with the offset most frames share (``VideoPdq.compare``).
- **Mirrored copies are looked up too.** A left-right mirrored frame is ~125 bits from the
  original's PDQ, so a mirrored re-upload matches nothing. ``vpdq_mirrored``, a query form
  like ``pdq_dihedral``, holds the PDQ of each kept frame mirrored, hashed in the same
  pass from the same 64x64 luma (one more PDQ per kept frame, 2-4 % of the hashing), and
  is looked up among the banked vPDQ values.

HMA's hashes of a video without borders lie within 31 bits of ours (4-30 bits measured on
the corpus), so they compare with ours; a bordered video's do not, as HMA hashes the bars.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pdqhash
from numpy.typing import NDArray
from PIL import Image

from accord.errors import InvalidSignal, SignalNotApplicable
from accord.media.borders import Crop, detect_borders
from accord.media.file import MediaFile
from accord.media.kinds import MediaKind
from accord.media.video import VideoFrame, iter_frames
from accord.signals.base import Compared, Signal, SignalType, Spans, Subject

#: HMA's frame match distance and quality floor (python-threatexchange ``vpdq_util``).
FRAME_MATCH_DISTANCE = 31
MIN_FRAME_QUALITY = 50
#: Share of either video's frames that must match, in percent (HMA asks 80% of the query's).
MATCH_PERCENT = 50.0
#: A frame this far from its nearest counterpart still matches when it sits at the two
#: videos' common time offset. A large logo moves aligned frames 28-78 bits (corpus);
#: unrelated frames are about 100 or more apart, and agreeing on one offset across half
#: of a video's frames does not happen by chance.
ALIGNED_FRAME_DISTANCE = 72
#: Seconds a loosely matched frame may stray from the common offset.
ALIGNMENT_TOLERANCE = 0.25
#: Width, in seconds, of the bins in which the common offset is voted.
_OFFSET_BIN = 0.1
#: Seconds between hashed frames: every frame of video up to 30 frames a second.
FRAME_INTERVAL = 1 / 30
#: Longer side of the frames decoded, in which borders are found and cut.
FRAME_SIDE = 384
#: PDQ's working size. PDQ shrinks every picture to 64x64 luma before its DCT, with a
#: filter whose width depends on the picture's size; shrinking the cropped picture to
#: 64x64 here (an exact area average) gives copies of any size, bars and aspect the same
#: treatment, and costs less than PDQ's own filter on the larger picture.
PDQ_SIZE = 64
#: A frame within this many bits of the last kept frame adds nothing and is dropped.
PRUNE_DISTANCE = 8
#: Seconds of video, from the start, whose frames decide the border crop.
BORDER_WINDOW_SECONDS = 8.0
#: Seconds between the frames of that window that border detection looks at.
BORDER_SAMPLE_SECONDS = 0.5
#: Fewer distinct frames of quality >= 50 than this make the signal unreliable.
MIN_RELIABLE_FRAMES = 3
#: Frames a value may hold: 4 hours at 30 a second with no frame pruned.
MAX_FRAMES = 432_000
#: Bytes of the pairwise XOR block compared at once, to bound memory on long videos.
_BLOCK_BYTES = 16 * 1024 * 1024

_HEX = re.compile(r"[0-9a-fA-F]{64}")
_QUALITY = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True, slots=True)
class VpdqFrame:
    """One hashed frame: PDQ hex, PDQ quality (0-100) and seconds from the start."""

    pdq_hex: str
    quality: int
    timestamp: float

    def __str__(self) -> str:
        return f"{self.pdq_hex},{self.quality},{self.timestamp:.3f}"


@dataclass(frozen=True, slots=True)
class HashedVideo:
    """The frames hashed from one video, and the border cut from each before hashing."""

    frames: tuple[VpdqFrame, ...]
    crop: Crop
    #: Each of ``frames`` mirrored left to right (empty unless asked for).
    mirrored: tuple[VpdqFrame, ...] = ()


@dataclass(frozen=True, slots=True)
class VideoComparison:
    """How two vPDQ values overlap (HMA's ``VPDQMatchResult``, plus what matched).

    The percentages count distinct frame hashes of quality >= the floor; a side with no
    such frame matches 0%.
    """

    #: Share of the first (query) video's frames with a match in the second.
    query_match_percent: float
    #: Share of the second (target) video's frames with a match in the first.
    target_match_percent: float
    query_frames: int
    target_frames: int
    #: For each query frame that matched: (its timestamp, its closest target's timestamp).
    matches: tuple[tuple[float, float], ...]

    @property
    def distance(self) -> float:
        return 100.0 - max(self.query_match_percent, self.target_match_percent)


def hash_video(
    media: MediaFile,
    *,
    interval: float = FRAME_INTERVAL,
    frame_side: int = FRAME_SIDE,
    prune_distance: int = PRUNE_DISTANCE,
    mirrored: bool = False,
) -> HashedVideo:
    """PDQ every ``interval`` seconds of ``media``, borders trimmed, near repeats dropped;
    with ``mirrored``, also the PDQ of each kept frame mirrored left to right.

    The crop is decided on the first ``BORDER_WINDOW_SECONDS`` of video (or all of a
    shorter one); those frames wait in memory, as ``frame_side``-pixel luma, until it is
    (about 20 MB).
    """
    hasher = _FrameHasher(prune_distance, mirrored=mirrored)
    waiting: list[VideoFrame] = []
    crop: Crop | None = None
    for frame in iter_frames(media, interval=interval, max_side=frame_side, gray=True):
        if crop is not None:
            hasher.add(frame, crop)
            continue
        waiting.append(frame)
        if frame.timestamp >= BORDER_WINDOW_SECONDS:
            crop = _border_crop(waiting)
            hasher.add_all(waiting, crop)
            waiting.clear()
    if crop is None:
        crop = _border_crop(waiting)
        hasher.add_all(waiting, crop)
    return HashedVideo(tuple(hasher.frames), crop, tuple(hasher.mirrored or ()))


def serialize(frames: Iterable[VpdqFrame]) -> str:
    """HMA's form: a JSON list of ``"hex,quality,seconds"`` strings."""
    return json.dumps([str(frame) for frame in frames])


def parse(value: str) -> list[VpdqFrame]:
    """The frames of a serialized value; raise ``InvalidSignal`` if it does not parse.

    Besides accord's own values this reads python-threatexchange's, whose timestamps are
    printed with three significant digits (``"1.23e+02"``).
    """
    try:
        items = json.loads(value)
    except (ValueError, RecursionError):
        raise InvalidSignal("vpdq is a JSON list of 'hex,quality,seconds' strings") from None
    if not isinstance(items, list) or not items:
        raise InvalidSignal("vpdq is a non-empty JSON list of 'hex,quality,seconds' strings")
    if len(items) > MAX_FRAMES:
        raise InvalidSignal(f"vpdq holds at most {MAX_FRAMES} frames")
    return [_parse_frame(item) for item in items]


class VideoPdq(SignalType):
    """PDQ of every video frame after border removal; see the module documentation."""

    name = "vpdq"
    media_kinds = frozenset({MediaKind.VIDEO})
    threshold = 100.0 - MATCH_PERCENT
    description = (
        "PDQ of every video frame after trimming borders, in HMA's vPDQ form; two videos "
        "match when half the frames of either are within PDQ distance 31 of the other's"
    )
    # Typed wide: the mirrored form below, a query form, has neither.
    hma_name: ClassVar[str | None] = "vpdq"
    soft_binding: ClassVar[str | None] = "org.accord.vpdq.1"
    hma_kinds = frozenset({MediaKind.VIDEO})
    compares = Compared.PICTURE
    matched_by = "the same video frames"
    timed = True

    def applies(self, subject: Subject) -> bool:
        return subject.media.kind is MediaKind.VIDEO and subject.video_info().has_video

    def compute(self, subject: Subject) -> Signal:
        return _signal(self.name, _hashed(subject).frames)

    @classmethod
    def validate(cls, value: str) -> str:
        return serialize(parse(value))

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        """100 minus the larger of the two match percentages: 0 for the same video.

        The larger share makes a clip cut from a longer video match it (all of the clip's
        frames are in the long one, few of the long one's in the clip), and shorter and
        longer cuts of one recording match whichever is stored. HMA's rule, 80% of the
        query's frames, is not symmetric and misses a known clip inside a longer upload.

        The threshold, 50, sits midway in a wide gap. With every frame hashed, a
        percentage is measured over hundreds of frames: across the corpus, copies of one
        clip (other cuts, sizes, bars, grey and sepia, small and large logos) are 80-100%
        alike and unrelated clips 0%; 80% would leave no margin on the worst copy. The
        price of containment is that a very short video matches any video
        containing it; it is marked unreliable below ``MIN_RELIABLE_FRAMES`` frames.
        """
        return cls.compare(a, b).distance

    @classmethod
    def differing_spans(cls, query: str, stored: str, detail: Mapping[str, Any]) -> Spans:  # noqa: ARG003 - frames carry their own times
        """The stretches of the ``query`` video whose frames have no match in ``stored``."""
        return differing_spans(query, stored)

    @classmethod
    def compare(
        cls,
        a: str,
        b: str,
        *,
        frame_threshold: int = FRAME_MATCH_DISTANCE,
        aligned_threshold: int | None = ALIGNED_FRAME_DISTANCE,
        min_quality: int = MIN_FRAME_QUALITY,
    ) -> VideoComparison:
        """Match ``a`` (the query) against ``b`` (the target), frame by frame.

        A frame matches when its nearest frame in the other video is within
        ``frame_threshold`` bits (HMA's rule), or within ``aligned_threshold`` bits at the
        time offset most frames agree on: an overlay such as a broadcaster's large logo
        pushes every frame past 31 bits, but leaves it where it was in time. Pass
        ``aligned_threshold=None`` for HMA's rule alone.
        """
        query = _usable(parse(a), min_quality)
        target = _usable(parse(b), min_quality)
        if not query or not target:
            return VideoComparison(0.0, 0.0, len(query), len(target), ())
        query_words, target_words = _words(query), _words(target)
        query_best, query_nearest, _ = _closest(query_words, target_words)
        target_best, target_nearest, _ = _closest(target_words, query_words)
        query_times = np.array([frame.timestamp for frame in query])
        target_times = np.array([frame.timestamp for frame in target])
        # Offsets are "target time minus query time" on both sides.
        query_offsets = target_times[query_nearest] - query_times
        target_offsets = target_times - query_times[target_nearest]
        query_matched = query_best <= frame_threshold
        target_matched = target_best <= frame_threshold
        if aligned_threshold is not None:
            loose = query_best <= aligned_threshold
            offset = _common_offset(query_offsets[loose])
            if offset is not None:
                query_matched |= loose & (np.abs(query_offsets - offset) <= ALIGNMENT_TOLERANCE)
                target_matched |= (target_best <= aligned_threshold) & (
                    np.abs(target_offsets - offset) <= ALIGNMENT_TOLERANCE
                )
        matched = np.flatnonzero(query_matched)
        return VideoComparison(
            query_match_percent=100.0 * matched.size / len(query),
            target_match_percent=100.0 * int(np.count_nonzero(target_matched)) / len(target),
            query_frames=len(query),
            target_frames=len(target),
            matches=tuple(
                (query[i].timestamp, target[query_nearest[i]].timestamp) for i in matched
            ),
        )

    @classmethod
    def examples(cls) -> Sequence[str]:
        # Two unrelated three-frame videos: photo-like hashes, then regular patterns.
        photos = [
            "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
            "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c",
            "c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c",
        ]
        patterns = ["0f" * 32, ("33" * 8 + "cc" * 8) * 2, "5555aaaa" * 8]
        return [
            serialize(
                VpdqFrame(pdq_hex, 100, float(second)) for second, pdq_hex in enumerate(video)
            )
            for video in (photos, patterns)
        ]


class VideoPdqMirrored(VideoPdq):
    """vPDQ of the video mirrored left to right: a query form, looked up among the banked
    vPDQ values so that a mirrored copy finds its original (see the module documentation)."""

    name = "vpdq_mirrored"
    description = (
        "vPDQ of the video mirrored left to right, computed in the same pass; looked up "
        "among banked vPDQ values to find mirrored copies"
    )
    hma_name = None
    soft_binding = None
    hma_kinds = frozenset()
    matched_by = "the same video frames, mirrored"
    banked = False
    index_type = VideoPdq.name
    #: Lookups compute it; ``hash_file`` without named types gives what banks keep.
    default = False
    #: pdqhash's name for the left-right mirror, as ``pdq_dihedral``'s hits report it.
    orientation = "flip_y"
    #: As long as the vPDQ value, and of no use outside the lookup.
    answered = False

    def compute(self, subject: Subject) -> Signal:
        return _signal(self.name, _hashed(subject).mirrored)


def _hashed(subject: Subject) -> HashedVideo:
    """The video's frames and their mirrors, hashed once for both types.

    The mirror is hashed even when only plain vPDQ is asked for: it costs 2-4 % of the
    pass, and a second decode for the lookup that asks for both would cost 100 %.
    """
    if subject.media.kind is not MediaKind.VIDEO:
        raise SignalNotApplicable(f"vpdq hashes video, not {subject.media.kind}")
    return subject.derived("vpdq", lambda: hash_video(subject.media, mirrored=True))


def _signal(name: str, frames: Sequence[VpdqFrame]) -> Signal:
    usable = {frame.pdq_hex for frame in frames if frame.quality >= MIN_FRAME_QUALITY}
    return Signal(
        type=name,
        value=serialize(frames),
        quality=round(statistics.median(frame.quality for frame in frames)),
        reliable=len(usable) >= MIN_RELIABLE_FRAMES,
    )


class _FrameHasher:
    """Hashes frames in order, dropping each that repeats the last kept one."""

    def __init__(self, prune_distance: int, *, mirrored: bool = False) -> None:
        self.prune_distance = prune_distance
        self.frames: list[VpdqFrame] = []
        #: The kept frames' mirrors, when asked for; the plain frames decide what is kept,
        #: so both lists hold the same moments.
        self.mirrored: list[VpdqFrame] | None = [] if mirrored else None
        self._last: tuple[int, bool] | None = None

    def add_all(self, frames: Iterable[VideoFrame], crop: Crop) -> None:
        for frame in frames:
            self.add(frame, crop)

    def add(self, frame: VideoFrame, crop: Crop) -> None:
        content = Image.fromarray(np.ascontiguousarray(crop.apply(frame.pixels)))
        luma = np.asarray(content.resize((PDQ_SIZE, PDQ_SIZE), Image.Resampling.BOX))
        # pdqhash takes RGB and weighs it into luma; three equal channels give luma back.
        bits, quality = pdqhash.compute(np.broadcast_to(luma[:, :, None], (*luma.shape, 3)))
        word = int.from_bytes(np.packbits(bits.astype(np.uint8)).tobytes(), "big")
        usable = quality >= MIN_FRAME_QUALITY
        if self._last is not None:
            last_word, last_usable = self._last
            # Only drop a repeat that the quality filter would treat like the kept frame.
            if usable == last_usable and (word ^ last_word).bit_count() <= self.prune_distance:
                return
        self._last = (word, usable)
        self.frames.append(VpdqFrame(f"{word:064x}", int(quality), frame.timestamp))
        if self.mirrored is not None:
            # Only kept frames are mirrored: one more PDQ of the same 64x64 luma each.
            flipped = luma[:, ::-1, None]
            bits, quality = pdqhash.compute(np.broadcast_to(flipped, (*luma.shape, 3)))
            pdq_hex = np.packbits(bits.astype(np.uint8)).tobytes().hex()
            self.mirrored.append(VpdqFrame(pdq_hex, int(quality), frame.timestamp))


def _border_crop(frames: Sequence[VideoFrame]) -> Crop:
    """Detect borders on frames at least ``BORDER_SAMPLE_SECONDS`` apart."""
    chosen = []
    next_time = 0.0
    for frame in frames:
        if frame.timestamp >= next_time:
            chosen.append(frame.pixels)
            next_time = frame.timestamp + BORDER_SAMPLE_SECONDS
    return detect_borders(chosen)


def _parse_frame(item: object) -> VpdqFrame:
    if not isinstance(item, str):
        raise InvalidSignal("each vpdq frame is a 'hex,quality,seconds' string")
    parts = [part.strip() for part in item.split(",")]
    if len(parts) != 3:  # noqa: PLR2004 - hex, quality, timestamp
        raise InvalidSignal(f"a vpdq frame has three comma-separated fields, not {item[:80]!r}")
    pdq_hex, quality_text, time_text = parts
    if not _HEX.fullmatch(pdq_hex):
        raise InvalidSignal("a vpdq frame hash is 64 hexadecimal characters")
    if not _QUALITY.fullmatch(quality_text) or int(quality_text) > 100:  # noqa: PLR2004
        raise InvalidSignal("a vpdq frame quality is an integer from 0 to 100")
    try:
        timestamp = float(time_text)
    except ValueError:
        timestamp = math.nan
    if not (math.isfinite(timestamp) and timestamp >= 0):
        raise InvalidSignal("a vpdq frame timestamp is a non-negative number of seconds")
    return VpdqFrame(pdq_hex.lower(), int(quality_text), round(timestamp, 3))


def _usable(frames: Sequence[VpdqFrame], min_quality: int) -> list[VpdqFrame]:
    """HMA's filter: frames of enough quality, each distinct hash once (the first kept)."""
    unique: dict[str, VpdqFrame] = {}
    for frame in frames:
        if frame.quality >= min_quality:
            unique.setdefault(frame.pdq_hex, frame)
    return list(unique.values())


def _words(frames: Sequence[VpdqFrame]) -> NDArray[np.uint64]:
    """Hashes as rows of four 64-bit words, for XOR and popcount in numpy."""
    raw = bytes.fromhex("".join(frame.pdq_hex for frame in frames))
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(frames), 4)


def _common_offset(offsets: NDArray[np.float64]) -> float | None:
    """The time offset most of ``offsets`` agree on (a vote in 0.1 s bins), if any."""
    if offsets.size == 0:
        return None
    bins = np.round(offsets / _OFFSET_BIN).astype(np.int64)
    values, counts = np.unique(bins, return_counts=True)
    winner = values[counts.argmax()] * _OFFSET_BIN
    near = offsets[np.abs(offsets - winner) <= ALIGNMENT_TOLERANCE]
    return float(np.median(near))


def _closest(
    a: NDArray[np.uint64], b: NDArray[np.uint64]
) -> tuple[NDArray[np.uint16], NDArray[np.intp], NDArray[np.uint16]]:
    """Each row of ``a``'s smallest Hamming distance to ``b`` and its index there; and
    each row of ``b``'s smallest distance to ``a``.

    Rows of ``a`` go in blocks, so memory stays bounded however long the videos are.
    """
    a_best = np.empty(len(a), dtype=np.uint16)
    a_where = np.empty(len(a), dtype=np.intp)
    b_best = np.full(len(b), np.iinfo(np.uint16).max, dtype=np.uint16)
    rows = max(1, _BLOCK_BYTES // b.nbytes)
    for start in range(0, len(a), rows):
        block = np.bitwise_count(a[start : start + rows, None, :] ^ b[None, :, :])
        distances = block.sum(axis=2, dtype=np.uint16)
        where = distances.argmin(axis=1)
        a_where[start : start + rows] = where
        a_best[start : start + rows] = distances[np.arange(len(distances)), where]
        np.minimum(b_best, distances.min(axis=0), out=b_best)
    return a_best, a_where, b_best


#: Unmatched stretches shorter than this are left out of ``differing_spans`` (a cut or a
#: fade can leave one odd frame).
MIN_SPAN_SECONDS = 0.5


def differing_spans(query: str, stored: str) -> list[tuple[float, float]]:
    """Stretches of the ``query`` video (start, end seconds) whose frames have no match in
    ``stored``: what an altered copy of a registered video replaced."""
    frames = sorted(_usable(parse(query), MIN_FRAME_QUALITY), key=lambda frame: frame.timestamp)
    matched = {first for first, _ in VideoPdq.compare(query, stored).matches}
    spans: list[tuple[float, float]] = []
    start: float | None = None
    for index, frame in enumerate(frames):
        following = frames[index + 1].timestamp if index + 1 < len(frames) else None
        if frame.timestamp in matched:
            if start is not None:
                spans.append((start, frame.timestamp))
                start = None
            continue
        start = frame.timestamp if start is None else start
        if following is None:
            spans.append((start, frame.timestamp + FRAME_INTERVAL))
    return [
        (round(first, 2), round(last, 2))
        for first, last in spans
        if last - first >= MIN_SPAN_SECONDS
    ]
