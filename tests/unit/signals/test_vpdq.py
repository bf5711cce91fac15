"""vPDQ: HMA's value form, matching across cuts, sizes, bars and colour, and its limits."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from accord.errors import InvalidSignal, SignalNotApplicable, UnsupportedMedia
from accord.media.file import MediaFile, open_media
from accord.signals.base import Subject
from accord.signals.vpdq import (
    MIN_RELIABLE_FRAMES,
    HashedVideo,
    VideoPdq,
    VideoPdqMirrored,
    VpdqFrame,
    hash_video,
    parse,
    serialize,
)
from tests.factories import encode_h264, mirrored

# One xdist worker runs this module, so the corpus is hashed once, not once per worker.
pytestmark = pytest.mark.xdist_group("vpdq-corpus")

GROUPS = ("chair", "pattern", "doorknob")
#: Copies under a logo covering a tenth of the picture: PDQ puts every frame 28-78 bits
#: from the original's, so no frame-hash matcher at distance 31 pairs them.
LARGE_LOGO = "large-logo"
A, B, C = "a" * 64, "b" * 64, "c" * 64


@pytest.fixture(scope="session")
def corpus_hashes(corpus: Path) -> dict[str, HashedVideo]:
    """Every corpus video hashed once (the slow part: about 6,000 frames)."""
    return {
        path.stem: hash_video(open_media(path)) for path in sorted((corpus / "video").glob("*.mp4"))
    }


@pytest.fixture(scope="session")
def clips(corpus_hashes: dict[str, HashedVideo]) -> dict[str, str]:
    """Serialized values of the clips that belong to a group."""
    return {
        name: serialize(hashed.frames)
        for name, hashed in corpus_hashes.items()
        if name.startswith(GROUPS)
    }


def group(name: str) -> str:
    return next(prefix for prefix in GROUPS if name.startswith(prefix))


Matrix = tuple[dict[tuple[str, str], float], str]


@pytest.fixture(scope="session")
def matrix(clips: dict[str, str]) -> Matrix:
    """Every pairwise distance of the clips, and a table of them for failure messages."""
    names = sorted(clips)
    distances = {(a, b): VideoPdq.distance(clips[a], clips[b]) for a in names for b in names}
    width = max(map(len, names))
    rows = [" " * width + "".join(f"{i:>6}" for i in range(len(names)))]
    for i, a in enumerate(names):
        cells = "".join(f"{distances[a, b]:6.1f}" for b in names)
        rows.append(f"{a:>{width}}{cells}  [{i}]")
    return distances, "\n".join(rows)


def test_every_copy_matches_every_other_copy_of_its_clip(matrix: Matrix) -> None:
    distances, table = matrix
    worst = max(
        distance
        for (a, b), distance in distances.items()
        if group(a) == group(b) and LARGE_LOGO not in a + b
    )
    # Measured: 13.9 at worst (a small logo over the pattern clip); the threshold is 50.
    assert worst <= VideoPdq.threshold - 25, table


def test_nothing_matches_across_clips(matrix: Matrix) -> None:
    distances, table = matrix
    closest = min(distance for (a, b), distance in distances.items() if group(a) != group(b))
    assert closest >= VideoPdq.threshold + 45, table


def test_distances_are_symmetric_and_zero_on_the_diagonal(matrix: Matrix) -> None:
    distances, table = matrix
    for (a, b), distance in distances.items():
        assert distance == distances[b, a], table
        assert (distance == 0) if a == b else (distance >= 0), table


def test_copies_under_a_large_logo_match(matrix: Matrix) -> None:
    distances, table = matrix
    assert all(
        distance <= VideoPdq.threshold
        for (a, b), distance in distances.items()
        if group(a) == group(b) and LARGE_LOGO in a
    ), table


def test_a_cut_finds_its_place_in_the_longer_clip(clips: dict[str, str]) -> None:
    # The 19-second cut starts 3.7 seconds into the 22-second original.
    result = VideoPdq.compare(clips["chair-19-sd-bar"], clips["chair-orig-22-sd-bar"])
    assert result.query_match_percent > 95
    offsets = [target - query for query, target in result.matches]
    assert np.median(offsets) == pytest.approx(3.7, abs=0.04)


def test_bars_are_found_on_barred_copies_only(corpus_hashes: dict[str, HashedVideo]) -> None:
    crops = {name: hashed.crop for name, hashed in corpus_hashes.items()}
    for name, crop in crops.items():
        if name == "test-padded-dimensions":
            # 1080x1080 with the picture in the middle 608 columns: 83.9 of 384 each side.
            assert (crop.top, crop.bottom, crop.left, crop.right) == (0, 0, 83, 83)
        elif "no-bar" in name:
            assert crop.is_empty, name
        else:
            # 32 of 480 columns each side, decoded 256 pixels wide: 17.07.
            assert (crop.top, crop.bottom, crop.left, crop.right) == (0, 0, 17, 17), name


def test_padded_dimensions_hash(corpus_hashes: dict[str, HashedVideo]) -> None:
    frames = corpus_hashes["test-padded-dimensions"].frames
    assert frames
    assert frames[-1].timestamp == pytest.approx(4.967, abs=0.05)
    assert len({frame.pdq_hex for frame in frames if frame.quality >= 50}) >= MIN_RELIABLE_FRAMES


def test_every_frame_is_hashed_and_repeats_are_dropped(
    corpus_hashes: dict[str, HashedVideo],
) -> None:
    frames = corpus_hashes["pattern-hd-no-bar"].frames  # 206 frames at 30 a second
    assert 150 <= len(frames) <= 206
    stamps = [frame.timestamp for frame in frames]
    assert stamps == sorted(stamps)
    assert stamps[0] == 0.0


# Generated videos ----------------------------------------------------------------------


def panning(frames: int, width: int, height: int, seed: int = 3) -> list[NDArray[np.uint8]]:
    """Frames of a smooth random texture that slides 3 pixels per frame."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 8 + 4, (width + 3 * frames) // 8 + 4, 3), np.uint8)
    size = (small.shape[1] * 8, small.shape[0] * 8)
    texture = np.asarray(Image.fromarray(small).resize(size, Image.Resampling.BICUBIC))
    return [texture[:height, 3 * i : 3 * i + width] for i in range(frames)]


def padded(
    frames: Sequence[NDArray[np.uint8]],
    vertical: int,
    horizontal: int,
    colour: tuple[int, int, int] = (0, 0, 0),
) -> list[NDArray[np.uint8]]:
    out = []
    for frame in frames:
        height, width = frame.shape[:2]
        canvas = np.empty((height + 2 * vertical, width + 2 * horizontal, 3), np.uint8)
        canvas[:] = colour
        canvas[vertical : vertical + height, horizontal : horizontal + width] = frame
        out.append(canvas)
    return out


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[NDArray[np.uint8]], Path]:
    frames = panning(45, width=320, height=180)
    return frames, encode_h264(tmp_path_factory.mktemp("vpdq") / "plain.mp4", frames)


@pytest.mark.parametrize(
    ("vertical", "horizontal", "colour"),
    [(30, 0, (0, 0, 0)), (0, 70, (0, 0, 0)), (18, 26, (40, 60, 200)), (0, 40, (128, 128, 128))],
    ids=["letterbox", "pillarbox", "coloured-frame", "grey-bars"],
)
def test_bordered_copies_hash_like_the_original(
    plain: tuple[list[NDArray[np.uint8]], Path],
    tmp_path: Path,
    vertical: int,
    horizontal: int,
    colour: tuple[int, int, int],
) -> None:
    frames, original = plain
    barred = encode_h264(tmp_path / "barred.mp4", padded(frames, vertical, horizontal, colour))
    first, second = hash_video(open_media(original)), hash_video(open_media(barred))
    assert first.crop.is_empty
    assert not second.crop.is_empty
    # Frame by frame, at the same time: within a few bits.
    by_time = {round(frame.timestamp, 2): frame.pdq_hex for frame in first.frames}
    pairs = [
        (by_time[round(frame.timestamp, 2)], frame.pdq_hex)
        for frame in second.frames
        if round(frame.timestamp, 2) in by_time
    ]
    assert len(pairs) >= len(second.frames) // 2
    assert max((int(a, 16) ^ int(b, 16)).bit_count() for a, b in pairs) <= 16
    assert VideoPdq.distance(serialize(first.frames), serialize(second.frames)) <= 5


def test_compute_gives_a_reliable_signal(plain: tuple[list[NDArray[np.uint8]], Path]) -> None:
    signal = VideoPdq().compute(Subject(open_media(plain[1])))
    assert (signal.type, signal.quality, signal.reliable) == ("vpdq", 100, True)
    assert VideoPdq.validate(signal.value) == signal.value


def test_a_still_shot_hashes_to_one_frame_and_is_unreliable(tmp_path: Path) -> None:
    still = panning(1, width=320, height=180)[0]
    path = encode_h264(tmp_path / "still.mp4", [still] * 30)
    signal = VideoPdq().compute(Subject(open_media(path)))
    assert len(parse(signal.value)) == 1
    assert not signal.reliable


def test_video_only(corpus: Path, tmp_path: Path) -> None:
    image = Subject(open_media(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"))
    assert not VideoPdq().applies(image)
    with pytest.raises(SignalNotApplicable):
        VideoPdq().compute(image)
    sound = tmp_path / "sound.mp4"
    with av.open(str(sound), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
        )
        frame.sample_rate = 44100
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    with pytest.raises(UnsupportedMedia, match="no video track"):
        VideoPdq().compute(Subject(open_media(sound)))


def test_the_mirrored_form_is_the_mirrored_copys_plain_form(
    plain: tuple[list[NDArray[np.uint8]], Path], tmp_path: Path
) -> None:
    frames, original = plain
    flipped = encode_h264(tmp_path / "mirrored.mp4", mirrored(frames))
    both = hash_video(open_media(original), mirrored=True)
    # Asking for the mirror leaves the plain frames as they were.
    assert both.frames == hash_video(open_media(original)).frames
    assert [frame.timestamp for frame in both.mirrored] == [f.timestamp for f in both.frames]
    copy = hash_video(open_media(flipped)).frames
    mirror_value, copy_value = serialize(both.mirrored), serialize(copy)
    assert VideoPdq.distance(mirror_value, copy_value) <= 5
    # Without the mirror the copy is as unlike its original as any other video.
    assert VideoPdq.distance(serialize(both.frames), copy_value) == 100


def test_one_pass_hashes_both_forms(
    plain: tuple[list[NDArray[np.uint8]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import accord.signals.vpdq as module

    passes: list[bool] = []
    real = module.hash_video

    def counted(media: MediaFile, **options: Any) -> HashedVideo:
        passes.append(options.get("mirrored", False))
        return real(media, **options)

    monkeypatch.setattr(module, "hash_video", counted)
    subject = Subject(open_media(plain[1]))
    first, second = subject.signal(VideoPdq()), subject.signal(VideoPdqMirrored())
    assert passes == [True]
    assert (first.type, second.type) == ("vpdq", "vpdq_mirrored")
    assert first.value != second.value
    assert second.reliable


# Values and comparison -----------------------------------------------------------------


def value(*frames: tuple[str, int, float]) -> str:
    return serialize(VpdqFrame(*frame) for frame in frames)


def flip(pdq_hex: str, bits: int) -> str:
    """``pdq_hex`` with its lowest ``bits`` bits inverted."""
    return f"{int(pdq_hex, 16) ^ ((1 << bits) - 1):064x}"


def test_value_is_hmas_json_list() -> None:
    text = value((A, 100, 0.0), (B, 87, 1.0 / 3))
    assert json.loads(text) == [f"{A},100,0.000", f"{B},87,0.333"]


def test_validate_normalises() -> None:
    messy = json.dumps([f" {A.upper()} , 100 , 1.5 ", f"{B},7,12"])
    assert VideoPdq.validate(messy) == value((A, 100, 1.5), (B, 7, 12.0))


def test_python_threatexchange_values_are_read() -> None:
    # pytx prints timestamps with three significant digits.
    assert parse(json.dumps([f"{A},100,1.23e+02", f"{B},100,0.0"]))[0].timestamp == 123.0


@pytest.mark.parametrize(
    "bad",
    [
        "[]",
        "{}",
        f'"{A},100,0.0"',
        json.dumps([7]),
        json.dumps([f"{A},100"]),
        json.dumps([f"{A},100,0,0"]),
        json.dumps([f"{A[:-1]},100,0"]),
        json.dumps([f"{A[:-1]}g,100,0"]),
        json.dumps([f"{A},101,0"]),
        json.dumps([f"{A},-1,0"]),
        json.dumps([f"{A},5.5,0"]),
        json.dumps([f"{A},100,-1"]),
        json.dumps([f"{A},100,nan"]),
        json.dumps([f"{A},100,inf"]),
        json.dumps([f"{A},100,soon"]),
        "[" * 100_000,
    ],
)
def test_malformed_values_are_refused(bad: str) -> None:
    with pytest.raises(InvalidSignal):
        VideoPdq.validate(bad)


def test_too_many_frames_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("accord.signals.vpdq.MAX_FRAMES", 2)
    with pytest.raises(InvalidSignal, match="at most 2"):
        parse(value((A, 100, 0), (B, 100, 1), (C, 100, 2)))


def test_compare_counts_unique_good_frames_both_ways() -> None:
    query = value((A, 100, 0), (A, 100, 1), (B, 100, 2), (C, 10, 3))  # A twice, C too weak
    target = value((flip(A, 31), 90, 5), (flip(B, 32), 90, 6), ("d" * 64, 90, 7))
    result = VideoPdq.compare(query, target, aligned_threshold=None)  # HMA's rule alone
    assert (result.query_frames, result.target_frames) == (2, 3)
    assert result.query_match_percent == 50.0  # A within 31 bits; B 32 bits away
    assert result.target_match_percent == pytest.approx(100 / 3)
    assert result.matches == ((0.0, 5.0),)
    assert result.distance == 50.0
    looser = VideoPdq.compare(
        query, target, frame_threshold=32, aligned_threshold=None, min_quality=5
    )
    assert looser.query_frames == 3
    assert looser.query_match_percent == pytest.approx(200 / 3)


def test_a_clip_inside_a_longer_video_matches_it_both_ways() -> None:
    rng = np.random.default_rng(4)
    hashes = [rng.bytes(32).hex() for _ in range(20)]  # unrelated frames, ~128 bits apart
    full = value(*((h, 100, float(i)) for i, h in enumerate(hashes)))
    clip = value(*((h, 100, float(i)) for i, h in enumerate(hashes[5:10])))
    assert VideoPdq.distance(clip, full) == VideoPdq.distance(full, clip) == 0.0
    result = VideoPdq.compare(full, clip)
    assert (result.query_match_percent, result.target_match_percent) == (25.0, 100.0)


def test_no_usable_frames_match_nothing() -> None:
    weak = value((A, 10, 0), (B, 20, 1))
    assert VideoPdq.distance(weak, weak) == 100.0
    assert VideoPdq.compare(weak, value((A, 100, 0))).matches == ()


def test_long_values_are_compared_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("accord.signals.vpdq._BLOCK_BYTES", 64)
    rng = np.random.default_rng(5)
    hashes = [rng.bytes(32).hex() for _ in range(40)]
    first = value(*((h, 100, float(i)) for i, h in enumerate(hashes)))
    second = value(*((flip(h, 3), 100, float(i)) for i, h in enumerate(hashes[::2])))
    result = VideoPdq.compare(first, second)
    assert (result.query_match_percent, result.target_match_percent) == (50.0, 100.0)
    assert all(query == target * 2 for query, target in result.matches)


def test_examples_are_far_apart() -> None:
    for a, b in itertools.combinations(VideoPdq.examples(), 2):
        assert not VideoPdq.matches(a, b)


def test_large_logo_copies_need_time_alignment(clips: dict[str, str]) -> None:
    # HMA's rule alone cannot see through the logo; the time-aligned tier can.
    logo, original = clips["chair-22-with-large-logo-bar"], clips["chair-orig-22-sd-bar"]
    assert VideoPdq.compare(logo, original, aligned_threshold=None).distance > 50
    assert VideoPdq.compare(logo, original).distance <= 20


def test_loosely_matching_frames_count_only_at_a_common_offset() -> None:
    rng = np.random.default_rng(5)
    hashes = ["".join(rng.choice(list("0123456789abcdef"), 64)) for _ in range(20)]
    query = value(*((h, 100, float(t)) for t, h in enumerate(hashes)))
    # Every frame 50 bits off (an overlay), 3 seconds later in the target.
    shifted = value(*((flip(h, 50), 100, t + 3.0) for t, h in enumerate(hashes)))
    assert VideoPdq.compare(query, shifted).query_match_percent == 100.0
    assert VideoPdq.compare(query, shifted, aligned_threshold=None).query_match_percent == 0.0
    # The same frames in shuffled order agree on no offset: only chance matches remain.
    order = rng.permutation(len(hashes))
    shuffled = value(*((flip(hashes[i], 50), 100, float(t)) for t, i in enumerate(order)))
    assert VideoPdq.compare(query, shuffled).query_match_percent <= 15.0
