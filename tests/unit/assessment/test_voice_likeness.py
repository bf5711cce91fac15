"""Likeness of protected people by voice: whose voice a recording sounds like, and the
robocall case (a candidate's voice, nothing to show the file is genuine).

espeak-ng voices stand in for people: ``en+m7`` is the candidate, ``en+f2`` someone else
(about 0.6 apart, where the same voice scores 0.87 or more)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import jsonschema
import pytest

from accord.assessment.evidence import AssessedFile, Direction, Producer, Strength
from accord.assessment.gallery import ProtectedPerson, VoiceGallery
from accord.assessment.pipeline import assess_file
from accord.assessment.producers.voice_likeness import VoiceLikenessProducer
from accord.assessment.result import assessment_schema
from accord.errors import VoiceNotFound
from accord.media.file import open_media
from tests.factories import encode_talking_video
from tests.speech import SENTENCES, require_voice_model, speak
from tests.unit.assessment.contract import ProducerContract

JANE = ProtectedPerson("p-jane", "Jane Doe", "candidate for mayor")


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_voice_model()
    folder = tmp_path_factory.mktemp("speech")
    spoken = {
        "jane-reference": ("en+m7", SENTENCES[0]),
        "jane-robocall": ("en+m7", SENTENCES[1]),
        "someone-else": ("en+f2", SENTENCES[1]),
        "too-short": ("en+m7", "Vote."),
    }
    return {name: speak(folder, name, voice, text) for name, (voice, text) in spoken.items()}


@pytest.fixture(scope="module")
def voices(clips: dict[str, Path]) -> VoiceGallery:
    return VoiceGallery.from_clips({JANE: [clips["jane-reference"]]})


class TestVoiceLikenessContract(ProducerContract):
    @pytest.fixture
    def producer(self, voices: VoiceGallery) -> Producer:
        return VoiceLikenessProducer(voices)

    @pytest.fixture
    def subjects(self, clips: dict[str, Path]) -> Sequence[AssessedFile]:
        return [
            AssessedFile(open_media(clips["jane-robocall"])),
            AssessedFile(open_media(clips["someone-else"])),
        ]


def test_a_recording_in_the_candidates_voice_is_flagged_for_priority_review(
    clips: dict[str, Path], voices: VoiceGallery
) -> None:
    assessment = assess_file(clips["jane-robocall"], voices=voices)
    [person] = assessment.protected_people
    assert (person["person_id"], person["by"]) == (JANE.id, "voice")
    assert person["similarity"] >= 0.85
    [found] = [f for f in assessment.findings if f.producer == "voice_likeness"]
    assert (found.direction, found.strength) == (Direction.NEUTRAL, Strength.MODERATE)
    assert assessment.priority_review
    assert "Jane Doe" in assessment.summary
    jsonschema.validate(assessment.to_json(), assessment_schema())


def test_another_voice_and_too_little_speech_name_nobody(
    clips: dict[str, Path], voices: VoiceGallery
) -> None:
    assert assess_file(clips["someone-else"], voices=voices).protected_people == []
    assert assess_file(clips["too-short"], voices=voices).protected_people == []


def test_the_voice_in_a_videos_sound_track_is_recognised(
    clips: dict[str, Path], voices: VoiceGallery, tmp_path: Path
) -> None:
    video = encode_talking_video(tmp_path / "clip.mp4", clips["jane-robocall"])
    people = assess_file(video, voices=voices).protected_people
    assert [(p["person_id"], p["by"]) for p in people] == [(JANE.id, "voice")]


def test_a_reference_recording_needs_enough_speech(clips: dict[str, Path]) -> None:
    with pytest.raises(VoiceNotFound, match=r"too-short\.wav"):
        VoiceGallery.from_clips({JANE: [clips["too-short"]]})
