"""A file is decoded once per request: the assessment, its bank lookup and the caller
hashing it for a bank afterwards share the picture (and every signal) of one opened file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accord.assessment.evidence import AssessedFile, BankHit
from accord.assessment.pipeline import assess_file
from accord.assessment.producers import default_producers
from accord.media import image
from accord.media.file import MediaFile
from accord.signals.hashing import OpenedFile, hash_file
from accord.signals.registry import (
    banked_signal_names,
    looked_up_signal_names,
    parse_signal_names,
)

PHOTO = Path("pdq") / "bridge-mods" / "aaa-orig.jpg"


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The path of each picture decoded from here on."""
    decoded: list[Path] = []
    real = image.decode_image

    def counting(media: MediaFile, **options: Any) -> image.DecodedImage:
        decoded.append(media.path)
        return real(media, **options)

    monkeypatch.setattr(image, "decode_image", counting)
    return decoded


def test_assessing_looking_up_and_banking_a_picture_decode_it_once(
    corpus: Path, decodes: list[Path]
) -> None:
    looked_up: list[str] = []

    def lookup(subject: AssessedFile) -> list[BankHit]:
        """As the server's does: the first stage's signals, then the keypoints."""
        first = subject.opened.hash(parse_signal_names(looked_up_signal_names()))
        second = subject.opened.hash(parse_signal_names(["orb"]))
        looked_up.extend(signal.type for signal in first.signals + second.signals)
        return []

    opened = OpenedFile(corpus / PHOTO)
    assessment = assess_file(opened, banks=lookup, producers=default_producers())
    banked = opened.hash(parse_signal_names(banked_signal_names()))

    assert decodes == [corpus / PHOTO]
    assert {"pdq_dihedral", "orb"} <= set(looked_up)
    sha256, pdq = banked.signal("sha256"), banked.signal("pdq")
    assert sha256 is not None
    assert sha256.value == assessment.input.sha256
    # The signals are the ones a fresh hash computes: sharing changes no value.
    assert pdq == hash_file(corpus / PHOTO).signal("pdq")


def test_a_signal_asked_for_twice_is_computed_once(corpus: Path, decodes: list[Path]) -> None:
    opened = OpenedFile(corpus / PHOTO)
    first = opened.hash(parse_signal_names(["pdq"]))
    again = opened.hash(parse_signal_names(["pdq", "sha256"]))
    assert first.signals[0] is again.signals[0]
    assert decodes == [corpus / PHOTO]


def test_an_assessment_refuses_a_reduced_picture(corpus: Path) -> None:
    with pytest.raises(ValueError, match="full picture"):
        AssessedFile(OpenedFile(corpus / PHOTO, reduced=True))
