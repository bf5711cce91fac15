"""What a recording says: its sound track transcribed offline (``accord.speech``) and the
transcript screened for false claims about voting and impersonations of election
authorities (``accord.claims.statements``: the generation gate's rules and classifier).

A claim is not evidence that the file is fake (a real speech can lie, a deepfake can tell
the truth), so every finding is neutral: it says what is at stake. With a protected
person's voice or face it is the robocall case (``Assessment.robocall``).
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.assessment.producers.claim_findings import claim_findings
from accord.assessment.result import TRANSCRIPT_CODE
from accord.claims.context import Context
from accord.claims.spoken import prompts_for, spoken_languages
from accord.claims.statements import Passage, find_claims
from accord.errors import SpeechUnavailable, UnsupportedMedia
from accord.media.kinds import MediaKind
from accord.speech.transcript import Transcript, clock

_TRANSCRIPT_LIMITS = (
    "Speech recognition mishears: names, numbers and dates above all, and more in noise, "
    "music or telephone-band sound. Its accuracy was measured on synthetic speech "
    "(espeak-ng) only, not on recordings of real people. Where the recording was sampled, "
    "what was not heard was not screened."
)
_CLAIM_LIMITS = (
    "Read from a machine transcript, which may mishear the words; checked against the "
    "elections registered here. A claim can be quoted to debunk it, and a recording can "
    "be genuine and still say it: listen to the stretch before deciding. Evaluated on "
    "synthetic speech only."
)


class SpokenClaimsProducer(Producer):
    name = "spoken_claims"
    version = "1"
    media_kinds = frozenset({MediaKind.AUDIO, MediaKind.VIDEO})
    description = (
        "What the sound track says, transcribed offline, screened for false claims about "
        "voting and impersonations of election authorities"
    )

    def __init__(
        self, engine_name: str, context: Context, max_seconds: float, *, classifier: bool = True
    ) -> None:
        self.engine_name = engine_name
        self.context = context
        self.max_seconds = max_seconds
        self.classifier = classifier

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        if subject.kind is MediaKind.VIDEO and not subject.opened.subject.video_info().has_audio:
            return []  # a silent video says nothing
        from accord.speech.engines import load_engine  # noqa: PLC0415 - optional and heavy
        from accord.speech.transcribe import transcribe  # noqa: PLC0415

        engine = load_engine(self.engine_name)
        languages = spoken_languages(self.context)
        if engine.languages is not None:
            heard = tuple(language for language in languages if language in engine.languages)
            if not heard:
                msg = (
                    f"the {engine.name} engine transcribes only {', '.join(engine.languages)}; "
                    f"the elections here speak {', '.join(languages)}"
                )
                raise SpeechUnavailable(msg)
            languages = heard
        try:
            transcript = transcribe(
                subject.media,
                engine,
                candidates=languages,
                prompts=prompts_for(self.context),
                max_seconds=self.max_seconds,
            )
        except UnsupportedMedia:
            return []  # no sound track
        if not transcript.segments:
            return [self._transcript_finding(transcript)]
        passages = [Passage(s.text, s.start, s.end) for s in transcript.segments]
        claims = find_claims(
            passages,
            self.context,
            language=transcript.language,
            subject="The recording",
            rules_only=not self.classifier,
            transcribed=True,
        )
        return [
            self._transcript_finding(transcript),
            *claim_findings(self.name, claims, said="speech", limits=_CLAIM_LIMITS),
        ]

    def _transcript_finding(self, transcript: Transcript) -> Finding:
        return Finding(
            producer=self.name,
            code=TRANSCRIPT_CODE,
            direction=Direction.NEUTRAL,
            strength=Strength.WEAK,
            explanation=_heard(transcript),
            limits=_TRANSCRIPT_LIMITS,
            details=transcript.to_json(),
        )


def _heard(transcript: Transcript) -> str:
    """What was heard, in a sentence: the language, how much, and where sampled."""
    language = _LANGUAGE_NAMES.get(transcript.language, transcript.language)
    heard = sum(end - start for start, end in transcript.heard)
    if not transcript.segments:
        said = "no speech was recognised"
    else:
        count = len(transcript.segments)
        said = f"{count} stretch{'es' if count != 1 else ''} of speech in {language}"
    if not transcript.sampled:
        return (
            f"Transcribed ({transcript.engine}, {transcript.model}): the whole "
            f"{clock(transcript.duration)} was heard; {said}."
        )
    stretches = ", ".join(f"{clock(start)} to {clock(end)}" for start, end in transcript.heard)
    return (
        f"Transcribed ({transcript.engine}, {transcript.model}), sampled: "
        f"{clock(heard)} of {clock(transcript.duration)} heard ({stretches}); {said}."
    )


_LANGUAGE_NAMES = {"en": "English", "nl": "Dutch", "fr": "French", "de": "German"}
