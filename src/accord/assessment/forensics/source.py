"""The picture the methods examine: upright pixels, its grey copy, and what the file says
about its own JPEG compression."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from accord.assessment.evidence import AssessedFile
from accord.assessment.forensics.jpeg import estimate_quality

_ORIENTATION = 0x0112
_LUMA_TABLE = 0
_NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


@dataclass(frozen=True, slots=True)
class JpegFacts:
    """How the file was last compressed."""

    #: The luminance quantization table, natural order.
    luma_table: tuple[int, ...]
    #: The IJG quality closest to that table, and whether it is exactly an IJG table.
    quality: int
    standard_table: bool
    #: The EXIF orientation the upright picture was turned by (1 when none).
    orientation: int


class Source:
    """One picture's pixels, with the derived copies the methods share."""

    def __init__(self, rgb: NDArray[np.uint8], jpeg: JpegFacts | None) -> None:
        self.rgb = rgb
        self.jpeg = jpeg
        self._grey: NDArray[np.uint8] | None = None
        self._residual: NDArray[np.float32] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        height, width = self.rgb.shape[:2]
        return height, width

    @property
    def grey(self) -> NDArray[np.uint8]:
        if self._grey is None:
            self._grey = np.asarray(cv2.cvtColor(self.rgb, cv2.COLOR_RGB2GRAY), np.uint8)
        return self._grey

    @property
    def residual(self) -> NDArray[np.float32]:
        """The grey picture's absolute high-pass residual: fine detail and noise.

        The kernel (Immerkaer 1996) is the difference of two Laplacians, so it cancels
        smooth shading and most straight edges and keeps what varies pixel to pixel.
        """
        if self._residual is None:
            filtered = cv2.filter2D(self.grey.astype(np.float32), cv2.CV_32F, _NOISE_KERNEL)
            self._residual = np.abs(np.asarray(filtered, np.float32))
        return self._residual


def read_source(subject: AssessedFile) -> Source:
    """The subject's upright picture and, for a JPEG, its compression facts."""
    rgb = subject.image()
    jpeg = _jpeg_facts(subject) if subject.media.format.name == "jpeg" else None
    return Source(rgb, jpeg)


def _jpeg_facts(subject: AssessedFile) -> JpegFacts | None:
    # Opening reads the headers only; the pixels were decoded once, by the subject.
    with Image.open(subject.media.path) as image:
        tables = getattr(image, "quantization", None) or {}
        orientation = image.getexif().get(_ORIENTATION, 1)
    table = tables.get(_LUMA_TABLE)
    if table is None or len(table) != 64:  # noqa: PLR2004 - an 8 x 8 table
        return None
    quality, standard = estimate_quality(table)
    turn = orientation if isinstance(orientation, int) else 1
    return JpegFacts(tuple(int(step) for step in table), quality, standard, turn)
