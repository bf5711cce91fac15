"""Learned detectors: ONNX image and audio models the tests build, their cards, their
calibration, their limits."""

from __future__ import annotations

import json
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from PIL import Image

from accord.assessment.bands import Band
from accord.assessment.detectors import load_detectors
from accord.assessment.evidence import AssessedFile, Direction, Producer, Strength
from accord.assessment.pipeline import assess_file
from accord.assessment.producers.learned import (
    LearnedAudioDetectorsProducer,
    LearnedDetectorsProducer,
)
from accord.errors import DetectorError
from accord.media.file import open_media
from tests.unit.assessment.contract import ProducerContract

CARD: dict[str, Any] = {
    "name": "redness",
    "version": "1",
    "training_data": "none: a test model that calls red pictures AI-made",
    "intended_domain": "the tests",
    "known_limits": "It only looks at colour.",
    "input": {"size": [32, 32], "mean": [0, 0, 0], "std": [1, 1, 1], "layout": "NCHW"},
    "output": {"synthetic_index": 1, "activation": "softmax"},
    "calibration": {"method": "temperature", "temperature": 1.0},
    "thresholds": {"synthetic": 0.9, "authentic": 0.1},
}


def build_model(path: Path) -> None:
    """Mean of each channel, then two logits: 0 for "authentic", 20 x (red - blue) for AI."""
    pooled = helper.make_node("GlobalAveragePool", ["image"], ["pooled"])
    flat = helper.make_node("Flatten", ["pooled"], ["flat"])
    weights = helper.make_tensor(
        "weights", TensorProto.FLOAT, [3, 2], [0.0, 20.0, 0.0, 0.0, 0.0, -20.0]
    )
    bias = helper.make_tensor("bias", TensorProto.FLOAT, [2], [0.0, 0.0])
    logits = helper.make_node("Gemm", ["flat", "weights", "bias"], ["logits"])
    graph = helper.make_graph(
        [pooled, flat, logits],
        "redness",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2])],
        [weights, bias],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


@pytest.fixture
def detectors(tmp_path: Path) -> Path:
    folder = tmp_path / "detectors"
    folder.mkdir()
    build_model(folder / "redness.onnx")
    (folder / "redness.json").write_text(json.dumps(CARD))
    return folder


def picture(tmp_path: Path, colour: tuple[int, int, int], name: str) -> Path:
    path = tmp_path / name
    Image.new("RGB", (64, 48), colour).save(path)
    return path


class TestLearnedContract(ProducerContract):
    @pytest.fixture
    def producer(self, detectors: Path) -> Producer:
        return LearnedDetectorsProducer(detectors)

    @pytest.fixture
    def subjects(self, tmp_path: Path) -> Sequence[AssessedFile]:
        return [AssessedFile(open_media(picture(tmp_path, (230, 20, 20), "red.png")))]


def test_scores_become_findings_that_never_decide(detectors: Path, tmp_path: Path) -> None:
    producer = LearnedDetectorsProducer(detectors)
    seen = {}
    for name, colour in (("red", (230, 20, 20)), ("blue", (20, 20, 230)), ("grey", (120,) * 3)):
        subject = AssessedFile(open_media(picture(tmp_path, colour, f"{name}.png")))
        [finding] = producer.produce(subject)
        seen[name] = (finding.direction, finding.strength, finding.details["probability"])
    assert seen["red"][:2] == (Direction.SYNTHETIC, Strength.MODERATE)
    assert seen["blue"][:2] == (Direction.AUTHENTIC, Strength.WEAK)
    assert seen["grey"][:2] == (Direction.NEUTRAL, Strength.WEAK)
    assert float(seen["red"][2]) > 0.99
    assert float(seen["blue"][2]) < 0.01
    assessed = assess_file(picture(tmp_path, (230, 20, 20), "red.jpg"), detector_dir=detectors)
    assert "learned_detectors.redness" in [f.code for f in assessed.findings]
    assert assessed.band is Band.NO_EVIDENCE  # moderate evidence never decides alone
    assert assessed.tools["producers"]["learned_detectors"] == "1"


def test_temperature_calibration_softens_the_score(detectors: Path, tmp_path: Path) -> None:
    (detectors / "redness.json").write_text(
        json.dumps({**CARD, "calibration": {"method": "temperature", "temperature": 50.0}})
    )
    subject = AssessedFile(open_media(picture(tmp_path, (140, 100, 100), "pink.png")))
    [finding] = LearnedDetectorsProducer(detectors).produce(subject)
    assert 0.5 < float(finding.details["probability"]) < 0.9
    assert finding.direction is Direction.NEUTRAL


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"thresholds": {"synthetic": 0.2, "authentic": 0.5}}, "thresholds"),
        ({"input": {**CARD["input"], "size": [0, 32]}}, "out of range"),
        ({"output": {"synthetic_index": 1, "activation": "relu"}}, "activation"),
        ({"training_data": None}, "training_data"),
    ],
)
def test_a_bad_card_is_refused_with_its_reason(
    detectors: Path, change: dict[str, Any], complaint: str
) -> None:
    card = {key: value for key, value in {**CARD, **change}.items() if value is not None}
    (detectors / "redness.json").write_text(json.dumps(card))
    (detectors / "redness.onnx").touch()  # a new modification time: read again
    with pytest.raises(DetectorError, match=complaint):
        load_detectors(detectors)


def test_missing_cards_and_broken_models_are_named(detectors: Path) -> None:
    (detectors / "redness.json").unlink()
    with pytest.raises(DetectorError, match=r"redness\.json is missing"):
        load_detectors(detectors)
    (detectors / "redness.json").write_text(json.dumps(CARD))
    (detectors / "redness.onnx").write_bytes(b"not a model at all")
    with pytest.raises(DetectorError, match=r"redness\.onnx is not a model"):
        load_detectors(detectors)
    with pytest.raises(DetectorError, match="does not exist"):
        load_detectors(detectors / "nowhere")


# --- Audio classifiers ----------------------------------------------------------------

AUDIO_CARD: dict[str, Any] = {
    **CARD,
    "name": "loudness",
    "training_data": "none: a test model that calls loud recordings AI-made",
    "known_limits": "It only hears loudness.",
    "input": {"kind": "audio", "sample_rate": 16000, "window_seconds": 1.0},
}


def build_audio_model(path: Path) -> None:
    """Mean absolute amplitude per window, then logits 0 (authentic) and 40 x mean - 4."""
    magnitude = helper.make_node("Abs", ["samples"], ["magnitude"])
    mean = helper.make_node("ReduceMean", ["magnitude"], ["mean"], axes=[1], keepdims=1)
    weights = helper.make_tensor("weights", TensorProto.FLOAT, [1, 2], [0.0, 40.0])
    bias = helper.make_tensor("bias", TensorProto.FLOAT, [2], [0.0, -4.0])
    logits = helper.make_node("Gemm", ["mean", "weights", "bias"], ["logits"])
    graph = helper.make_graph(
        [magnitude, mean, logits],
        "loudness",
        [helper.make_tensor_value_info("samples", TensorProto.FLOAT, [1, 16000])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2])],
        [weights, bias],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def tone(path: Path, amplitude: float, seconds: float = 2.5) -> Path:
    rate = 16000
    t = np.arange(int(rate * seconds)) / rate
    samples = (amplitude * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


@pytest.fixture
def audio_detectors(tmp_path: Path) -> Path:
    folder = tmp_path / "audio-detectors"
    folder.mkdir()
    build_audio_model(folder / "loudness.onnx")
    (folder / "loudness.json").write_text(json.dumps(AUDIO_CARD))
    return folder


class TestLearnedAudioContract(ProducerContract):
    @pytest.fixture
    def producer(self, audio_detectors: Path) -> Producer:
        return LearnedAudioDetectorsProducer(audio_detectors)

    @pytest.fixture
    def subjects(self, tmp_path: Path) -> Sequence[AssessedFile]:
        return [AssessedFile(open_media(tone(tmp_path / "loud.wav", 0.6)))]


def test_audio_classifiers_score_each_window_of_a_recording(
    audio_detectors: Path, tmp_path: Path
) -> None:
    producer = LearnedAudioDetectorsProducer(audio_detectors)
    [loud] = producer.produce(AssessedFile(open_media(tone(tmp_path / "loud.wav", 0.6))))
    [quiet] = producer.produce(AssessedFile(open_media(tone(tmp_path / "quiet.wav", 0.01))))
    assert (loud.direction, loud.strength) == (Direction.SYNTHETIC, Strength.MODERATE)
    assert quiet.direction is Direction.AUTHENTIC
    assert loud.details["windows"] == 3  # 2.5 s in 1 s windows: the half-full last one counts
    assert loud.code == "learned_audio_detectors.loudness"
    assessed = assess_file(tmp_path / "loud.wav", detector_dir=audio_detectors)
    assert "learned_audio_detectors.loudness" in [f.code for f in assessed.findings]
    assert assessed.band is Band.NO_EVIDENCE  # moderate evidence never decides alone


def test_image_and_audio_detectors_share_a_folder(
    detectors: Path, audio_detectors: Path, tmp_path: Path
) -> None:
    for name in ("loudness.onnx", "loudness.json"):
        (audio_detectors / name).rename(detectors / name)
    picture_findings = LearnedDetectorsProducer(detectors).produce(
        AssessedFile(open_media(picture(tmp_path, (230, 20, 20), "red.png")))
    )
    sound_findings = LearnedAudioDetectorsProducer(detectors).produce(
        AssessedFile(open_media(tone(tmp_path / "loud.wav", 0.6)))
    )
    assert [f.details["model"] for f in picture_findings] == ["redness"]
    assert [f.details["model"] for f in sound_findings] == ["loudness"]


def test_a_bad_audio_card_is_refused(audio_detectors: Path) -> None:
    bad = {**AUDIO_CARD, "input": {"kind": "audio", "sample_rate": 100, "window_seconds": 1}}
    (audio_detectors / "loudness.json").write_text(json.dumps(bad))
    (audio_detectors / "loudness.onnx").touch()
    with pytest.raises(DetectorError, match="out of range"):
        load_detectors(audio_detectors)
