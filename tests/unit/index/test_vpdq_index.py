"""``VideoPdqIndex``: copies of a clip find each other and nothing else, clips are found
inside longer videos and the other way round, with percentages and offsets; removal,
persistence and corrupt files."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from numpy.typing import NDArray

import accord.index.vpdq as vpdq_index
from accord.errors import IndexFormatError, InvalidSignal
from accord.index.base import IndexHit
from accord.index.vpdq import VideoPdqIndex
from accord.media.file import open_media
from accord.signals.vpdq import VideoPdq, VpdqFrame, hash_video, serialize
from tests.factories import encode_h264

# One xdist worker runs this module, so its media are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("vpdq-index")

THRESHOLD = VideoPdq.threshold
#: Corpus clips of two unrelated groups, one copy under a large logo (the weak pair):
#: hashing is the slow part, so the longer chair and HD clips sit this file out.
CORPUS = (
    "pattern-sd-grey-bar",
    "pattern-sd-with-small-logo-bar",
    "pattern-sd-with-large-logo-bar",
    "doorknob-hd-no-bar",
)
#: The clip cut from ``SOURCE``: seconds in, and seconds long.
SOURCE = "pattern-sd-grey-bar"
CUT_START, CUT_SECONDS = 2.0, 3.0
CLIP = "pattern-cut"


def group(name: str) -> str:
    return name.split("-", maxsplit=1)[0]


def cut(source: Path, target: Path, start: float, seconds: float) -> Path:
    """``seconds`` of ``source`` from ``start``, at half size, re-encoded with PyAV."""
    frames: list[NDArray[np.uint8]] = []
    with av.open(str(source)) as container:
        for frame in container.decode(video=0):
            if start <= frame.time < start + seconds:
                half = frame.reformat(frame.width // 2, frame.height // 2, format="rgb24")
                frames.append(np.asarray(half.to_ndarray(), dtype=np.uint8))
    return encode_h264(target, frames)


@pytest.fixture(scope="module")
def values(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """vPDQ values of the chosen corpus clips and of a clip cut from one of them."""
    found = {
        name: serialize(hash_video(open_media(corpus / "video" / f"{name}.mp4")).frames)
        for name in CORPUS
    }
    source = corpus / "video" / f"{SOURCE}.mp4"
    clip = cut(source, tmp_path_factory.mktemp("vpdq-index") / "cut.mp4", CUT_START, CUT_SECONDS)
    found[CLIP] = serialize(hash_video(open_media(clip)).frames)
    return found


@pytest.fixture
def index(values: dict[str, str]) -> VideoPdqIndex:
    built = VideoPdqIndex()
    built.add([(number, values[name]) for number, name in enumerate(CORPUS)])
    return built


def names_of(hits: list[IndexHit]) -> list[str]:
    return [CORPUS[hit.item] for hit in hits]


def only(hits: list[IndexHit], item: int) -> IndexHit:
    found = [hit for hit in hits if hit.item == item]
    assert len(found) == 1, hits
    return found[0]


# --- the corpus -------------------------------------------------------------------------


def test_copies_find_each_other_and_nothing_else(
    values: dict[str, str], index: VideoPdqIndex
) -> None:
    assert len(index) == len(CORPUS)
    for name in CORPUS:
        hits = index.query(values[name], THRESHOLD)
        assert sorted(names_of(hits)) == sorted(n for n in CORPUS if group(n) == group(name))
        assert only(hits, CORPUS.index(name)).distance == 0.0  # itself
        for hit in hits:
            # Exactly the signal type's verdict.
            assert hit.distance == VideoPdq.distance(values[name], values[CORPUS[hit.item]])
        assert [hit.distance for hit in hits] == sorted(hit.distance for hit in hits)


def test_a_copy_under_a_large_logo_is_found_by_time_alignment(
    values: dict[str, str], index: VideoPdqIndex
) -> None:
    logo = "pattern-sd-with-large-logo-bar"
    original = CORPUS.index(SOURCE)
    hit = only(index.query(values[logo], THRESHOLD), original)
    assert hit.distance <= THRESHOLD
    # HMA's frame rule alone would not have matched the pair.
    hma = VideoPdq.compare(values[logo], values[CORPUS[original]], aligned_threshold=None)
    assert hma.distance > THRESHOLD


def test_a_cut_clip_finds_its_source_with_both_percentages(
    values: dict[str, str], index: VideoPdqIndex
) -> None:
    hits = index.query(values[CLIP], THRESHOLD)
    assert {group(name) for name in names_of(hits)} == {"pattern"}
    hit = only(hits, CORPUS.index(SOURCE))
    detail = hit.detail
    assert detail["query_percent"] > 95  # all of the clip is in the source
    assert detail["target_percent"] < 60  # a little over a third of the source is the clip
    assert hit.distance == 100.0 - detail["query_percent"]
    assert detail["offset_seconds"] == pytest.approx(CUT_START, abs=0.05)
    pairs = detail["matched_frames"]
    assert 0 < len(pairs) <= vpdq_index._MAX_MATCHED_FRAMES
    assert np.median([target - query for query, target in pairs]) == pytest.approx(CUT_START, 0.05)
    json.dumps(detail)  # ready for an API response


def test_a_stored_clip_is_found_by_the_longer_video(values: dict[str, str]) -> None:
    index = VideoPdqIndex()
    index.add([(7, values[CLIP]), (8, values["doorknob-hd-no-bar"])])
    hits = index.query(values[SOURCE], THRESHOLD)
    assert [hit.item for hit in hits] == [7]
    detail = hits[0].detail
    assert detail["target_percent"] > 95
    assert detail["query_percent"] < 60
    # Target (clip) time minus query (source) time.
    assert detail["offset_seconds"] == pytest.approx(-CUT_START, abs=0.05)


# --- generated values ------------------------------------------------------------------


def random_video(
    rng: np.random.Generator, frames: int, shots: int | None = None, fps: float = 15.0
) -> list[VpdqFrame]:
    """Frames of random shots, each ~13 bits from its shot's hash; by default every frame
    is a shot of its own, ~128 bits from every other."""
    if shots is None:
        bits = rng.integers(0, 2, (frames, 256)).astype(bool)
    else:
        shot_of = np.sort(rng.integers(0, shots, frames))
        bases = rng.integers(0, 2, (shots, 256)).astype(bool)
        bits = bases[shot_of] ^ (rng.random((frames, 256)) < 0.05)
    hexes = np.packbits(bits, axis=1).tobytes().hex()
    return [VpdqFrame(hexes[64 * i : 64 * i + 64], 90, round(i / fps, 3)) for i in range(frames)]


def test_containment_works_both_ways() -> None:
    rng = np.random.default_rng(4)
    full = random_video(rng, 200)
    index = VideoPdqIndex()
    index.add([(1, serialize(full)), (2, serialize(random_video(rng, 200)))])
    # Frames 60-109, from 4 s in, as a clip of their own that starts at 0 s.
    clip = serialize(
        VpdqFrame(f.pdq_hex, f.quality, round(f.timestamp - 4, 3)) for f in full[60:110]
    )
    hit = only(index.query(clip, THRESHOLD), 1)
    assert (hit.detail["query_percent"], hit.detail["target_percent"]) == (100.0, 25.0)
    assert hit.detail["offset_seconds"] == pytest.approx(4.0)
    assert hit.distance == 0.0
    index.add([(3, clip)])
    found = only(index.query(serialize(full), THRESHOLD), 3)
    assert (found.detail["query_percent"], found.detail["target_percent"]) == (25.0, 100.0)
    assert found.detail["offset_seconds"] == pytest.approx(-4.0)


def test_removal_replacement_and_compaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vpdq_index, "_COMPACT_MIN", 100)
    rng = np.random.default_rng(5)
    videos = {item: serialize(random_video(rng, 80)) for item in range(6)}
    index = VideoPdqIndex()
    for item, value in videos.items():
        index.add([(item, value)])
    index.remove([0, 1, 2, 3, 99])  # compacts: 320 dead frames of 480
    assert len(index) == 2
    assert index.query(videos[0], THRESHOLD) == []
    assert [hit.item for hit in index.query(videos[5], THRESHOLD)] == [5]
    index.add([(4, videos[0])])  # replaces item 4's video
    assert len(index) == 2
    assert index.query(videos[4], THRESHOLD) == []
    assert [hit.item for hit in index.query(videos[0], THRESHOLD)] == [4]


def test_weak_and_empty_queries_find_nothing() -> None:
    rng = np.random.default_rng(6)
    video = random_video(rng, 40)
    assert VideoPdqIndex().query(serialize(video), THRESHOLD) == []
    index = VideoPdqIndex()
    weak = [VpdqFrame(frame.pdq_hex, 20, frame.timestamp) for frame in video]
    index.add([(1, serialize(video)), (2, serialize(weak))])
    assert len(index) == 2  # stored, though no frame of it can match
    assert index.query(serialize(weak), THRESHOLD) == []
    assert [hit.item for hit in index.query(serialize(video), THRESHOLD)] == [1]
    with pytest.raises(InvalidSignal):
        index.query("[]", THRESHOLD)


def test_candidates_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vpdq_index, "_MAX_CANDIDATES", 2)
    value = serialize(random_video(np.random.default_rng(7), 30))
    index = VideoPdqIndex()
    index.add([(item, value) for item in range(5)])
    assert len(index.query(value, THRESHOLD)) == 2


def test_hundreds_of_videos_are_searched_quickly() -> None:
    rng = np.random.default_rng(8)
    videos = [serialize(random_video(rng, int(rng.integers(60, 180)), 8)) for _ in range(300)]
    index = VideoPdqIndex()
    index.add([(item, value) for item, value in enumerate(videos)])
    index.query(videos[0], THRESHOLD)  # warm up
    started = time.perf_counter()
    hits = index.query(videos[123], THRESHOLD)
    elapsed = time.perf_counter() - started
    assert [hit.item for hit in hits] == [123]
    assert elapsed < 2.0  # measured ~0.1 s for ~120 frames among 36,000
    assert index.memory_bytes() < 300 * 180 * 200


# --- persistence ----------------------------------------------------------------------


def test_save_and_load_round_trip(
    values: dict[str, str], index: VideoPdqIndex, tmp_path: Path
) -> None:
    index.remove([CORPUS.index("doorknob-hd-no-bar")])
    index.save(tmp_path / "vpdq")
    loaded = VideoPdqIndex.load(tmp_path / "vpdq")
    assert len(loaded) == len(index) == len(CORPUS) - 1
    assert loaded.memory_bytes() > 0
    for name in ("pattern-sd-with-small-logo-bar", CLIP):
        assert loaded.query(values[name], THRESHOLD) == index.query(values[name], THRESHOLD)
    meta = json.loads((tmp_path / "vpdq" / "meta.json").read_text())
    assert (meta["format"], meta["version"]) == ("accord.vpdq-index", 1)
    loaded.remove([CORPUS.index("pattern-sd-with-small-logo-bar")])
    loaded.add([(50, values[CLIP])])
    assert 50 in [hit.item for hit in loaded.query(values[SOURCE], THRESHOLD)]


def test_an_empty_index_round_trips(tmp_path: Path) -> None:
    VideoPdqIndex().save(tmp_path)
    assert len(VideoPdqIndex.load(tmp_path)) == 0


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    rng = np.random.default_rng(9)
    index = VideoPdqIndex()
    index.add([(item, serialize(random_video(rng, 20))) for item in range(3)])
    index.save(tmp_path)
    return tmp_path


def corrupt_meta(folder: Path, **changes: object) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps(meta | changes))


def rewrite(name: str, change: Callable[[NDArray[Any]], NDArray[Any]]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        np.save(folder / name, change(np.load(folder / name)))

    return damage


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda f: (f / "meta.json").unlink(), id="no-meta"),
        pytest.param(lambda f: (f / "meta.json").write_text("[1, 2"), id="meta-not-json"),
        pytest.param(lambda f: corrupt_meta(f, version=2), id="other-version"),
        pytest.param(lambda f: corrupt_meta(f, format="audio"), id="other-format"),
        pytest.param(lambda f: corrupt_meta(f, hashes=-1), id="negative-size"),
        pytest.param(lambda f: (f / "seconds.npy").unlink(), id="missing-array"),
        pytest.param(lambda f: (f / "hashes.npy").write_bytes(b"not numpy"), id="garbage"),
        pytest.param(lambda f: (f / "codes" / "meta.json").unlink(), id="codes-missing"),
        pytest.param(rewrite("seconds.npy", lambda a: a.astype(np.float32)), id="wrong-dtype"),
        pytest.param(rewrite("seconds.npy", lambda a: -a - 1), id="negative-time"),
        pytest.param(rewrite("qualities.npy", lambda a: a * 0 + 101), id="quality-over-100"),
        pytest.param(rewrite("items.npy", lambda a: a * 0), id="duplicate-item"),
        pytest.param(rewrite("lengths.npy", lambda a: a[::-1] + 1), id="bad-lengths"),
    ],
)
def test_damaged_files_raise_index_format_error(
    saved: Path, damage: Callable[[Path], None]
) -> None:
    damage(saved)
    with pytest.raises(IndexFormatError):
        VideoPdqIndex.load(saved)
