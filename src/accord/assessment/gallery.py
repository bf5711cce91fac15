"""The faces and voices of protected people (candidates, officials) that assessments
look for.

A server builds its galleries from the people an election authority registered; a library
user builds them from reference photos and clips (``FaceGallery.from_photos``,
``VoiceGallery.from_clips``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from accord.errors import FaceNotFound, SignalNotApplicable, VoiceNotFound
from accord.media.file import open_media
from accord.media.image import load_image
from accord.media.limits import MediaLimits
from accord.signals import voices
from accord.signals.faces import EMBEDDING_SIZE, Face, find_faces


@dataclass(frozen=True, slots=True)
class ProtectedPerson:
    """Who a face may belong to: a stable id, a name, and the role they stand or serve in."""

    id: str
    name: str
    role: str = ""


@dataclass(frozen=True, slots=True)
class FaceGallery:
    """Reference face embeddings, each owned by one protected person."""

    people: tuple[ProtectedPerson, ...]
    #: ``(references, EMBEDDING_SIZE)`` float32.
    embeddings: NDArray[np.float32]
    #: For each reference, the index of its person in ``people``.
    owners: NDArray[np.intp]

    @classmethod
    def empty(cls) -> FaceGallery:
        return cls((), np.empty((0, EMBEDDING_SIZE), np.float32), np.empty(0, np.intp))

    @classmethod
    def of(cls, references: Sequence[tuple[ProtectedPerson, NDArray[np.float32]]]) -> FaceGallery:
        """A gallery of ``(person, embedding)`` pairs; a person may have several."""
        return cls(*_stacked(references)) if references else cls.empty()

    @classmethod
    def from_photos(cls, photos: Mapping[ProtectedPerson, Sequence[Path]]) -> FaceGallery:
        """A gallery from reference photos, each showing the person's face alone."""
        return cls.of(
            [(person, reference_face(path)) for person, paths in photos.items() for path in paths]
        )

    def __len__(self) -> int:
        return len(self.owners)

    def nearest(self, face: Face) -> tuple[ProtectedPerson, float] | None:
        """The person whose reference is closest to ``face``, and the distance."""
        return self.nearest_to(face.embedding)

    def nearest_to(self, embedding: NDArray[np.float32]) -> tuple[ProtectedPerson, float] | None:
        """The person whose reference is closest to ``embedding``, and the distance."""
        if not len(self):
            return None
        distances = np.linalg.norm(self.embeddings - embedding, axis=1)
        best = int(np.argmin(distances))
        return self.people[int(self.owners[best])], float(distances[best])


def _stacked(
    references: Sequence[tuple[ProtectedPerson, NDArray[np.float32]]],
) -> tuple[tuple[ProtectedPerson, ...], NDArray[np.float32], NDArray[np.intp]]:
    """The people (each once), the embeddings as rows, and each row's owner."""
    people = tuple(dict.fromkeys(person for person, _ in references))
    index = {person: position for position, person in enumerate(people)}
    embeddings = np.stack([np.asarray(e, np.float32) for _, e in references])
    owners = np.array([index[person] for person, _ in references], np.intp)
    return people, embeddings, owners


def reference_face(path: Path) -> NDArray[np.float32]:
    """The embedding of the one face a reference photo shows; ``FaceNotFound`` otherwise."""
    faces = find_faces(load_image(open_media(path)))
    if len(faces) != 1:
        found = "no face" if not faces else f"{len(faces)} faces"
        msg = f"{path.name}: a reference photo must show one face clearly; found {found}"
        raise FaceNotFound(msg)
    return faces[0].embedding


@dataclass(frozen=True, slots=True)
class VoiceGallery:
    """Reference voice embeddings (unit vectors), each owned by one protected person."""

    people: tuple[ProtectedPerson, ...]
    #: ``(references, voices.EMBEDDING_SIZE)`` float32.
    embeddings: NDArray[np.float32]
    owners: NDArray[np.intp]

    @classmethod
    def empty(cls) -> VoiceGallery:
        return cls((), np.empty((0, voices.EMBEDDING_SIZE), np.float32), np.empty(0, np.intp))

    @classmethod
    def of(cls, references: Sequence[tuple[ProtectedPerson, NDArray[np.float32]]]) -> VoiceGallery:
        """A gallery of ``(person, embedding)`` pairs; a person may have several."""
        return cls(*_stacked(references)) if references else cls.empty()

    @classmethod
    def from_clips(cls, clips: Mapping[ProtectedPerson, Sequence[Path]]) -> VoiceGallery:
        """A gallery from reference recordings, each of the person speaking alone."""
        return cls.of(
            [(person, reference_voice(path)) for person, paths in clips.items() for path in paths]
        )

    def __len__(self) -> int:
        return len(self.owners)

    def closest(self, embedding: NDArray[np.float32]) -> tuple[ProtectedPerson, float] | None:
        """The person whose reference voice is most similar, and the cosine similarity."""
        if not len(self):
            return None
        similarities = self.embeddings.astype(np.float64) @ embedding.astype(np.float64)
        best = int(np.argmax(similarities))
        return self.people[int(self.owners[best])], float(similarities[best])


def reference_voice(path: Path, limits: MediaLimits | None = None) -> NDArray[np.float32]:
    """The embedding of the voice a reference clip holds; ``VoiceNotFound`` when it holds
    too little speech to judge a voice by."""
    try:
        return voices.voice_embedding(path, limits=limits)
    except SignalNotApplicable as error:
        raise VoiceNotFound(f"{path.name}: {error.detail}") from None
