"""Every signal type passes the shared contract."""

from __future__ import annotations

from pathlib import Path

from accord.media.kinds import MediaKind
from accord.signals.audio import AudioFingerprint
from accord.signals.cryptographic import Md5, Sha256
from accord.signals.keypoints import OrbKeypoints
from accord.signals.pdq import Pdq, PdqDihedral
from accord.signals.registry import signal_type_classes
from accord.signals.vpdq import VideoPdq
from accord.testing.signal_contract import SignalTypeContract

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
IMAGE = CORPUS / "pdq" / "bridge-mods" / "aaa-orig.jpg"
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


class TestVideoPdq(SignalTypeContract):
    signal_type = VideoPdq
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
