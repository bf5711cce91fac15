"""Likeness of protected people: does a face here resemble a registered candidate or official?

A resemblance is not evidence either way (a genuine photo and a deepfake of the person both
match), so its findings are neutral. What it adds is who is at stake: a protected person
in a file with no Content Credentials and no registered original is exactly the case of
the 2024 robocall, and the assessment flags it for priority review.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.assessment.gallery import FaceGallery
from accord.assessment.result import LIKENESS_CODE
from accord.media.kinds import MediaKind
from accord.signals.faces import SAME_PERSON_DISTANCE, find_faces

#: Closer than this, the resemblance is moderate evidence of who is shown; up to
#: ``SAME_PERSON_DISTANCE``, weak (dlib's threshold errs on the side of a match).
CLOSE_DISTANCE = 0.5

_LIMITS = (
    "A resemblance says whom the picture shows or imitates, not whether it is genuine: "
    "a real photo and a deepfake of the person both match. dlib's face model is 99.38 % "
    "accurate on LFW and less so on small, turned, dark or partly hidden faces, and on "
    "people it was not trained on; look-alikes can match."
)


class LikenessProducer(Producer):
    name = "likeness"
    version = "1"
    media_kinds = frozenset({MediaKind.IMAGE})
    pixels_only = True
    description = "Faces that resemble registered protected people (dlib, 128-d embeddings)"

    def __init__(self, gallery: FaceGallery) -> None:
        self.gallery = gallery

    def applies(self, subject: AssessedFile) -> bool:
        return len(self.gallery) > 0 and super().applies(subject)

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        findings: dict[str, Finding] = {}
        for face in find_faces(subject.image()):
            nearest = self.gallery.nearest(face)
            if nearest is None or nearest[1] > SAME_PERSON_DISTANCE:
                continue
            person, distance = nearest
            known = findings.get(person.id)
            if known is not None and known.details["distance"] <= distance:
                continue  # one finding per person: the closest face
            role = f" ({person.role})" if person.role else ""
            findings[person.id] = Finding(
                producer=self.name,
                code=LIKENESS_CODE,
                direction=Direction.NEUTRAL,
                strength=Strength.MODERATE if distance < CLOSE_DISTANCE else Strength.WEAK,
                explanation=(
                    f"A face here resembles {person.name}{role}, a protected person: "
                    f"distance {distance:.2f} to their reference photos, where "
                    f"{SAME_PERSON_DISTANCE} or less counts as the same person."
                ),
                limits=_LIMITS,
                details={
                    "person_id": person.id,
                    "name": person.name,
                    "role": person.role,
                    "distance": round(distance, 3),
                    "box": list(face.box),
                },
            )
        return list(findings.values())
