"""Voices in audio and their 256-number GE2E embeddings, for likeness of protected people.

The model is Resemblyzer's speaker encoder (resemble-ai, Apache-2.0): a 3-layer LSTM over
40-channel mel spectrograms, trained with the GE2E loss of Wan et al., "Generalized
End-to-End Loss for Speaker Verification" (2018). Its weights ship inside the
``Resemblyzer`` package on PyPI, which ``make install`` puts into the virtual environment
*without its dependencies* (PyTorch, librosa, webrtcvad): this module reads the checkpoint
with a restricted unpickler and runs the network in numpy. Nothing is downloaded at run
time.

What Resemblyzer does, done the same way here: decode to 16 kHz mono, raise quiet audio to
-30 dBFS, cut long silences, take a power mel spectrogram (25 ms windows, 10 ms hop), embed
1.6 s windows 1.3 times a second and average them. Two differences: FFmpeg resamples
(Resemblyzer uses librosa's soxr), and the silence cutter is an energy detector in numpy
rather than WebRTC's VAD. Fed the same trimmed audio, both give the same embedding as
Resemblyzer 0.1.4 on PyTorch (cosine 1.000000); from the same untrimmed audio, clean or
noisy, 0.99 or more.

One algorithm in one module (over 500 lines): the decoding, trimming, mel spectrogram
and LSTM must match Resemblyzer step by step, so they are read and checked together.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import io
import math
import pickle  # noqa: TID251 - a restricted unpickler for a PyTorch checkpoint, no objects
import struct
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view
from numpy.typing import NDArray

from accord.errors import LikenessUnavailable, SignalNotApplicable
from accord.media.audio import decode_audio
from accord.media.file import MediaFile, open_media
from accord.media.limits import MediaLimits

#: Cosine similarity at or above which two voices count as the same speaker: Resemblyzer's
#: own "confident" line (its diarization demo). Its fake-speech demo puts voice clones of
#: one man under 0.84 against his real speeches, so a likeness check must not sit higher.
#: Measured here on espeak-ng voices (no real recordings of candidates exist to measure
#: on): 5 s clips of one voice score 0.87-0.96 clean or as 32 kbit/s MP3, 0.85 and more at
#: 20 dB SNR; telephone-band audio or 10 dB SNR drops them to 0.61-0.77, and matches are
#: missed there. Different espeak voices score up to 0.96 (two pairs in three reach 0.75):
#: one engine's voices are alike, and tell nothing of how far apart real people score.
SAME_SPEAKER_SIMILARITY: Final = 0.75
#: Less speech than this (after cutting silences) is too little to judge a voice. Under
#: one 1.6 s window the similarity collapses (1 s of a voice against its own reference:
#: half score under 0.8); from 2 s on, the same espeak voice scores 0.81 and more.
MIN_SPEECH_SECONDS: Final = 2.0
#: Audio read from a file, from its start: a speaker's voice needs no more than this.
MAX_AUDIO_SECONDS: Final = 300.0
EMBEDDING_SIZE: Final = 256

SAMPLE_RATE: Final = 16_000
#: The mel spectrogram: 25 ms windows every 10 ms, 40 channels from 0 to 8 kHz.
N_FFT: Final = SAMPLE_RATE * 25 // 1000
HOP: Final = SAMPLE_RATE * 10 // 1000
N_MELS: Final = 40
#: One partial utterance: 160 frames, 1.6 s. Partials start 1.3 times a second, and the
#: last one counts only if audio covers at least 75 % of it (Resemblyzer's defaults).
PARTIAL_FRAMES: Final = 160
PARTIAL_RATE: Final = 1.3
MIN_COVERAGE: Final = 0.75
#: Volume normalisation: quieter audio is raised to this level, louder left as it is.
TARGET_DBFS: Final = -30.0
#: Quieter than this on average (before normalisation), a file holds no usable speech.
SILENCE_DBFS: Final = -65.0

#: Silence cutting, as Resemblyzer's hparams: 30 ms windows, a moving average over 8, and
#: up to 6 silent windows kept around speech.
VAD_WINDOW: Final = SAMPLE_RATE * 30 // 1000
VAD_AVERAGE_WIDTH: Final = 8
VAD_MAX_SILENCE: Final = 6
#: The energy detector: a window is speech when it is louder than all of these: an
#: absolute floor (in dBFS of the normalised audio), the clip's noise floor (its quietest
#: windows) plus a margin, and its loud level less a dynamic range.
VAD_FLOOR_DBFS: Final = -55.0
VAD_NOISE_PERCENTILE: Final = 10.0
VAD_NOISE_MARGIN_DB: Final = 8.0
VAD_LOUD_PERCENTILE: Final = 95.0
VAD_DYNAMIC_RANGE_DB: Final = 30.0

#: Partial windows run through the network together: about 50 MB of gate activations.
_BATCH: Final = 64
_HIDDEN: Final = 256
_LAYERS: Final = 3
_GATES: Final = 4 * _HIDDEN

#: SHA-256 of ``resemblyzer/pretrained.pt`` in Resemblyzer 0.1.4: the threshold above was
#: measured on these weights, and a different file would need measuring again.
WEIGHTS_SHA256: Final = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
_PACKAGE: Final = "resemblyzer"
_WEIGHTS_FILE: Final = "pretrained.pt"
_INSTALL_HINT: Final = "voice likeness needs Resemblyzer's weights: run make install"


# --- The public API -----------------------------------------------------------------


def voice_available() -> bool:
    """Whether Resemblyzer's weights file is installed."""
    try:
        _weights_path()
    except LikenessUnavailable:
        return False
    return True


def voice_embedding(
    source: Path | MediaFile,
    *,
    limits: MediaLimits | None = None,
    max_seconds: float = MAX_AUDIO_SECONDS,
) -> NDArray[np.float32]:
    """The voice in an audio or video file (its first ``max_seconds``), as a unit vector.
    ``limits`` apply when ``source`` is a path (a ``MediaFile`` carries its own).

    Raises ``SignalNotApplicable`` when the file holds less than ``MIN_SPEECH_SECONDS`` of
    speech, ``LikenessUnavailable`` when the model is not installed, and the media layer's
    errors for files it cannot read.
    """
    media = source if isinstance(source, MediaFile) else open_media(source, limits)
    clip = decode_audio(media, sample_rate=SAMPLE_RATE, max_seconds=max_seconds)
    return embed_samples(clip.samples)


def embed_samples(samples: NDArray[np.float32]) -> NDArray[np.float32]:
    """The voice in mono float samples at ``SAMPLE_RATE`` Hz, as a unit vector."""
    return embed_speech(preprocess(samples))


def voice_similarity(first: NDArray[np.float32], second: NDArray[np.float32]) -> float:
    """Cosine similarity of two voice embeddings: ``SAME_SPEAKER_SIMILARITY`` or more is
    the same speaker."""
    norms = float(np.linalg.norm(first) * np.linalg.norm(second))
    if norms == 0:
        return 0.0
    return float(np.dot(first.astype(np.float64), second.astype(np.float64)) / norms)


# --- Preprocessing: Resemblyzer's preprocess_wav ------------------------------------


def preprocess(samples: NDArray[np.float32]) -> NDArray[np.float32]:
    """Normalise the volume and cut long silences; refuse audio with too little speech."""
    wav = np.asarray(samples, dtype=np.float32).reshape(-1)
    if len(wav) == 0 or not np.isfinite(wav).all():
        raise SignalNotApplicable("the audio holds no speech to compare voices on")
    rms = float(np.sqrt(np.mean(np.square(wav, dtype=np.float64))))
    level = 20 * math.log10(rms) if rms > 0 else -math.inf
    if level < SILENCE_DBFS:
        raise SignalNotApplicable("the audio is silent: there is no voice to compare")
    change = TARGET_DBFS - level
    if change > 0:  # Resemblyzer raises quiet audio only
        wav = (wav * 10 ** (change / 20)).astype(np.float32)
    speech = trim_long_silences(wav)
    seconds = len(speech) / SAMPLE_RATE
    if seconds < MIN_SPEECH_SECONDS:
        raise SignalNotApplicable(
            f"the audio holds {math.floor(seconds * 10) / 10:.1f} s of speech; at least "
            f"{MIN_SPEECH_SECONDS:.0f} s are needed to compare voices"
        )
    return speech


def speech_windows(wav: NDArray[np.float32]) -> NDArray[np.bool_]:
    """Which 30 ms windows are speech, before smoothing.

    Resemblyzer asks WebRTC's VAD (aggressiveness 3); that is a C extension this project
    does without, so this is a plain energy detector with an adaptive threshold. Its only
    job is to find pauses long enough to cut: the smoothing and margins that follow come
    from Resemblyzer unchanged.
    """
    windows = wav[: len(wav) - len(wav) % VAD_WINDOW].reshape(-1, VAD_WINDOW)
    if len(windows) == 0:
        return np.zeros(0, dtype=np.bool_)
    energy = 10 * np.log10(np.mean(np.square(windows, dtype=np.float64), axis=1) + 1e-12)
    noise = float(np.percentile(energy, VAD_NOISE_PERCENTILE))
    loud = float(np.percentile(energy, VAD_LOUD_PERCENTILE))
    threshold = max(VAD_FLOOR_DBFS, min(noise + VAD_NOISE_MARGIN_DB, loud - VAD_DYNAMIC_RANGE_DB))
    flags: NDArray[np.bool_] = energy > threshold
    return flags


def trim_long_silences(wav: NDArray[np.float32]) -> NDArray[np.float32]:
    """Resemblyzer's ``trim_long_silences`` around ``speech_windows``: no pause longer
    than a few windows is kept."""
    wav = wav[: len(wav) - len(wav) % VAD_WINDOW]
    flags = speech_windows(wav).astype(np.float64)
    if len(flags) == 0:
        return wav
    # Resemblyzer's moving average: zero padded, (width - 1) // 2 windows before.
    width = VAD_AVERAGE_WIDTH
    padded = np.concatenate((np.zeros((width - 1) // 2), flags, np.zeros(width // 2)))
    sums = np.cumsum(padded)
    sums[width:] = sums[width:] - sums[:-width]
    mask = np.round(sums[width - 1 :] / width).astype(np.bool_)
    # Binary dilation by VAD_MAX_SILENCE + 1 windows, centred (scipy's default origin).
    size = VAD_MAX_SILENCE + 1
    before = size // 2
    grown = np.concatenate(
        (np.zeros(before, np.bool_), mask, np.zeros(size - 1 - before, np.bool_))
    )
    dilated = sliding_window_view(grown, size).any(axis=1)
    return wav[np.repeat(dilated, VAD_WINDOW)]


# --- The mel spectrogram: librosa.feature.melspectrogram, in numpy ------------------


def hz_to_mel(hz: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Slaney's mel scale (librosa's default): linear to 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / _MEL_STEP_HZ
    log = _LOG_START_MEL + np.log(np.maximum(hz, _LOG_START_HZ) / _LOG_START_HZ) / _LOG_STEP
    mels: NDArray[np.float64] = np.where(hz >= _LOG_START_HZ, log, linear)
    return mels


def mel_to_hz(mels: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """The inverse of ``hz_to_mel``."""
    mels = np.asarray(mels, dtype=np.float64)
    linear = mels * _MEL_STEP_HZ
    log = _LOG_START_HZ * np.exp(_LOG_STEP * (np.maximum(mels, _LOG_START_MEL) - _LOG_START_MEL))
    hz: NDArray[np.float64] = np.where(mels >= _LOG_START_MEL, log, linear)
    return hz


_MEL_STEP_HZ: Final = 200.0 / 3
_LOG_START_HZ: Final = 1000.0
_LOG_START_MEL: Final = _LOG_START_HZ / _MEL_STEP_HZ
_LOG_STEP: Final = math.log(6.4) / 27.0


@functools.cache
def mel_filterbank() -> NDArray[np.float32]:
    """librosa's ``filters.mel(sr=16000, n_fft=400, n_mels=40)``: triangles on Slaney's
    mel scale from 0 Hz to Nyquist, each scaled to unit area (``norm="slaney"``)."""
    bins = np.fft.rfftfreq(N_FFT, d=1.0 / SAMPLE_RATE)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, np.newaxis] - bins[np.newaxis, :]
    rising = -ramps[:-2] / widths[:-1, np.newaxis]
    falling = ramps[2:] / widths[1:, np.newaxis]
    weights = np.maximum(0, np.minimum(rising, falling)).astype(np.float32)
    weights *= (2.0 / (edges[2:] - edges[:-2])).astype(np.float32)[:, np.newaxis]
    weights.flags.writeable = False
    return weights


@functools.cache
def _hann() -> NDArray[np.float64]:
    # Periodic ("fftbins") Hann, as librosa's stft asks scipy for.
    window: NDArray[np.float64] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)
    window.flags.writeable = False
    return window


def mel_spectrogram(wav: NDArray[np.float32]) -> NDArray[np.float32]:
    """Power mel spectrogram, frames x ``N_MELS``: librosa's centred STFT with zero padding
    (its default since 0.10) and a Hann window, squared magnitudes, then the filterbank."""
    padded = np.pad(wav.astype(np.float64), N_FFT // 2)
    frames = sliding_window_view(padded, N_FFT)[::HOP]
    spectrum = np.fft.rfft(frames * _hann(), axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    mels: NDArray[np.float32] = power @ mel_filterbank().T
    return mels


# --- The encoder: Resemblyzer's VoiceEncoder.embed_utterance ------------------------


def partial_slices(n_samples: int) -> list[slice]:
    """Frame ranges of the partial utterances, as Resemblyzer's ``compute_partial_slices``
    with rate 1.3 and minimum coverage 0.75."""
    n_frames = math.ceil((n_samples + 1) / HOP)
    step = round((SAMPLE_RATE / PARTIAL_RATE) / HOP)
    starts = range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step)
    slices = [slice(start, start + PARTIAL_FRAMES) for start in starts]
    last = slices[-1]
    coverage = (n_samples - last.start * HOP) / (PARTIAL_FRAMES * HOP)
    if coverage < MIN_COVERAGE and len(slices) > 1:
        slices.pop()
    return slices


def embed_speech(wav: NDArray[np.float32]) -> NDArray[np.float32]:
    """The embedding of preprocessed 16 kHz speech: the normalised mean of its partials."""
    slices = partial_slices(len(wav))
    end = slices[-1].stop * HOP
    if end >= len(wav):
        wav = np.pad(wav, (0, end - len(wav)))
    mel = mel_spectrogram(wav)
    total = np.zeros(EMBEDDING_SIZE, dtype=np.float64)
    for first in range(0, len(slices), _BATCH):  # bounded memory for long recordings
        batch = np.stack([mel[s] for s in slices[first : first + _BATCH]])
        total += encode_partials(batch).sum(axis=0, dtype=np.float64)
    return _unit((total / len(slices)).astype(np.float32))


def encode_partials(mels: NDArray[np.float32]) -> NDArray[np.float32]:
    """The encoder network on a batch of mel windows (batch x frames x ``N_MELS``): the
    LSTM's last hidden state, linear, ReLU, L2 normalised; one unit vector per window."""
    model = _model()
    x = np.ascontiguousarray(np.swapaxes(mels.astype(np.float32), 0, 1))  # time-major
    steps, batch = x.shape[:2]
    hidden = np.zeros((batch, _HIDDEN), dtype=np.float32)
    for layer in model.layers:
        inputs = x @ layer.input_weights + layer.bias  # every step's input term at once
        outputs = np.empty((steps, batch, _HIDDEN), dtype=np.float32)
        hidden = np.zeros((batch, _HIDDEN), dtype=np.float32)
        cell = np.zeros((batch, _HIDDEN), dtype=np.float32)
        for t in range(steps):
            gates = inputs[t] + hidden @ layer.hidden_weights
            # Gates reordered at load to (input, forget, output | cell): one sigmoid call.
            sig = gates[:, : 3 * _HIDDEN]
            np.multiply(sig, 0.5, out=sig)
            np.tanh(sig, out=sig)
            np.multiply(sig, 0.5, out=sig)
            np.add(sig, 0.5, out=sig)  # sigmoid(x) = (1 + tanh(x / 2)) / 2, never overflows
            candidate = np.tanh(gates[:, 3 * _HIDDEN :])
            cell *= sig[:, _HIDDEN : 2 * _HIDDEN]
            cell += sig[:, :_HIDDEN] * candidate
            hidden = sig[:, 2 * _HIDDEN :] * np.tanh(cell)
            outputs[t] = hidden
        x = outputs
    raw = np.maximum(hidden @ model.linear_weights + model.linear_bias, 0)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    embeds: NDArray[np.float32] = (raw / np.maximum(norms, np.finfo(np.float32).tiny)).astype(
        np.float32
    )
    return embeds


def _unit(vector: NDArray[np.float32]) -> NDArray[np.float32]:
    norm = float(np.linalg.norm(vector))
    if norm == 0:
        raise SignalNotApplicable("the audio gives no voice embedding")
    unit: NDArray[np.float32] = (vector / norm).astype(np.float32)
    return unit


@dataclass(frozen=True, slots=True)
class _Layer:
    input_weights: NDArray[np.float32]  # inputs x gates, gates as (i, f, o, g)
    hidden_weights: NDArray[np.float32]  # hidden x gates
    bias: NDArray[np.float32]  # both of PyTorch's bias vectors, summed


@dataclass(frozen=True, slots=True)
class _Model:
    layers: tuple[_Layer, ...]
    linear_weights: NDArray[np.float32]  # in x out
    linear_bias: NDArray[np.float32]


@functools.cache
def _model() -> _Model:
    state = read_checkpoint(_weights_path(), expected_sha256=WEIGHTS_SHA256)
    _check_shapes(state)
    # PyTorch's gate order is (i, f, g, o); (i, f, o, g) puts the three sigmoids together.
    order = np.r_[0 : 2 * _HIDDEN, 3 * _HIDDEN : 4 * _HIDDEN, 2 * _HIDDEN : 3 * _HIDDEN]
    layers = []
    for n in range(_LAYERS):
        bias = state[f"lstm.bias_ih_l{n}"] + state[f"lstm.bias_hh_l{n}"]
        layers.append(
            _Layer(
                input_weights=np.ascontiguousarray(state[f"lstm.weight_ih_l{n}"][order].T),
                hidden_weights=np.ascontiguousarray(state[f"lstm.weight_hh_l{n}"][order].T),
                bias=np.ascontiguousarray(bias[order]),
            )
        )
    return _Model(
        layers=tuple(layers),
        linear_weights=np.ascontiguousarray(state["linear.weight"].T),
        linear_bias=state["linear.bias"],
    )


def _check_shapes(state: dict[str, NDArray[np.float32]]) -> None:
    expected = {"linear.weight": (EMBEDDING_SIZE, _HIDDEN), "linear.bias": (EMBEDDING_SIZE,)}
    for n in range(_LAYERS):
        expected[f"lstm.weight_ih_l{n}"] = (_GATES, N_MELS if n == 0 else _HIDDEN)
        expected[f"lstm.weight_hh_l{n}"] = (_GATES, _HIDDEN)
        expected[f"lstm.bias_ih_l{n}"] = (_GATES,)
        expected[f"lstm.bias_hh_l{n}"] = (_GATES,)
    for name, shape in expected.items():
        found = state.get(name)
        if found is None or found.shape != shape:
            raise LikenessUnavailable(
                f"the voice model lacks {name} {shape}: not Resemblyzer's speaker encoder"
            )


def _weights_path() -> Path:
    # Found without importing the package: its __init__ imports PyTorch, which is absent.
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LikenessUnavailable(_INSTALL_HINT)
    path = Path(next(iter(spec.submodule_search_locations))) / _WEIGHTS_FILE
    if not path.is_file():
        raise LikenessUnavailable(f"{_INSTALL_HINT} ({path} is missing)")
    return path


# --- Reading a PyTorch checkpoint without PyTorch -----------------------------------

#: The legacy (pre-1.6, non-zip) ``torch.save`` format: three small pickles (this magic
#: number, a protocol version, system facts), the object's pickle with storages as
#: persistent ids, a pickle listing the storage keys, then each storage in that order as
#: an int64 element count and its raw bytes.
_LEGACY_MAGIC: Final = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL: Final = 1001
_COUNT: Final = struct.Struct("<q")
#: ``_rebuild_tensor_v2`` takes four to seven arguments across PyTorch versions.
_REBUILD_ARGS: Final = (4, 7)


@dataclass(frozen=True, slots=True)
class _StorageType:
    """What ``torch.FloatStorage`` and its kin unpickle to: a dtype, nothing callable."""

    dtype: str


#: The only storage type a float32 state dict needs.
_STORAGE_TYPES: Final = {"FloatStorage": _StorageType("<f4")}


@dataclass(frozen=True, slots=True)
class _Storage:
    key: str
    type: _StorageType
    count: int


@dataclass(frozen=True, slots=True)
class _Tensor:
    """A tensor as the pickle describes it: a view into a storage, read later."""

    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor_v2(*args: Any) -> _Tensor:
    """Stands in for ``torch._utils._rebuild_tensor_v2(storage, storage_offset, size,
    stride, requires_grad, backward_hooks[, metadata])``: checks and records the view;
    the rest is training state."""
    if not _REBUILD_ARGS[0] <= len(args) <= _REBUILD_ARGS[1]:
        raise pickle.UnpicklingError("a tensor with the wrong number of arguments")
    storage, storage_offset, size, stride = args[:4]
    if not (
        isinstance(storage, _Storage)
        and _is_count(storage_offset)
        and isinstance(size, tuple)
        and isinstance(stride, tuple)
        and len(size) == len(stride)
        and all(map(_is_count, size + stride))
    ):
        raise pickle.UnpicklingError("a tensor with a malformed storage, offset, size or stride")
    return _Tensor(storage, storage_offset, size, stride)


def _is_count(value: object) -> bool:
    return type(value) is int and value >= 0


class _CheckpointUnpickler(pickle.Unpickler):
    """Unpickles a state dict and nothing else: three names are admitted, each mapped to
    a local stand-in, and every other global is refused before it is looked up."""

    _GLOBALS: Final[dict[tuple[str, str], object]] = {
        ("collections", "OrderedDict"): OrderedDict,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
        **{("torch", name): kind for name, kind in _STORAGE_TYPES.items()},
    }

    def __init__(self, data: io.BytesIO) -> None:
        super().__init__(data)
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        found = self._GLOBALS.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(
                f"refused global {module}.{name}: not part of a state dict"
            )
        return found

    def persistent_load(self, pid: Any) -> _Storage:
        match pid:
            case ("storage", _StorageType() as kind, str(key), str(), int(count), None) if (
                count >= 0
            ):
                storage = self.storages.setdefault(key, _Storage(key, kind, count))
                if storage != _Storage(key, kind, count):
                    raise pickle.UnpicklingError(f"storage {key} is declared twice, differently")
                return storage
        raise pickle.UnpicklingError("a persistent id that is not a plain tensor storage")


def read_checkpoint(
    path: Path, *, expected_sha256: str | None = None
) -> dict[str, NDArray[np.float32]]:
    """The float32 tensors of a legacy-format PyTorch checkpoint's ``model_state`` (or of
    a bare state dict), read with numpy. Raises ``LikenessUnavailable`` for a file that is
    not one, or that pickles anything but tensors and containers."""
    data = path.read_bytes()
    if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise LikenessUnavailable(
            f"{path} is not the voice model this version of accord was measured with"
        )
    try:
        return _read_legacy(data)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, struct.error) as error:
        raise LikenessUnavailable(f"the voice model {path} cannot be read: {error}") from None


def _read_legacy(data: bytes) -> dict[str, NDArray[np.float32]]:
    if data[:4] == b"PK\x03\x04":
        raise ValueError("a zip-format checkpoint; only the legacy format is read")
    stream = io.BytesIO(data)
    unpickler = _CheckpointUnpickler(stream)
    load = unpickler.load
    if load() != _LEGACY_MAGIC or load() != _LEGACY_PROTOCOL:
        raise ValueError("not a legacy PyTorch checkpoint")
    facts = load()
    if not isinstance(facts, dict) or facts.get("little_endian") is not True:
        raise ValueError("not a little-endian checkpoint")
    checkpoint = load()
    keys = load()
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise ValueError("the storage list is malformed")
    arrays = _read_storages(data, stream.tell(), keys, unpickler.storages)
    state = checkpoint.get("model_state", checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise ValueError("the checkpoint holds no state dict")
    return {
        str(name): _materialise(tensor, arrays)
        for name, tensor in state.items()
        if isinstance(tensor, _Tensor)
    }


def _read_storages(
    data: bytes, position: int, keys: list[str], storages: dict[str, _Storage]
) -> dict[str, NDArray[Any]]:
    arrays: dict[str, NDArray[Any]] = {}
    for key in keys:
        storage = storages.get(key)
        if storage is None or key in arrays:
            raise ValueError(f"storage {key} is listed but not used, or listed twice")
        (count,) = _COUNT.unpack_from(data, position)
        position += _COUNT.size
        dtype = np.dtype(storage.type.dtype)
        end = position + count * dtype.itemsize
        if count != storage.count or end > len(data):
            raise ValueError(f"storage {key} is truncated or its size is wrong")
        arrays[key] = np.frombuffer(data, dtype=dtype, count=count, offset=position)
        position = end
    return arrays


def _materialise(tensor: _Tensor, arrays: dict[str, NDArray[Any]]) -> NDArray[np.float32]:
    storage = arrays.get(tensor.storage.key)
    if storage is None:
        raise ValueError(f"storage {tensor.storage.key} has no data")
    last = tensor.offset + sum((n - 1) * s for n, s in zip(tensor.size, tensor.stride, strict=True))
    if 0 in tensor.size:
        return np.zeros(tensor.size, dtype=np.float32)
    if last >= len(storage):
        raise ValueError(f"a tensor reaches past the end of storage {tensor.storage.key}")
    view = as_strided(
        storage[tensor.offset :],
        shape=tensor.size,
        strides=tuple(s * storage.itemsize for s in tensor.stride),
        writeable=False,
    )
    return np.array(view, dtype=np.float32)  # a native-order copy, free of the file
