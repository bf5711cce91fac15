"""Voices and their embeddings: one voice close, two voices far, too little speech refused,
and the checkpoint reader admitting tensors only.

The speakers are espeak-ng voices (no real recordings of protected people exist here):
``en+m7`` says two different sentences; ``en+f4`` and ``en+f2`` are other voices.
"""

from __future__ import annotations

import os
import pickle  # noqa: TID251 - builds checkpoints, hostile ones too, for the reader
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from accord.errors import LikenessUnavailable, SignalNotApplicable
from accord.media.audio import decode_audio
from accord.media.file import open_media
from accord.signals import voices
from accord.signals.voices import (
    EMBEDDING_SIZE,
    MIN_SPEECH_SECONDS,
    SAME_SPEAKER_SIMILARITY,
    SAMPLE_RATE,
    embed_samples,
    encode_partials,
    hz_to_mel,
    mel_filterbank,
    mel_spectrogram,
    mel_to_hz,
    partial_slices,
    preprocess,
    read_checkpoint,
    voice_embedding,
    voice_similarity,
)
from tests.speech import SENTENCES, require_voice_model, speak


@pytest.fixture(scope="module")
def model() -> None:
    require_voice_model()


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("voices")
    clips = {
        "m7-a": ("en+m7", SENTENCES[0]),
        "m7-b": ("en+m7", SENTENCES[1]),
        "f4": ("en+f4", SENTENCES[2]),
        "f2": ("en+f2", SENTENCES[2]),
        "short": ("en+m7", "Vote."),
    }
    return {name: speak(folder, name, voice, text) for name, (voice, text) in clips.items()}


# --- The model on speech --------------------------------------------------------------


@pytest.mark.usefixtures("model")
def test_one_voice_is_closer_to_itself_than_to_other_voices(speech: dict[str, Path]) -> None:
    first, second = voice_embedding(speech["m7-a"]), voice_embedding(speech["m7-b"])
    same = voice_similarity(first, second)
    assert same >= SAME_SPEAKER_SIMILARITY
    for other in ("f4", "f2"):
        different = voice_similarity(first, voice_embedding(speech[other]))
        assert different < SAME_SPEAKER_SIMILARITY, other
        assert different < same - 0.1, other


@pytest.mark.usefixtures("model")
def test_the_embedding_is_a_deterministic_unit_vector(speech: dict[str, Path]) -> None:
    first = voice_embedding(speech["m7-a"])
    assert first.shape == (EMBEDDING_SIZE,)
    assert first.dtype == np.float32
    assert abs(float(np.linalg.norm(first)) - 1) < 1e-5
    assert np.array_equal(first, voice_embedding(speech["m7-a"]))
    assert voice_similarity(first, first) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.usefixtures("model")
def test_silence_and_too_little_speech_are_refused(speech: dict[str, Path]) -> None:
    with pytest.raises(SignalNotApplicable, match="silent"):
        embed_samples(np.zeros(5 * SAMPLE_RATE, dtype=np.float32))
    with pytest.raises(SignalNotApplicable, match="no speech"):
        embed_samples(np.zeros(0, dtype=np.float32))
    with pytest.raises(SignalNotApplicable, match=r"s of speech; at least 2 s"):
        voice_embedding(speech["short"])

    # Long silences are cut: a clip padded with 3 s of silence either side is the same voice.
    samples = decode_audio(open_media(speech["m7-a"]), sample_rate=SAMPLE_RATE).samples
    padded = np.pad(samples, 3 * SAMPLE_RATE)
    assert len(preprocess(padded)) < len(padded) - 5 * SAMPLE_RATE
    assert len(preprocess(samples)) >= MIN_SPEECH_SECONDS * SAMPLE_RATE
    assert voice_similarity(embed_samples(padded), embed_samples(samples)) > 0.99


@pytest.mark.usefixtures("model")
def test_embedding_imports_neither_pytorch_nor_resemblyzer() -> None:
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from accord.signals.voices import embed_samples\n"
        "t = np.arange(3 * 16000) / 16000\n"
        "embed_samples((0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))\n"
        "bad = {'torch', 'resemblyzer', 'librosa', 'webrtcvad'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.usefixtures("model")
def test_the_network_gives_pytorchs_numbers() -> None:
    # Resemblyzer 0.1.4's VoiceEncoder on PyTorch 2.13 (CPU), on this input.
    rng = np.random.default_rng(2024)
    mels = (np.abs(rng.standard_normal((2, 160, 40))) * 2).astype(np.float32)
    embeds = encode_partials(mels)
    assert embeds[0, 4] == pytest.approx(0.1167048, abs=2e-6)
    assert embeds[1, 4] == pytest.approx(0.1214116, abs=2e-6)
    assert embeds.argmax(axis=1).tolist() == [139, 220]
    assert embeds.max(axis=1).tolist() == pytest.approx([0.2820361, 0.2661099], abs=2e-6)


@pytest.mark.usefixtures("model")
def test_the_batched_network_is_a_plain_lstm_in_pytorchs_gate_order() -> None:
    state = read_checkpoint(voices._weights_path())
    mels = np.abs(np.random.default_rng(1).standard_normal((3, 40, 40))).astype(np.float32)
    batched = encode_partials(mels)
    for n, mel in enumerate(mels):
        x = mel.astype(np.float64)
        for layer in range(3):
            w_ih, w_hh = state[f"lstm.weight_ih_l{layer}"], state[f"lstm.weight_hh_l{layer}"]
            b = state[f"lstm.bias_ih_l{layer}"] + state[f"lstm.bias_hh_l{layer}"]
            h, c, out = np.zeros(256), np.zeros(256), []
            for step in x:
                i, f, g, o = np.split(w_ih @ step + w_hh @ h + b, 4)
                c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
                h = sigmoid(o) * np.tanh(c)
                out.append(h)
            x = np.array(out)
        raw = np.maximum(state["linear.weight"] @ h + state["linear.bias"], 0)
        np.testing.assert_allclose(batched[n], raw / np.linalg.norm(raw), atol=1e-5)


def sigmoid(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1 / (1 + np.exp(-x))
    return result


# --- Preprocessing, mirrored from Resemblyzer and librosa -------------------------------


def test_partial_windows_are_resemblyzers() -> None:
    # VoiceEncoder.compute_partial_slices(n, rate=1.3, min_coverage=0.75) in Resemblyzer 0.1.4.
    expected = {
        12_345: [0],
        16_000: [0],
        40_000: [0, 77],
        48_000: [0, 77, 154],
        160_000: [77 * k for k in range(12)],
    }
    for samples, starts in expected.items():
        slices = partial_slices(samples)
        assert [s.start for s in slices] == starts, samples
        assert all(s.stop - s.start == 160 for s in slices)


def test_the_mel_scale_is_slaneys() -> None:
    assert float(hz_to_mel(1000.0)) == pytest.approx(15.0)
    assert float(hz_to_mel(8000.0)) == pytest.approx(45.245640471924965)
    assert float(mel_to_hz(30.0)) == pytest.approx(2804.6441307389214)
    hz = np.array([0.0, 440.0, 999.0, 1000.0, 3000.0, 8000.0])
    np.testing.assert_allclose(mel_to_hz(hz_to_mel(hz)), hz, atol=1e-9)


def test_the_mel_filterbank_is_librosas() -> None:
    bank = mel_filterbank()
    assert bank.shape == (40, 201)
    peaks = bank.argmax(axis=1)
    assert (np.diff(peaks) > 0).all()
    # librosa.filters.mel(sr=16000, n_fft=400, n_mels=40) in librosa 0.11.
    for row, peak, height, (first, last) in (
        (0, 2, 0.012404520995914936, (1, 3)),
        (10, 20, 0.01187948975712061, (19, 22)),
        (39, 185, 0.0017249403754249215, (172, 199)),
    ):
        assert peaks[row] == peak
        assert float(bank[row, peak]) == pytest.approx(height, rel=1e-6)
        assert np.nonzero(bank[row])[0][[0, -1]].tolist() == [first, last]
    # Slaney normalisation: every triangle has unit area in Hz (40 Hz per FFT bin).
    np.testing.assert_allclose(bank.sum(axis=1) * SAMPLE_RATE / 400, 1, atol=0.04)


def test_the_mel_spectrogram_of_a_tone_peaks_in_its_band() -> None:
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    mel = mel_spectrogram(tone)
    assert mel.shape == (1 + SAMPLE_RATE // 160, 40)
    assert mel.dtype == np.float32
    band = int(np.argmax(mel[50]))
    assert mel_filterbank()[band, 1000 * 400 // SAMPLE_RATE] > 0
    # Power: a tone 6 dB quieter has a quarter of the energy.
    np.testing.assert_allclose(mel_spectrogram(tone * np.float32(0.5))[50], mel[50] / 4, rtol=1e-4)


# --- Reading the checkpoint without PyTorch ---------------------------------------------

_MAGIC = 0x1950A86A20F9469CFC6C
_FACTS = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"int": 4}}


def legacy_checkpoint(body: bytes, storages: dict[str, np.ndarray]) -> bytes:
    """The legacy ``torch.save`` layout around a hand-made pickle ``body``."""
    head = b"".join(pickle.dumps(part, protocol=2) for part in (_MAGIC, 1001, _FACTS))
    data = b"".join(
        struct.pack("<q", len(values)) + values.astype("<f4").tobytes()
        for values in storages.values()
    )
    return head + body + pickle.dumps(list(storages), protocol=2) + data


def _text(value: str) -> bytes:
    raw = value.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _int(value: int) -> bytes:
    return b"J" + struct.pack("<i", value)


def _ints(values: tuple[int, ...]) -> bytes:
    return b"(" + b"".join(map(_int, values)) + b"t"


def state_dict_pickle(
    tensors: dict[str, tuple[str, int, int, tuple[int, ...], tuple[int, ...]]],
) -> bytes:
    """What ``torch.save({"model_state": OrderedDict(...)})`` writes, opcode by opcode:
    name -> (storage key, storage length, offset, size, stride)."""
    body = b"\x80\x02}" + _text("model_state") + b"ccollections\nOrderedDict\n)R("
    for name, (key, count, offset, size, stride) in tensors.items():
        storage = b"(" + _text("storage") + b"ctorch\nFloatStorage\n"
        storage += _text(key) + _text("cpu") + _int(count) + b"Nt"
        body += _text(name) + b"ctorch._utils\n_rebuild_tensor_v2\n("
        body += storage + b"Q" + _int(offset) + _ints(size) + _ints(stride)
        body += b"\x89ccollections\nOrderedDict\n)RtR"
    return body + b"us."


def test_tensors_are_read_with_their_offset_size_and_stride(tmp_path: Path) -> None:
    values = np.arange(10, dtype=np.float32)
    body = state_dict_pickle(
        {
            "square": ("0", 10, 1, (2, 2), (1, 2)),  # a transposed view from element 1
            "tail": ("0", 10, 7, (3,), (1,)),
            "bias": ("1", 2, 0, (2,), (1,)),
        }
    )
    path = tmp_path / "ok.pt"
    path.write_bytes(legacy_checkpoint(body, {"0": values, "1": np.array([0.5, -2.0])}))
    state = read_checkpoint(path)
    assert state["square"].tolist() == [[1, 3], [2, 4]]
    assert state["tail"].tolist() == [7, 8, 9]
    assert state["bias"].tolist() == [0.5, -2.0]
    assert all(array.dtype == np.float32 for array in state.values())


def test_a_tensor_past_its_storage_is_refused(tmp_path: Path) -> None:
    body = state_dict_pickle({"big": ("0", 4, 2, (3,), (1,))})
    path = tmp_path / "past.pt"
    path.write_bytes(legacy_checkpoint(body, {"0": np.zeros(4)}))
    with pytest.raises(LikenessUnavailable, match="past the end"):
        read_checkpoint(path)


class _Hostile:
    """Unpickled by plain pickle, this would run ``os.mkdir(marker)``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.marker),)


def test_a_checkpoint_that_calls_anything_else_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    hostile = pickle.dumps({"model_state": _Hostile(marker)}, protocol=2)
    path = tmp_path / "hostile.pt"
    path.write_bytes(legacy_checkpoint(hostile, {}))
    with pytest.raises(LikenessUnavailable, match=r"refused global (posix|os)\.mkdir"):
        read_checkpoint(path)
    # ... also in the first pickle, before any checkpoint framing is checked.
    path.write_bytes(pickle.dumps(_Hostile(marker), protocol=2))
    with pytest.raises(LikenessUnavailable, match="refused global"):
        read_checkpoint(path)
    assert not marker.exists()
    # A storage type that is no float storage is refused too.
    body = state_dict_pickle({"w": ("0", 1, 0, (1,), (1,))}).replace(
        b"FloatStorage", b"ByteStorage"
    )
    path.write_bytes(legacy_checkpoint(body, {"0": np.zeros(1)}))
    with pytest.raises(LikenessUnavailable, match=r"refused global torch\.ByteStorage"):
        read_checkpoint(path)


def test_a_checkpoint_other_than_the_measured_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.pt"
    path.write_bytes(legacy_checkpoint(state_dict_pickle({}), {}))
    assert read_checkpoint(path) == {}
    with pytest.raises(LikenessUnavailable, match="not the voice model"):
        read_checkpoint(path, expected_sha256=voices.WEIGHTS_SHA256)
