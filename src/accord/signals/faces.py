"""Faces in a picture and their 128-number dlib embeddings, for likeness of protected people.

The models come inside PyPI packages, in the optional ``likeness`` extra: dlib's HOG face
detector (compiled into ``dlib-bin``), and its 5-point landmark model and ResNet face
encoder (``face-recognition-models``; 99.38 % on LFW, where two faces at a distance of 0.6
or less are the same person). Nothing is downloaded at run time and no PyTorch is needed.

The detector runs on a copy at most ``DETECTION_SIDE`` pixels long, twice upsampled for
small faces; the encoder reads each face at full resolution.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from accord.errors import LikenessUnavailable

#: dlib's same-person threshold for its face encoder.
SAME_PERSON_DISTANCE = 0.6
#: Longest side, in pixels, of the copy the detector searches.
DETECTION_SIDE = 1000
#: The detector's upsampling: once finds faces down to about 40 pixels in that copy.
_UPSAMPLE = 1
EMBEDDING_SIZE = 128
#: Faces smaller than this (in picture pixels) carry too little detail to recognise.
MIN_FACE_SIDE = 32


@dataclass(frozen=True, slots=True)
class Face:
    """One face: where it is (left, top, right, bottom, in picture pixels) and who it looks
    like, as an embedding."""

    box: tuple[int, int, int, int]
    embedding: NDArray[np.float32]


def find_faces(rgb: NDArray[np.uint8]) -> list[Face]:
    """Every face in an RGB (or grey) picture big enough to recognise, largest first."""
    models = _models()
    colour = np.ascontiguousarray(np.stack([rgb] * 3, axis=-1) if rgb.ndim == 2 else rgb)  # noqa: PLR2004
    height, width = colour.shape[:2]
    shrink = max(1.0, max(height, width) / DETECTION_SIDE)
    small = colour
    if shrink > 1:
        size = (round(width / shrink), round(height / shrink))
        small = np.asarray(Image.fromarray(colour).resize(size, Image.Resampling.BILINEAR))
    faces = []
    for found in models.detector(small, _UPSAMPLE):
        box = _scaled_box(found, shrink, width, height)
        if min(box[2] - box[0], box[3] - box[1]) < MIN_FACE_SIDE:
            continue
        rectangle = models.dlib.rectangle(*box)
        landmarks = models.landmarks(colour, rectangle)
        embedding = np.asarray(models.encoder.compute_face_descriptor(colour, landmarks))
        faces.append(Face(box, embedding.astype(np.float32)))
    return sorted(faces, key=lambda face: _area(face.box), reverse=True)


def face_distance(first: NDArray[np.float32], second: NDArray[np.float32]) -> float:
    """Euclidean distance between two embeddings: 0.6 or less is the same person."""
    return float(np.linalg.norm(first - second))


def likeness_available() -> bool:
    """Whether the ``likeness`` extra is installed."""
    return all(importlib.util.find_spec(name) for name in ("dlib", "face_recognition_models"))


@dataclass(frozen=True, slots=True)
class _Models:
    dlib: Any
    detector: Any
    landmarks: Any
    encoder: Any


@functools.cache
def _models() -> _Models:
    if not likeness_available():
        raise LikenessUnavailable(
            "face likeness needs the likeness extra: pip install 'accord[likeness]'"
        )
    import dlib  # noqa: PLC0415 - optional, and a second to load

    folder = _model_folder()
    return _Models(
        dlib=dlib,
        detector=dlib.get_frontal_face_detector(),
        landmarks=dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat")),
        encoder=dlib.face_recognition_model_v1(
            str(folder / "dlib_face_recognition_resnet_model_v1.dat")
        ),
    )


def _model_folder() -> Path:
    # Found without importing the package: its __init__ needs setuptools' pkg_resources.
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise LikenessUnavailable("the face_recognition_models package has no model folder")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _scaled_box(found: Any, shrink: float, width: int, height: int) -> tuple[int, int, int, int]:
    left = max(0, round(found.left() * shrink))
    top = max(0, round(found.top() * shrink))
    right = min(width - 1, round(found.right() * shrink))
    bottom = min(height - 1, round(found.bottom() * shrink))
    return left, top, right, bottom


def _area(box: tuple[int, int, int, int]) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])
