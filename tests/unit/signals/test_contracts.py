"""Every signal type passes the shared contract, and declares what the server reads from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.index.registry import index_classes, second_stage_type
from accord.media.kinds import MediaKind
from accord.signals.audio import AudioFingerprint
from accord.signals.base import Compared, SignalType
from accord.signals.cryptographic import Md5, Sha256
from accord.signals.keypoints import OrbKeypoints
from accord.signals.pdq import Pdq, PdqDihedral, PdqUpscaled
from accord.signals.registry import (
    banked_signal_names,
    hma_signal_names,
    looked_up_signal_names,
    signal_type_classes,
    soft_binding_algorithms,
    stored_type_for,
)
from accord.signals.vpdq import VideoPdq, VideoPdqMirrored
from accord.testing.signal_contract import SignalTypeContract
from tests.conftest import CORPUS

IMAGE = CORPUS / "pdq" / "bridge-mods" / "aaa-orig.jpg"
#: 34 x 42 pixels: small enough for ``pdq_upscaled``.
SMALL_IMAGE = CORPUS / "pdq" / "misc-images" / "wee.jpg"
VIDEO = CORPUS / "c2pa" / "video1.mp4"
AUDIO = CORPUS / "c2pa" / "sample1.mp3"
EVERY_KIND = {MediaKind.IMAGE: IMAGE, MediaKind.VIDEO: VIDEO, MediaKind.AUDIO: AUDIO}


def test_every_registered_type_is_tested_here() -> None:
    contracts = [
        value
        for value in globals().values()
        if isinstance(value, type)
        and issubclass(value, SignalTypeContract)
        and value is not SignalTypeContract
    ]
    tested = {contract.signal_type for contract in contracts}
    assert set(signal_type_classes().values()) == tested


class TestSha256(SignalTypeContract):
    signal_type = Sha256
    sample_media = EVERY_KIND


class TestMd5(SignalTypeContract):
    signal_type = Md5
    sample_media = EVERY_KIND


class TestPdq(SignalTypeContract):
    signal_type = Pdq
    sample_media = {MediaKind.IMAGE: IMAGE}


class TestPdqDihedral(SignalTypeContract):
    signal_type = PdqDihedral
    sample_media = {MediaKind.IMAGE: IMAGE}


class TestPdqUpscaled(SignalTypeContract):
    signal_type = PdqUpscaled
    sample_media = {MediaKind.IMAGE: SMALL_IMAGE}


class TestVideoPdq(SignalTypeContract):
    signal_type = VideoPdq
    sample_media = {MediaKind.VIDEO: VIDEO}


class TestVideoPdqMirrored(SignalTypeContract):
    signal_type = VideoPdqMirrored
    sample_media = {MediaKind.VIDEO: VIDEO}


class TestAudioFingerprint(SignalTypeContract):
    signal_type = AudioFingerprint
    sample_media = {MediaKind.AUDIO: AUDIO, MediaKind.VIDEO: VIDEO}


class TestOrbKeypoints(SignalTypeContract):
    signal_type = OrbKeypoints
    sample_media = {MediaKind.IMAGE: IMAGE}


def test_a_silent_video_gets_no_audio_signal_and_an_audio_only_mp4_no_vpdq(
    tmp_path: Path,
) -> None:
    import av
    import numpy as np

    from accord.signals.hashing import hash_file

    silent, sound_only = tmp_path / "silent.mp4", tmp_path / "sound.mp4"
    with av.open(str(silent), "w") as container:
        video = container.add_stream("libx264", rate=10)
        assert isinstance(video, av.VideoStream)
        video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        for index in range(10):
            pixels = np.full((64, 64, 3), index * 20, dtype=np.uint8)
            container.mux(video.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(video.encode(None))
    with av.open(str(sound_only), "w") as container:
        audio = container.add_stream("aac", rate=22050)
        assert isinstance(audio, av.AudioStream)
        tone = np.sin(np.arange(22050 * 2) / 7).astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(tone, format="flt", layout="mono")
        frame.sample_rate = 22050
        container.mux(audio.encode(frame))
        container.mux(audio.encode(None))
    assert {signal.type for signal in hash_file(silent).signals} == {"sha256", "md5", "vpdq"}
    assert {signal.type for signal in hash_file(sound_only).signals} == {"sha256", "md5", "audio"}


# -- What the server reads from each type: declared on the plugin, once --------------------

EVERY_TYPE = list(signal_type_classes().values())


def _ids(signal_type: type[SignalType]) -> str:
    return signal_type.name


@pytest.mark.parametrize("signal_type", EVERY_TYPE, ids=_ids)
def test_declares_what_it_compares_and_how_a_reader_is_told(
    signal_type: type[SignalType],
) -> None:
    assert isinstance(signal_type.compares, Compared)
    assert signal_type.matched_by.strip()
    assert signal_type.matched_by == signal_type.matched_by.strip()
    assert signal_type.hma_kinds <= signal_type.media_kinds
    if signal_type.hma_kinds:
        assert signal_type.hma_name


@pytest.mark.parametrize("signal_type", EVERY_TYPE, ids=_ids)
def test_its_lookups_go_to_a_banked_type_with_an_index(signal_type: type[SignalType]) -> None:
    classes, indexes = signal_type_classes(), index_classes()
    stored = signal_type.stored_as()
    assert classes[stored].banked
    assert stored in indexes
    # A banked type answers its own lookups; only a query form points elsewhere.
    assert (signal_type.index_type is None) == signal_type.banked
    if signal_type.looked_up_if_banked:
        assert signal_type.looked_up


@pytest.mark.parametrize("signal_type", EVERY_TYPE, ids=_ids)
def test_a_second_stage_backs_up_a_banked_type_of_its_media(
    signal_type: type[SignalType],
) -> None:
    if signal_type.backs_up is None:
        return
    backed = signal_type_classes()[signal_type.backs_up]
    assert backed.banked
    assert signal_type.banked
    assert not signal_type.looked_up
    assert not signal_type.default
    assert signal_type.media_kinds <= backed.media_kinds


def test_every_index_stores_a_banked_type_and_one_type_is_the_second_stage() -> None:
    banked = {name for name, cls in signal_type_classes().items() if cls.banked}
    assert set(index_classes()) == banked
    assert [cls.name for cls in EVERY_TYPE if cls.backs_up] == [second_stage_type()]


@pytest.mark.parametrize("signal_type", EVERY_TYPE, ids=_ids)
def test_timed_types_say_where_two_values_differ(signal_type: type[SignalType]) -> None:
    first, *_ = signal_type.examples()
    if not signal_type.timed:
        with pytest.raises(NotImplementedError):
            signal_type.differing_spans(first, first, {})
        return
    for example in signal_type.examples():
        assert signal_type.differing_spans(example, example, {}) == []


@pytest.mark.parametrize("signal_type", EVERY_TYPE, ids=_ids)
def test_a_value_scores_as_alike_as_it_is_to_itself(signal_type: type[SignalType]) -> None:
    """Soft-binding answers score 0-100; a value against itself is the top score."""
    for example in signal_type.examples():
        assert signal_type.similarity(signal_type.distance(example, example)) == 100
    assert 0 <= signal_type.similarity(signal_type.threshold) <= 100


def test_signed_files_carry_the_fingerprints_under_their_own_names() -> None:
    assert soft_binding_algorithms() == {
        "pdq": "org.accord.pdq.1",
        "vpdq": "org.accord.vpdq.1",
        "audio": "org.accord.audio.1",
    }


def test_the_server_reads_the_same_sets_the_string_lists_named() -> None:
    """What the server's switches said before the plugins declared it."""
    assert banked_signal_names() == ("sha256", "md5", "pdq", "vpdq", "audio", "orb")
    assert looked_up_signal_names() == (
        "sha256", "md5", "pdq_dihedral", "pdq_upscaled", "vpdq", "vpdq_mirrored", "audio",
    )  # fmt: skip
    assert hma_signal_names(MediaKind.IMAGE) == ("pdq",)
    assert hma_signal_names(MediaKind.VIDEO) == ("md5", "vpdq")
    assert hma_signal_names(MediaKind.AUDIO) == ()
    assert {cls.name for cls in EVERY_TYPE if cls.timed} == {"vpdq", "vpdq_mirrored", "audio"}
    assert {cls.name for cls in EVERY_TYPE if cls.compares is Compared.BYTES} == {"sha256", "md5"}
    assert stored_type_for("pdq_dihedral") == "pdq"
    assert stored_type_for("pdq_upscaled") == "pdq"
    assert stored_type_for("vpdq_mirrored") == "vpdq"
    assert {cls.name for cls in EVERY_TYPE if not cls.answered} == {
        "pdq_upscaled", "vpdq_mirrored", "orb",
    }  # fmt: skip
    assert {cls.name: cls.orientation for cls in EVERY_TYPE if cls.orientation} == {
        "vpdq_mirrored": "flip_y"
    }
    assert stored_type_for("no_such") == "no_such"
