"""Learned detectors: ONNX image and audio classifiers an operator configures, each with a
model card.

A detector is ``NAME.onnx`` beside ``NAME.json``, its card: what it was trained on, what it
is meant for, how to feed it and how its score is calibrated. Nothing is downloaded: the
operator puts the files in the folder. The card is checked when loaded, and a bad one is
refused with the reason and the file named.

Card fields: ``name``, ``version``, ``training_data``, ``intended_domain``,
``known_limits``; ``input``, for an image model {``size``: [height, width], ``mean`` and
``std`` per RGB channel, applied to values in 0-1, ``layout``: "NCHW" or "NHWC"}, for an
audio model {``kind``: "audio", ``sample_rate`` in Hz, ``window_seconds``: the model reads
mono samples in [-1, 1] shaped (1, sample_rate x window_seconds)}; ``output``
{``synthetic_index``: which output is the "made by AI" class, ``activation``: "softmax"
over the outputs or "sigmoid" of that one}; ``calibration`` {``method``: "temperature"
with ``temperature``, or "platt" with ``a`` and ``b``}; ``thresholds`` {``synthetic``,
``authentic``}: calibrated probabilities from which a finding points either way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from accord.errors import DetectorError

_LAYOUTS = ("NCHW", "NHWC")
_ACTIVATIONS = ("softmax", "sigmoid")
_MAX_SIDE = 4096
_MAX_CARD_BYTES = 64 * 1024
_SAMPLE_RATES = range(8_000, 96_001)
_MAX_WINDOW_SECONDS = 60.0
#: An audio model reads at most this much of a recording, window by window.
MAX_AUDIO_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class ImageInput:
    size: tuple[int, int]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    layout: str


@dataclass(frozen=True, slots=True)
class AudioInput:
    sample_rate: int
    window_seconds: float

    @property
    def window(self) -> int:
        return round(self.sample_rate * self.window_seconds)


@dataclass(frozen=True, slots=True)
class ModelCard:
    name: str
    version: str
    training_data: str
    intended_domain: str
    known_limits: str
    input: ImageInput | AudioInput
    synthetic_index: int
    activation: str
    calibration: Mapping[str, float | str]
    synthetic_threshold: float
    authentic_threshold: float


@dataclass(frozen=True, slots=True)
class Detector:
    card: ModelCard
    session: Any  # onnxruntime.InferenceSession (untyped)

    @property
    def reads_audio(self) -> bool:
        return isinstance(self.card.input, AudioInput)

    def probability(self, pixels: NDArray[np.uint8]) -> float:
        """The calibrated probability that the RGB picture was made by AI."""
        shape = self.card.input
        assert isinstance(shape, ImageInput)  # noqa: S101 - callers pick image detectors
        height, width = shape.size
        resized = cv2.resize(pixels, (width, height), interpolation=cv2.INTER_AREA)
        mean, std = np.array(shape.mean, np.float32), np.array(shape.std, np.float32)
        scaled = (resized.astype(np.float32) / 255 - mean) / std
        batch = scaled[None] if shape.layout == "NHWC" else scaled.transpose(2, 0, 1)[None]
        return self._run(batch.astype(np.float32))

    def audio_probabilities(self, samples: NDArray[np.float32]) -> list[float]:
        """The calibrated probability that each window of the recording (mono, at the
        card's sample rate) was made by AI; a last window less than half full is left out,
        unless it is the only one."""
        shape = self.card.input
        assert isinstance(shape, AudioInput)  # noqa: S101 - callers pick audio detectors
        window = shape.window
        starts = range(0, max(len(samples), 1), window)
        scores: list[float] = []
        for start in starts:
            piece = samples[start : start + window]
            if len(piece) < window // 2 and scores:
                break
            padded = np.zeros(window, np.float32)
            padded[: len(piece)] = piece
            scores.append(self._run(padded[None]))
        return scores

    def _run(self, batch: NDArray[np.float32]) -> float:
        name = self.session.get_inputs()[0].name
        outputs = np.asarray(self.session.run(None, {name: batch})[0])
        return _calibrated(outputs.reshape(-1).astype(np.float64), self.card)


def _calibrated(logits: NDArray[np.float64], card: ModelCard) -> float:
    method = card.calibration.get("method", "temperature")
    if method == "platt":
        a, b = float(card.calibration["a"]), float(card.calibration["b"])
        return float(1 / (1 + np.exp(-(a * logits[card.synthetic_index] + b))))
    temperature = float(card.calibration.get("temperature", 1.0))
    scaled = logits / temperature
    if card.activation == "sigmoid":
        return float(1 / (1 + np.exp(-scaled[card.synthetic_index])))
    exps = np.exp(scaled - scaled.max())
    return float(exps[card.synthetic_index] / exps.sum())


def load_detectors(folder: Path) -> Sequence[Detector]:
    """Every ``*.onnx`` with its card in ``folder``, by name."""
    if not folder.is_dir():
        raise DetectorError(f"the detector folder {folder} does not exist")
    models = sorted(folder.glob("*.onnx"))
    return [_load(model, model.stat().st_mtime_ns) for model in models]


@lru_cache(maxsize=32)
def _load(model: Path, _modified: int) -> Detector:
    import onnxruntime  # noqa: PLC0415  (heavy: only when detectors are configured)
    from onnxruntime.capi import onnxruntime_pybind11_state as failures  # noqa: PLC0415

    card = read_card(model.with_suffix(".json"))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
    except (failures.Fail, failures.InvalidProtobuf, failures.InvalidGraph) as error:
        raise DetectorError(f"{model.name} is not a model onnxruntime can run: {error}") from None
    return Detector(card, session)


def read_card(path: Path) -> ModelCard:
    """The model card at ``path``, checked; a ``DetectorError`` names what is wrong."""
    if not path.is_file():
        raise DetectorError(f"{path.name} is missing: every detector needs its model card")
    if path.stat().st_size > _MAX_CARD_BYTES:
        raise DetectorError(f"{path.name} is larger than a model card can be")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        card = _card(raw)
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise DetectorError(f"{path.name} is not a valid model card: {error}") from None
    return card


def _card(raw: dict[str, Any]) -> ModelCard:
    output, thresholds = raw["output"], raw["thresholds"]
    activation = str(output.get("activation", "softmax"))
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {_ACTIVATIONS}")
    synthetic, authentic = float(thresholds["synthetic"]), float(thresholds["authentic"])
    if not 0 <= authentic < synthetic <= 1:
        raise ValueError("thresholds need 0 <= authentic < synthetic <= 1")
    return ModelCard(
        name=str(raw["name"]),
        version=str(raw["version"]),
        training_data=str(raw["training_data"]),
        intended_domain=str(raw["intended_domain"]),
        known_limits=str(raw["known_limits"]),
        input=_input(raw["input"]),
        synthetic_index=int(output["synthetic_index"]),
        activation=activation,
        calibration=dict(raw.get("calibration") or {"method": "temperature", "temperature": 1}),
        synthetic_threshold=synthetic,
        authentic_threshold=authentic,
    )


def _input(inputs: dict[str, Any]) -> ImageInput | AudioInput:
    if inputs.get("kind", "image") == "audio":
        rate, seconds = int(inputs["sample_rate"]), float(inputs["window_seconds"])
        if rate not in _SAMPLE_RATES or not 0 < seconds <= _MAX_WINDOW_SECONDS:
            raise ValueError(f"sample rate {rate} Hz or window {seconds} s is out of range")
        return AudioInput(rate, seconds)
    height, width = (int(side) for side in inputs["size"])
    if not (0 < height <= _MAX_SIDE and 0 < width <= _MAX_SIDE):
        raise ValueError(f"input size {height}x{width} is out of range")
    layout = str(inputs.get("layout", "NCHW"))
    if layout not in _LAYOUTS:
        raise ValueError(f"layout must be one of {_LAYOUTS}")
    mean = tuple(float(v) for v in inputs["mean"])
    std = tuple(float(v) for v in inputs["std"])
    if len(mean) != 3 or len(std) != 3 or min(std) <= 0:  # noqa: PLR2004 (RGB)
        raise ValueError("mean and std need three values, std above zero")
    return ImageInput(
        (height, width), (mean[0], mean[1], mean[2]), (std[0], std[1], std[2]), layout
    )
