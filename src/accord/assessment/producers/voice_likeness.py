"""Likeness of protected people by voice: does the speech here sound like a registered
candidate or official?

As with faces, a resemblance is not evidence either way (a real speech and a voice clone
both match), so its findings are neutral: they say who is at stake. An audio file with a
candidate's voice, no Content Credentials and no registered original is the 2024 robocall.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.assessment.gallery import VoiceGallery
from accord.assessment.result import VOICE_LIKENESS_CODE
from accord.errors import SignalNotApplicable
from accord.media.kinds import MediaKind
from accord.signals.voices import SAME_SPEAKER_SIMILARITY, voice_embedding

#: From this similarity on, moderate evidence of whose voice it is; from
#: ``SAME_SPEAKER_SIMILARITY``, weak.
CLOSE_SIMILARITY = 0.85

_LIMITS = (
    "A resemblance says whose voice this is or imitates, not whether it is genuine: a real "
    "recording and a voice clone both match. The speaker model (Resemblyzer's GE2E encoder) "
    "misses matches in telephone-band or noisy audio, needs at least 2 s of speech, and its "
    "threshold was checked on synthetic voices only, not on recordings of real people."
)


class VoiceLikenessProducer(Producer):
    name = "voice_likeness"
    version = "1"
    media_kinds = frozenset({MediaKind.AUDIO, MediaKind.VIDEO})
    description = "Speech that sounds like a registered protected person (GE2E, 256-d)"

    def __init__(self, gallery: VoiceGallery) -> None:
        self.gallery = gallery

    def applies(self, subject: AssessedFile) -> bool:
        return len(self.gallery) > 0 and super().applies(subject)

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        try:
            embedding = voice_embedding(subject.media)
        except SignalNotApplicable:
            return []  # no speech (or too little): nothing to say about voices
        closest = self.gallery.closest(embedding)
        if closest is None or closest[1] < SAME_SPEAKER_SIMILARITY:
            return []
        person, similarity = closest
        role = f" ({person.role})" if person.role else ""
        return [
            Finding(
                producer=self.name,
                code=VOICE_LIKENESS_CODE,
                direction=Direction.NEUTRAL,
                strength=Strength.MODERATE if similarity >= CLOSE_SIMILARITY else Strength.WEAK,
                explanation=(
                    f"The voice here sounds like {person.name}{role}, a protected person: "
                    f"similarity {similarity:.2f} to their reference recordings, where "
                    f"{SAME_SPEAKER_SIMILARITY} or more counts as the same speaker."
                ),
                limits=_LIMITS,
                details={
                    "person_id": person.id,
                    "name": person.name,
                    "role": person.role,
                    "similarity": round(similarity, 3),
                },
            )
        ]
