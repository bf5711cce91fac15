"""Every signal type passes the shared contract."""

from __future__ import annotations

from pathlib import Path

from accord.media.kinds import MediaKind
from accord.signals.audio import AudioFingerprint
from accord.signals.cryptographic import Md5, Sha256
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
