"""Likeness of protected people: who a face resembles, in pictures and video keyframes,
and the robocall case (a protected person, nothing to show the file is genuine)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from PIL import Image

from accord.assessment.bands import Band, decide
from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.assessment.gallery import FaceGallery, ProtectedPerson
from accord.assessment.pipeline import assess_file
from accord.assessment.producers import likeness
from accord.assessment.producers.likeness import LikenessProducer
from accord.assessment.result import Assessment, InputFile, assessment_schema
from accord.errors import FaceNotFound, LikenessUnavailable
from accord.media.file import open_media
from accord.media.image import load_image
from accord.signals.faces import find_faces
from tests.factories import encode_h264
from tests.unit.assessment.contract import ProducerContract

OBAMA = ProtectedPerson("p-obama", "Barack Obama", "candidate for president")
BIDEN = ProtectedPerson("p-biden", "Joe Biden", "candidate for vice president")


@pytest.fixture(scope="module")
def gallery(faces: Path) -> FaceGallery:
    return FaceGallery.from_photos(
        {OBAMA: [faces / "obama.jpg", faces / "obama2.jpg"], BIDEN: [faces / "biden.jpg"]}
    )


class TestLikenessContract(ProducerContract):
    @pytest.fixture
    def producer(self, gallery: FaceGallery) -> Producer:
        return LikenessProducer(gallery)

    @pytest.fixture
    def subjects(self, faces: Path, corpus: Path) -> Sequence[AssessedFile]:
        return [
            AssessedFile(open_media(faces / "obama3.jpg")),
            AssessedFile(open_media(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")),
        ]


def test_a_new_photo_of_a_protected_person_is_recognised(faces: Path, gallery: FaceGallery) -> None:
    assessment = assess_file(faces / "obama3.jpg", gallery=gallery)
    [person] = assessment.protected_people
    assert (person["person_id"], person["name"]) == (OBAMA.id, OBAMA.name)
    assert person["distance"] < 0.5
    [found] = [f for f in assessment.findings if f.producer == "likeness"]
    assert (found.direction, found.strength) == (Direction.NEUTRAL, Strength.MODERATE)
    # No credentials, no registered original: the robocall case, flagged for review.
    assert assessment.band is Band.NO_EVIDENCE
    assert assessment.priority_review
    assert "Barack Obama" in assessment.summary
    jsonschema.validate(assessment.to_json(), assessment_schema())


def test_a_face_swap_shows_whose_face_was_pasted_in(
    faces: Path, gallery: FaceGallery, tmp_path: Path
) -> None:
    swapped = tmp_path / "swap.jpg"
    _paste_face(faces / "biden.jpg", onto=faces / "obama3.jpg").save(swapped, quality=92)
    assessment = assess_file(swapped, gallery=gallery)
    assert [person["name"] for person in assessment.protected_people] == [BIDEN.name]
    assert assessment.priority_review


def test_strangers_and_pictures_without_faces_name_nobody(
    faces: Path, corpus: Path, gallery: FaceGallery
) -> None:
    only_biden = FaceGallery.from_photos({BIDEN: [faces / "biden.jpg"]})
    assert assess_file(faces / "obama3.jpg", gallery=only_biden).protected_people == []
    bridge = assess_file(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", gallery=gallery)
    assert bridge.protected_people == []
    assert not bridge.priority_review


def test_video_keyframes_say_when_the_person_is_seen(
    faces: Path, gallery: FaceGallery, tmp_path: Path
) -> None:
    photo = Image.open(faces / "obama3.jpg").convert("RGB")
    frame = np.asarray(photo.resize((photo.width // 4 * 2, photo.height // 4 * 2)))
    blank = np.full_like(frame, 40)
    video = encode_h264(tmp_path / "clip.mp4", [blank] * 30 + [frame] * 30, fps=10)
    assessment = assess_file(video, gallery=gallery)
    [person] = assessment.protected_people
    assert person["name"] == OBAMA.name
    assert person["at_seconds"] is not None
    assert person["at_seconds"] >= 2.5


def test_a_genuine_file_needs_no_priority_review(gallery: FaceGallery, faces: Path) -> None:
    seen = LikenessProducer(gallery).produce(AssessedFile(open_media(faces / "obama3.jpg")))
    signed = Finding(
        "provenance", "provenance.trusted", Direction.AUTHENTIC, Strength.CONCLUSIVE, "signed", "-"
    )
    findings = (signed, *seen)
    assessment = Assessment(
        decision=decide(findings),
        findings=findings,
        input=InputFile("x.jpg", "0" * 64, "0" * 32, 1, "JPEG", "image"),
        tools={},
        created_at=datetime.now(UTC),
    )
    assert assessment.band is Band.VERIFIED_AUTHENTIC
    assert assessment.protected_people
    assert not assessment.priority_review


def test_reference_photos_must_show_one_face(faces: Path, corpus: Path) -> None:
    with pytest.raises(FaceNotFound, match="found no face"):
        FaceGallery.from_photos({OBAMA: [corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"]})


def test_without_the_models_likeness_is_skipped_not_fatal(
    faces: Path, gallery: FaceGallery, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(_: object) -> list[object]:
        raise LikenessUnavailable("face likeness needs the likeness extra")

    monkeypatch.setattr(likeness, "find_faces", unavailable)
    assessment = assess_file(faces / "obama3.jpg", gallery=gallery)
    assert [s.producer for s in assessment.skipped] == ["likeness"]
    assert assessment.protected_people == []


def _paste_face(source: Path, *, onto: Path) -> Image.Image:
    """A crude face swap: the source's face, scaled into the target's face box."""
    target = Image.open(onto).convert("RGB")
    donor = Image.open(source).convert("RGB")
    into = _around_the_face(onto)
    face = donor.crop(_around_the_face(source)).resize((into[2] - into[0], into[3] - into[1]))
    target.paste(face, into[:2])
    return target


def _around_the_face(path: Path, margin: float = 0.25) -> tuple[int, int, int, int]:
    """The one face's box in ``path``, grown by ``margin`` of its size on each side."""
    [face] = find_faces(load_image(open_media(path)))
    left, top, right, bottom = face.box
    grow_x, grow_y = margin * (right - left), margin * (bottom - top)
    return (
        round(left - grow_x),
        round(top - grow_y),
        round(right + grow_x),
        round(bottom + grow_y),
    )
