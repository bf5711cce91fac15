"""What a file says: its sound track transcribed (Whisper base on espeak-ng speech) and
screened for false claims about voting, its caption screened the same way, and the
robocall case (a protected person's voice saying it).

espeak-ng's ``en+m7`` voice stands in for the candidate, as in the voice likeness tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from accord.assessment.evidence import AssessedFile, Direction, Producer, Strength
from accord.assessment.gallery import ProtectedPerson, VoiceGallery
from accord.assessment.pipeline import assess_file
from accord.assessment.producers import ClaimsSetup
from accord.assessment.producers.spoken_claims import SpokenClaimsProducer
from accord.assessment.producers.text_claims import TextClaimsProducer
from accord.assessment.result import TRANSCRIPT_CODE, Assessment, assessment_schema
from accord.claims.context import Context, Election, Person
from accord.media.file import open_media
from accord.speech import engines
from accord.speech.engines import Samples, SpeechEngine
from accord.speech.transcript import Segment
from tests.factories import encode_h264, encode_talking_video
from tests.speech import SENTENCES, require_speech_engines, require_voice_model, speak
from tests.unit.assessment.contract import ProducerContract
from tests.unit.speech.conftest import RATE, read_wav, resampled, write_wav

JANE = ProtectedPerson("p-jane", "Jane Doe", "candidate for mayor")
#: An election on Sunday 13 October 2024 in an English-speaking territory: the recording is
#: listened for in English only.
CONTEXT = Context(
    people=(Person(id=JANE.id, name=JANE.name, role=JANE.role),),
    elections=(Election("County elections 2024", date(2024, 10, 13), ("GB",)),),
    today=date(2024, 9, 1),
)
ROBOCALL = (
    "Attention voters. The election has been postponed to Monday. "
    "Do not go to the polling station on Sunday."
)
ORDINARY = "The polling stations open at eight in the morning on Sunday."
CAPTION = "Breaking: this year you can vote by SMS. Share it!"
UNHEARD = "The ballots are counted tonight."


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_speech_engines()
    folder = tmp_path_factory.mktemp("said")
    spoken = {
        "robocall": ROBOCALL,
        "ordinary": ORDINARY,
        "reference": SENTENCES[0],
    }
    return {name: speak(folder, name, "en+m7", text) for name, text in spoken.items()}


@pytest.fixture(scope="module")
def setup() -> ClaimsSetup:
    return ClaimsSetup(context=CONTEXT, engine="whisper", max_seconds=120.0)


class TestSpokenClaimsContract(ProducerContract):
    @pytest.fixture
    def producer(self, setup: ClaimsSetup) -> Producer:
        return SpokenClaimsProducer("whisper", setup.context, setup.max_seconds)

    @pytest.fixture
    def subjects(self, clips: dict[str, Path]) -> Sequence[AssessedFile]:
        return [AssessedFile(open_media(clips["robocall"]))]


class TestTextClaimsContract(ProducerContract):
    @pytest.fixture
    def producer(self) -> Producer:
        return TextClaimsProducer(CONTEXT)

    @pytest.fixture
    def subjects(self, clips: dict[str, Path]) -> Sequence[AssessedFile]:
        media = open_media(clips["ordinary"])
        return [
            AssessedFile(media, text=CAPTION),
            AssessedFile(media, text="Lovely weather for the count tonight."),
            AssessedFile(media),
        ]


def spoken(assessment: Assessment) -> list[dict[str, object]]:
    return [claim for claim in assessment.claims if claim["from"] == "speech"]


def test_a_recording_that_lies_about_the_polling_day_is_transcribed_and_flagged(
    clips: dict[str, Path], setup: ClaimsSetup
) -> None:
    assessment = assess_file(clips["robocall"], claims=setup)
    transcript = assessment.transcript
    assert transcript is not None
    assert (transcript["language"], transcript["engine"], transcript["sampled"]) == (
        "en",
        "whisper",
        False,
    )
    said = " ".join(segment["text"] for segment in transcript["segments"]).lower()
    assert "postponed to monday" in said
    [claim] = spoken(assessment)
    assert (claim["category"], claim["strength"], claim["source"]) == (
        "voting_process",
        "strong",
        "rule",
    )
    assert "postponed" in str(claim["words"])
    assert "Sunday 13 October 2024" in str(claim["explanation"])
    start, end = claim["start"], claim["end"]
    assert isinstance(start, float)
    assert isinstance(end, float)
    assert 0 < start < end <= transcript["duration"]
    # A claim is what is at stake, not evidence of a fake: the band is not moved.
    found = [f for f in assessment.findings if f.code == "spoken_claims.voting_process"]
    assert [(f.direction, f.strength) for f in found] == [(Direction.NEUTRAL, Strength.STRONG)]
    assert str(assessment.band) == "no_evidence_either_way"
    assert assessment.priority_review
    assert not assessment.robocall  # nobody's voice is known here
    assert "It says something false about voting: The recording says" in assessment.summary
    answer = assessment.to_json()
    assert answer["transcript"] == transcript
    assert answer["claims"] == assessment.claims
    jsonschema.validate(answer, assessment_schema())


def test_the_candidates_voice_saying_it_is_the_robocall(
    clips: dict[str, Path], setup: ClaimsSetup
) -> None:
    require_voice_model()
    voices = VoiceGallery.from_clips({JANE: [clips["reference"]]})
    assessment = assess_file(clips["robocall"], voices=voices, claims=setup)
    assert [person["person_id"] for person in assessment.protected_people] == [JANE.id]
    assert assessment.robocall
    assert assessment.to_json()["robocall"] is True
    assert "the robocall case, urgent" in assessment.summary
    jsonschema.validate(assessment.to_json(), assessment_schema())


def test_ordinary_election_speech_is_transcribed_and_says_nothing_false(
    clips: dict[str, Path], setup: ClaimsSetup
) -> None:
    assessment = assess_file(clips["ordinary"], claims=setup)
    assert assessment.transcript is not None
    assert assessment.claims == []
    assert not assessment.priority_review
    [finding] = [f for f in assessment.findings if f.code == TRANSCRIPT_CODE]
    assert (finding.direction, finding.strength) == (Direction.NEUTRAL, Strength.WEAK)
    assert "the whole 0:0" in finding.explanation
    assert "in English" in finding.explanation


class Listening:
    """The real engine, noting how the producer asks it to listen."""

    def __init__(self, engine: SpeechEngine) -> None:
        self.engine = engine
        self.name, self.model, self.languages = engine.name, engine.model, engine.languages
        self.asked: list[tuple[Sequence[str], str]] = []

    def detect_language(self, samples: Samples, candidates: Sequence[str]) -> str:
        return self.engine.detect_language(samples, candidates)

    def transcribe(
        self, samples: Samples, *, language: str | None, candidates: Sequence[str], prompt: str
    ) -> tuple[str, list[Segment]]:
        self.asked.append((tuple(candidates), prompt))
        return self.engine.transcribe(
            samples, language=language, candidates=candidates, prompt=prompt
        )


def test_a_long_recording_is_sampled_and_says_which_stretches(
    clips: dict[str, Path], setup: ClaimsSetup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # 70 s under a 60-s cap: heard 0-30 and 40-70. The lie at 45 s is in the second
    # stretch; what is said at 32 s is in neither.
    track = np.zeros(70 * RATE, np.float32)
    for at, name in [(2, "ordinary"), (32, "unheard"), (45, "robocall")]:
        path = clips[name] if name in clips else speak(tmp_path, name, "en+m7", UNHEARD)
        samples, rate = read_wav(path)
        clip = resampled(samples, rate)
        track[at * RATE : at * RATE + len(clip)] = clip
    engine = Listening(engines.load_engine("whisper"))
    monkeypatch.setattr(engines, "load_engine", lambda name: engine)
    producer = SpokenClaimsProducer("whisper", setup.context, max_seconds=60.0)
    findings = producer.produce(AssessedFile(open_media(write_wav(tmp_path / "long.wav", track))))
    assert len(engine.asked) == 2  # one stretch, then the other
    assert all(candidates == ("en",) for candidates, _ in engine.asked)  # the territory's
    assert all("Jane Doe" in prompt for _, prompt in engine.asked)
    transcript, claim = findings
    assert transcript.details["sampled"] is True
    assert transcript.details["heard"] == [[0.0, 30.0], [40.0, 70.0]]
    assert "sampled: 1:00 of 1:10 heard (0:00 to 0:30, 0:40 to 1:10)" in transcript.explanation
    said = " ".join(segment["text"] for segment in transcript.details["segments"]).lower()
    assert "in the morning on sunday" in said
    assert "postponed to monday" in said
    assert "counted" not in said  # said where nobody listened
    assert claim.code == "spoken_claims.voting_process"
    assert 45.0 <= claim.details["start"] < claim.details["end"] <= 60.0
    assert "Said from 0:4" in claim.explanation


def test_the_sound_of_a_video_is_screened_and_a_silent_video_says_nothing(
    clips: dict[str, Path], setup: ClaimsSetup, tmp_path: Path
) -> None:
    talking = encode_talking_video(tmp_path / "talking.mp4", clips["robocall"])
    assert [c["category"] for c in spoken(assess_file(talking, claims=setup))] == ["voting_process"]
    grey = [np.full((64, 64, 3), 128, np.uint8)] * 10
    silent = encode_h264(tmp_path / "silent.mp4", grey, fps=10)
    assessment = assess_file(silent, claims=setup)
    assert assessment.transcript is None
    assert assessment.claims == []
    assert [s for s in assessment.skipped if s.producer == "spoken_claims"] == []


def test_a_caption_that_lies_is_flagged_whatever_the_file(
    clips: dict[str, Path], setup: ClaimsSetup
) -> None:
    text_only = ClaimsSetup(context=setup.context, engine=None)
    assessment = assess_file(clips["ordinary"], claims=text_only, text=CAPTION)
    assert "spoken_claims" not in assessment.tools["producers"]
    assert assessment.transcript is None
    [claim] = assessment.claims
    assert (claim["from"], claim["start"], claim["words"]) == ("caption", None, "vote by SMS")
    assert claim["explanation"].startswith("The caption says one can vote by SMS")
    assert "Its caption says something false about voting" in assessment.summary
    [finding] = [f for f in assessment.findings if f.producer == "text_claims"]
    assert finding.explanation.endswith("Written: “vote by SMS”.")
    jsonschema.validate(assessment.to_json(), assessment_schema())


def test_without_a_claims_setup_nothing_is_transcribed_or_screened(
    clips: dict[str, Path],
) -> None:
    assessment = assess_file(clips["robocall"], text=CAPTION)
    assert not {"spoken_claims", "text_claims"} & set(assessment.tools["producers"])
    answer = assessment.to_json()
    assert (answer["transcript"], answer["claims"], answer["robocall"]) == (None, [], False)


def test_an_english_only_engine_hears_a_belgian_election_in_english(
    clips: dict[str, Path],
) -> None:
    # English is listened for everywhere (a campaign crosses borders): pocketsphinx, which
    # knows no Dutch, French or German, still hears the English robocall, in English.
    belgian = Context(elections=(Election("Local", date(2024, 10, 13), ("BE",)),))
    setup = ClaimsSetup(context=belgian, engine="pocketsphinx")
    assessment = assess_file(clips["robocall"], claims=setup)
    assert [s for s in assessment.skipped if s.producer == "spoken_claims"] == []
    transcript = assessment.transcript
    assert transcript is not None
    assert (transcript["engine"], transcript["language"]) == ("pocketsphinx", "en")
