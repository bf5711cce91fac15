"""Faces and their embeddings: the same person close, different people far, no face found
where there is none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from accord.media.file import open_media
from accord.media.image import load_image
from accord.signals.faces import (
    EMBEDDING_SIZE,
    SAME_PERSON_DISTANCE,
    face_distance,
    find_faces,
    likeness_available,
)


def embedding(path: Path) -> np.ndarray:
    faces = find_faces(load_image(open_media(path)))
    assert len(faces) == 1, path.name
    return faces[0].embedding


def test_the_models_ship_with_the_install() -> None:
    assert likeness_available()


def test_photos_of_one_person_are_close_and_of_two_people_far(faces: Path) -> None:
    obama = embedding(faces / "obama.jpg")
    assert obama.shape == (EMBEDDING_SIZE,)
    for other in ("obama2.jpg", "obama3.jpg", "obama_partial_face.jpg"):
        assert face_distance(obama, embedding(faces / other)) < SAME_PERSON_DISTANCE, other
    assert face_distance(obama, embedding(faces / "biden.jpg")) > SAME_PERSON_DISTANCE


def test_faces_are_found_where_they_are_and_nowhere_else(faces: Path, corpus: Path) -> None:
    picture = load_image(open_media(faces / "biden.jpg"))
    [face] = find_faces(picture)
    left, top, right, bottom = face.box
    assert 0 <= left < right <= picture.shape[1]
    assert 0 <= top < bottom <= picture.shape[0]
    grey = np.asarray(Image.fromarray(picture).convert("L"))
    [grey_face] = find_faces(grey)
    assert face_distance(face.embedding, grey_face.embedding) < SAME_PERSON_DISTANCE / 2
    for photo in ("pdq/bridge-mods/aaa-orig.jpg", "c2pa/earth_apollo17.jpg"):
        assert find_faces(load_image(open_media(corpus / photo))) == [], photo


def test_a_face_too_small_to_recognise_is_not_reported(faces: Path) -> None:
    picture = Image.open(faces / "obama.jpg").convert("RGB")
    tiny = np.asarray(picture.resize((picture.width // 12, picture.height // 12)))
    assert find_faces(tiny) == []
