"""``AudioIndex``: excerpts found in stored recordings (and stored clips in long queries),
with their offset, through lossy codecs and noise; removal, persistence, corrupt files."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

import accord.index.audio as audio_index
from accord.errors import IndexFormatError, InvalidSignal
from accord.index.audio import AudioIndex
from accord.index.base import IndexHit
from accord.media.audio import decode_audio
from accord.media.file import open_media
from accord.signals.audio import (
    SAMPLE_RATE,
    WORD_SECONDS,
    AudioFingerprint,
    encode_words,
    fingerprint_samples,
)
from tests.unit.signals.conftest import (
    RATE,
    SENTENCES,
    UNRELATED_SENTENCES,
    VOICES,
    brown_noise,
    chords,
    encode,
    program,
    resample,
    square_melody,
    swelling_noise,
    write_wav,
)

# One xdist worker runs this module, so its media are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("audio-index")

THRESHOLD = AudioFingerprint.threshold
RECORDING, UNRELATED = 1, 2
#: Non-round cut points inside the ~65 s recording.
STARTS = (3.37, 23.37, 47.91)
#: Attacks on a 10 s excerpt: name -> (encoder, container, suffix, kbit/s); None: made in numpy.
ATTACKS: dict[str, tuple[str, str, str, int] | None] = {
    "mp3-32k": ("libmp3lame", "mp3", "mp3", 32),
    "opus-32k": ("libopus", "ogg", "opus", 32),
    "aac-32k": ("aac", "ipod", "m4a", 32),
    "resampled-22k": None,
    "noise-20dB": None,
}
#: The signal tests measure at most ~0.15 for these attacks.
ATTACK_MAX_BER = 0.25
#: Filler recordings: enough words that a 10 s query is answered by votes alone.
FILLER_ITEMS = 40


@dataclass(frozen=True)
class Sounds:
    folder: Path
    recording: NDArray[np.float32]  # at RATE
    words: NDArray[np.uint32]
    unrelated: NDArray[np.float32]
    unrelated_value: str
    filler: list[tuple[int, str]]

    @property
    def value(self) -> str:
        return encode_words(self.words)


@pytest.fixture(scope="module")
def sounds(tmp_path_factory: pytest.TempPathFactory) -> Sounds:
    folder = tmp_path_factory.mktemp("audio-index")
    recording = program(folder, SENTENCES, VOICES, music=chords, noise=swelling_noise, seed=1)
    unrelated = program(
        folder, UNRELATED_SENTENCES, VOICES[::-1], music=square_melody, noise=brown_noise, seed=50
    )
    words = fingerprint(recording)
    # Other recordings, as far from this one as unrelated audio: its words under random masks.
    rng = np.random.default_rng(9)
    masks = rng.integers(1, 2**32, size=FILLER_ITEMS, dtype=np.uint32)
    filler = [(100 + i, encode_words(masked(words, mask))) for i, mask in enumerate(masks)]
    unrelated_value = encode_words(fingerprint(unrelated))
    return Sounds(folder, recording, words, unrelated, unrelated_value, filler)


def fingerprint(samples: NDArray[np.float32], rate: int = RATE) -> NDArray[np.uint32]:
    return fingerprint_samples(resample(samples, rate, SAMPLE_RATE))


def masked(words: NDArray[np.uint32], mask: np.uint32) -> NDArray[np.uint32]:
    out = np.where(words != 0, words ^ mask, 0).astype(np.uint32)
    out[(out == 0) & (words != 0)] = 1
    return out


def cut(samples: NDArray[np.float32], start: float, seconds: float) -> NDArray[np.float32]:
    return samples[round(start * RATE) : round((start + seconds) * RATE)]


def excerpt(sounds: Sounds, start: float, seconds: float = 10.0) -> str:
    return encode_words(fingerprint(cut(sounds.recording, start, seconds)))


def attacked(sounds: Sounds, samples: NDArray[np.float32], attack: str) -> str:
    """``samples`` through a codec or a numpy attack, decoded as an upload would be."""
    spec = ATTACKS[attack]
    if spec is not None:
        codec, container, suffix, kbps = spec
        path = sounds.folder / f"{attack}-{len(samples)}.{suffix}"
        codec_rate = 48000 if codec == "libopus" else None
        bit_rate = kbps * 1000
        encode(
            path,
            samples,
            RATE,
            codec=codec,
            container=container,
            bit_rate=bit_rate,
            codec_rate=codec_rate,
        )
    elif attack == "resampled-22k":
        path = write_wav(sounds.folder / "r22.wav", resample(samples, RATE, 22050), 22050)
    else:
        rms = float(np.sqrt(np.mean(samples**2)))
        noise = np.random.default_rng(3).standard_normal(len(samples)).astype(np.float32)
        path = write_wav(sounds.folder / "noise.wav", samples + noise * rms * 0.1, RATE)
    clip = decode_audio(open_media(path), sample_rate=SAMPLE_RATE)
    return encode_words(fingerprint_samples(clip.samples))


@pytest.fixture
def index(sounds: Sounds) -> AudioIndex:
    built = AudioIndex()
    built.add([(RECORDING, sounds.value), (UNRELATED, sounds.unrelated_value)])
    built.add(sounds.filler)
    return built


@pytest.fixture
def votes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No exhaustive pass over small indices: only the word lookup finds anything."""
    monkeypatch.setattr(audio_index, "_SCAN_ALL_BUDGET", 0)


def only(hits: list[IndexHit], item: int) -> IndexHit:
    found = [hit for hit in hits if hit.item == item]
    assert len(found) == 1, hits
    return found[0]


# --- finding excerpts -----------------------------------------------------------------


@pytest.mark.usefixtures("votes_only")
def test_excerpts_are_found_at_their_offset(sounds: Sounds, index: AudioIndex) -> None:
    assert len(index) == FILLER_ITEMS + 2
    for start in STARTS:
        for seconds in (10.0, 3.0):
            value = excerpt(sounds, start, seconds)
            hits = index.query(value, THRESHOLD)
            assert [hit.item for hit in hits] == [RECORDING], (start, seconds)
            hit = hits[0]
            assert hit.detail["offset_seconds"] == pytest.approx(start, abs=WORD_SECONDS)
            # Only the sub-hop misalignment of the cut differs.
            assert hit.distance == hit.detail["ber"] < 0.08
            # The index's distance is the signal type's.
            assert hit.distance == pytest.approx(AudioFingerprint.distance(value, sounds.value))
    # A loose threshold lets more through, nearest first.
    loose = index.query(excerpt(sounds, STARTS[0], 3.0), 0.5)
    assert loose[0].item == RECORDING
    assert [hit.distance for hit in loose] == sorted(hit.distance for hit in loose)


@pytest.mark.usefixtures("votes_only")
@pytest.mark.parametrize("attack", ATTACKS)
def test_degraded_excerpts_are_found(sounds: Sounds, index: AudioIndex, attack: str) -> None:
    for start in STARTS[:2]:
        hits = index.query(attacked(sounds, cut(sounds.recording, start, 10.0), attack), THRESHOLD)
        hit = only(hits, RECORDING)
        assert hits[0] == hit
        assert hit.detail["offset_seconds"] == pytest.approx(start, abs=0.1)  # AAC's delay
        assert hit.distance < ATTACK_MAX_BER


def test_a_stored_clip_is_found_inside_a_longer_query(sounds: Sounds) -> None:
    clips = {10: (31.17, 10.0), 11: (12.4, 5.0)}
    index = AudioIndex()
    index.add([(item, excerpt(sounds, start, seconds)) for item, (start, seconds) in clips.items()])
    index.add(sounds.filler[:5])
    # 40 s of the recording from 8 s in, lossy: longer than either clip.
    query = attacked(sounds, cut(sounds.recording, 8.0, 40.0), "mp3-32k")
    hits = index.query(query, THRESHOLD)
    assert sorted(hit.item for hit in hits) == sorted(clips)
    for hit in hits:
        start = clips[hit.item][0] - 8.0
        # Stored time minus query time: the clip starts ``start`` seconds into the query.
        assert hit.detail["offset_seconds"] == pytest.approx(-start, abs=0.1)
        assert hit.distance < ATTACK_MAX_BER


def test_unrelated_audio_is_not_found(sounds: Sounds, index: AudioIndex) -> None:
    index.remove([UNRELATED])
    duration = len(sounds.unrelated) / RATE
    for start in np.arange(0.0, duration - 10.0, 6.1):
        value = encode_words(fingerprint(cut(sounds.unrelated, float(start), 10.0)))
        assert index.query(value, THRESHOLD) == []


def test_silence_and_an_empty_index_find_nothing(sounds: Sounds, index: AudioIndex) -> None:
    silence = encode_words(np.zeros(900, dtype=np.uint32))
    assert index.query(silence, THRESHOLD) == []
    assert AudioIndex().query(sounds.value, THRESHOLD) == []
    with pytest.raises(InvalidSignal):
        index.query("not a fingerprint", THRESHOLD)


def test_small_indices_also_align_every_recording_exhaustively(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every word 8 bits off (BER 0.25): no exact or one-bit word can vote for it.
    rng = np.random.default_rng(4)
    stored = rng.integers(1, 2**32, size=3000, dtype=np.uint32)
    masks = np.zeros((900, 32), dtype=bool)
    masks[:, :8] = True
    bits = np.packbits(rng.permuted(masks, axis=1), axis=1, bitorder="little").view("<u4")
    query = stored[1200:2100] ^ bits.reshape(-1)
    index = AudioIndex()
    index.add([(7, encode_words(stored))])
    hit = only(index.query(encode_words(query), THRESHOLD), 7)
    assert hit.distance == pytest.approx(0.25)
    assert hit.detail["offset_seconds"] == pytest.approx(1200 * WORD_SECONDS, abs=1e-3)
    monkeypatch.setattr(audio_index, "_SCAN_ALL_BUDGET", 0)
    assert index.query(encode_words(query), THRESHOLD) == []


# --- changes ------------------------------------------------------------------------


def test_removal_and_replacement(sounds: Sounds, index: AudioIndex) -> None:
    value = excerpt(sounds, STARTS[1])
    index.remove([RECORDING, 12345])  # an unknown id is ignored
    assert len(index) == FILLER_ITEMS + 1
    assert index.query(value, THRESHOLD) == []
    index.remove([RECORDING])
    index.add([(RECORDING, sounds.value)])
    assert only(index.query(value, THRESHOLD), RECORDING).distance < 0.05
    # Adding an id again replaces its recording.
    index.add([(RECORDING, sounds.filler[0][1])])
    assert len(index) == FILLER_ITEMS + 2
    assert index.query(value, THRESHOLD) == []


def test_many_small_additions_and_removals_match_a_bulk_build(
    sounds: Sounds, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audio_index, "_DELTA_MIN", 2000)  # merges happen along the way
    monkeypatch.setattr(audio_index, "_COMPACT_MIN", 1000)  # and so do compactions
    pieces = [(i, encode_words(sounds.words[i * 700 : i * 700 + 900])) for i in range(8)]
    one_by_one = AudioIndex()
    for piece in pieces:
        one_by_one.add([piece])
    one_by_one.add(sounds.filler[:3])
    one_by_one.remove([100, 101, 0])
    bulk = AudioIndex()
    bulk.add([*pieces[1:], sounds.filler[2]])
    assert len(one_by_one) == len(bulk) == 8
    for start in (4.0, 30.0, 50.0):
        value = excerpt(sounds, start, 3.0)
        assert one_by_one.query(value, THRESHOLD) == bulk.query(value, THRESHOLD)


# --- persistence ----------------------------------------------------------------------


def test_save_and_load_round_trip(sounds: Sounds, index: AudioIndex, tmp_path: Path) -> None:
    index.remove([UNRELATED])
    index.save(tmp_path / "audio")
    loaded = AudioIndex.load(tmp_path / "audio")
    assert len(loaded) == len(index) == FILLER_ITEMS + 1
    assert 0 < loaded.memory_bytes() <= index.memory_bytes()
    for start in STARTS:
        value = excerpt(sounds, start, 5.0)
        assert loaded.query(value, THRESHOLD) == index.query(value, THRESHOLD)
    meta = json.loads((tmp_path / "audio" / "meta.json").read_text())
    assert (meta["format"], meta["version"]) == ("accord.audio-index", 1)
    # A loaded index keeps changing in place.
    loaded.remove([RECORDING])
    assert loaded.query(excerpt(sounds, STARTS[0]), THRESHOLD) == []


def test_an_empty_index_round_trips(tmp_path: Path) -> None:
    AudioIndex().save(tmp_path)
    assert len(AudioIndex.load(tmp_path)) == 0


@pytest.fixture
def saved(sounds: Sounds, tmp_path: Path) -> Path:
    index = AudioIndex()
    index.add([(RECORDING, sounds.value), *sounds.filler[:2]])
    index.save(tmp_path)
    return tmp_path


def corrupt_meta(folder: Path, **changes: object) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps(meta | changes))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda f: (f / "meta.json").unlink(), id="no-meta"),
        pytest.param(lambda f: (f / "meta.json").write_text("{"), id="meta-not-json"),
        pytest.param(lambda f: corrupt_meta(f, version=99), id="other-version"),
        pytest.param(lambda f: corrupt_meta(f, format="pdq"), id="other-format"),
        pytest.param(lambda f: corrupt_meta(f, words="many"), id="meta-size-not-int"),
        pytest.param(lambda f: (f / "keys.npy").unlink(), id="missing-array"),
        pytest.param(lambda f: (f / "words.npy").write_bytes(b"\x93NUMPY garbage"), id="garbage"),
        pytest.param(
            lambda f: (f / "positions.npy").write_bytes((f / "positions.npy").read_bytes()[:-9]),
            id="truncated",
        ),
        pytest.param(
            lambda f: np.save(f / "items.npy", np.array([1.0, 2.0, 3.0])), id="wrong-dtype"
        ),
        pytest.param(
            lambda f: np.save(f / "positions.npy", np.load(f / "positions.npy")[::-1].copy()),
            id="postings-point-elsewhere",
        ),
        pytest.param(
            lambda f: np.save(f / "items.npy", np.array([1, 1, 2], dtype=np.int64)),
            id="duplicate-item",
        ),
        pytest.param(
            lambda f: np.save(f / "lengths.npy", np.load(f / "lengths.npy")[::-1] - 1),
            id="bad-lengths",
        ),
    ],
)
def test_damaged_files_raise_index_format_error(saved: Path, damage: object) -> None:
    assert callable(damage)
    damage(saved)
    with pytest.raises(IndexFormatError):
        AudioIndex.load(saved)


# --- speed ----------------------------------------------------------------------------


def test_an_hour_of_audio_is_searched_quickly(sounds: Sounds) -> None:
    rng = np.random.default_rng(21)
    hour = round(3600 / WORD_SECONDS)
    masks = rng.integers(1, 2**32, size=hour // len(sounds.words) + 1, dtype=np.uint32)
    index = AudioIndex()
    index.add([(1000 + i, encode_words(masked(sounds.words, m))) for i, m in enumerate(masks)])
    index.add([(RECORDING, sounds.value)])
    value = excerpt(sounds, STARTS[2])
    index.query(value, THRESHOLD)  # warm up
    started = time.perf_counter()
    hits = index.query(value, THRESHOLD)
    elapsed = time.perf_counter() - started
    assert [hit.item for hit in hits] == [RECORDING]
    assert elapsed < 0.5  # measured ~5 ms
    assert index.memory_bytes() < 32 * hour  # words, postings and spare capacity
