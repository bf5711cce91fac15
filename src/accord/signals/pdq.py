"""PDQ, Meta's 256-bit perceptual image hash, through ``pdqhash`` (Meta's C++ code).

Values are 64 lowercase hex characters, most significant bit first: the convention of
python-threatexchange and HMA, so hashes exchange with them unchanged. Two images match
at a Hamming distance of 31 or less; a hash whose quality is below 50 (flat or tiny
pictures) is kept but marked unreliable, because such hashes match unrelated images.

``pdq_dihedral`` hashes all eight rotations and mirrorings of the picture (each the PDQ of
the turned picture itself, not pdqhash's sign-flipped DCT, which is 15-45 bits off on
textured pictures), so a rotated or flipped copy can be matched to its original.

``pdq_upscaled`` is a lookup's second look at a picture whose shorter side is under 128
pixels. Below that PDQ's box filter is one pixel wide: it samples the picture without
blurring it, so a small copy's hash follows its pixel grid more than its content (a 51-pixel
copy of a 128-pixel photo lands 36 bits from it; a 96-pixel copy of a 256-pixel one 54).
Hashed after a Lanczos upscale to 128 pixels, 33-112 pixel copies of the photos of
``benchmarks/small_pictures.py`` came 10-14 bits from their originals on average instead of
20-30, while unrelated pictures stayed 90 or more bits from every banked one. Banks keep
plain PDQ; the upscaled picture's eight orientations are looked up among it, as
``pdq_dihedral``'s are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pdqhash
from numpy.typing import NDArray
from PIL import Image

from accord.errors import InvalidSignal
from accord.media.image import DecodedImage
from accord.media.kinds import MediaKind
from accord.signals.base import Compared, Signal, SignalType, Subject
from accord.signals.pdq_matrix import GRID, TURNS, dihedral_hex, pdq_hex

PDQ_THRESHOLD = 31
PDQ_MIN_QUALITY = 50
_HEX = re.compile(r"[0-9a-f]{64}")
#: The orientations ``pdq_dihedral`` lists, in pdqhash's order.
DIHEDRAL_ORIENTATIONS = (
    "original", "rotate90", "rotate180", "rotate270",
    "flip_x", "flip_y", "flip_plus1", "flip_minus1",
)  # fmt: skip
#: Pictures with a shorter side under this get ``pdq_upscaled``: up to 128 pixels PDQ's
#: box filter is one pixel wide (``pdq_matrix.window_size``), so it does not blur at all.
UPSCALE_BELOW = 2 * GRID
#: The shorter side ``pdq_upscaled`` brings a small picture to; of 96 to 256 measured on
#: 33-112 pixel copies of 128-512 pixel photos, 128 came closest to the originals.
UPSCALED_SIDE = 2 * GRID
#: The longest side it may reach, so a thin strip is not blown up to millions of pixels.
MAX_UPSCALED_SIDE = 1024


def bits_to_hex(bits: NDArray[np.integer]) -> str:
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def pdq_hex_distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def pdq_of_pixels(pixels: NDArray[np.uint8]) -> tuple[str, int]:
    """PDQ hex and quality of an RGB array, by Meta's C++ (``pdqhash``)."""
    bits, quality = pdqhash.compute(np.ascontiguousarray(pixels))
    return bits_to_hex(bits), int(quality)


def pdq_of_picture(picture: DecodedImage, *, reference: bool) -> tuple[str, int]:
    """PDQ hex and quality of a decoded picture.

    ``reference`` runs Meta's C++ (``pdqhash``); otherwise the same algorithm runs as
    matrix products (``accord.signals.pdq_matrix``), bit-identical on full-size
    photographs, about five times faster, and able to hash a JPEG decoded at reduced scale.
    """
    if reference:
        return pdq_of_pixels(picture.pixels)
    return pdq_hex(picture.pixels, scale=picture.scale, full_shape=picture.full_shape)


def pdq_dihedral_of_picture(picture: DecodedImage, *, reference: bool) -> tuple[list[str], int]:
    """The eight orientations' PDQ hex hashes, in pdqhash's order, and the quality."""
    if reference:  # each orientation turned and hashed (see ``dihedral_hex``)
        hashes = [pdq_of_pixels(turn(picture.pixels)) for turn in TURNS]
        return [value for value, _ in hashes], hashes[0][1]
    return dihedral_hex(picture.pixels, scale=picture.scale, full_shape=picture.full_shape)


def upscale_factor(shape: tuple[int, ...]) -> float:
    """How much ``pdq_upscaled`` enlarges a picture of ``shape`` (height, width, ...): 1 for
    one large enough for PDQ to blur, or too long to enlarge."""
    short, long = sorted(shape[:2])
    if short >= UPSCALE_BELOW:
        return 1.0
    return max(1.0, min(UPSCALED_SIDE / short, MAX_UPSCALED_SIDE / long))


def upscaled(picture: DecodedImage) -> DecodedImage:
    """The picture enlarged (Lanczos) by ``upscale_factor``: smooth where PDQ will sample it."""
    pixels = picture.pixels
    height, width = pixels.shape[:2]
    factor = upscale_factor(pixels.shape)
    size = (round(width * factor), round(height * factor))
    enlarged = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.LANCZOS))
    return DecodedImage(enlarged, 1, enlarged.shape[:2])


def validate_pdq_hex(value: str) -> str:
    normalized = value.strip().lower()
    if not _HEX.fullmatch(normalized):
        raise InvalidSignal("a PDQ hash is 64 hexadecimal characters")
    return normalized


class Pdq(SignalType):
    name = "pdq"
    media_kinds = frozenset({MediaKind.IMAGE})
    threshold = float(PDQ_THRESHOLD)
    description = "PDQ perceptual hash (256 bits, 64 hex); matches at distance <= 31"
    hma_name = "pdq"
    hma_kinds = frozenset({MediaKind.IMAGE})
    compares = Compared.PICTURE
    matched_by = "the same picture (perceptual hash)"
    #: Lookups bring it as the first of ``pdq_dihedral``'s orientations.
    looked_up = False
    soft_binding = "org.accord.pdq.1"

    def compute(self, subject: Subject) -> Signal:
        value, quality = pdq_of_picture(subject.picture(), reference=subject.exact)
        return Signal(self.name, value, quality, reliable=quality >= PDQ_MIN_QUALITY)

    @classmethod
    def validate(cls, value: str) -> str:
        return validate_pdq_hex(value)

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return float(pdq_hex_distance(cls.validate(a), cls.validate(b)))

    @classmethod
    def similarity(cls, distance: float) -> int:
        """The share of the 256 bits alike."""
        return round(100 * (1 - distance / 256))

    @classmethod
    def examples(cls) -> Sequence[str]:
        return [
            "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
            "0" * 64,
        ]


class PdqDihedral(SignalType):
    """The eight PDQ hashes of a picture's rotations and flips, comma-separated.

    The first is the plain PDQ hash. The distance between two values is the smallest
    distance between one's plain hash and any orientation of the other, so a copy turned
    by 90 degrees or mirrored is as close to its original as an unrotated copy would be.
    """

    name = "pdq_dihedral"
    media_kinds = frozenset({MediaKind.IMAGE})
    threshold = float(PDQ_THRESHOLD)
    description = "PDQ of all 8 rotations/flips (comma-separated), to match turned copies"
    compares = Compared.PICTURE
    matched_by = "the same picture, turned or mirrored"
    #: A query form: banks keep plain PDQ, and each orientation is looked up among it.
    banked = False
    index_type = Pdq.name

    def compute(self, subject: Subject) -> Signal:
        hashes, quality = pdq_dihedral_of_picture(subject.picture(), reference=subject.exact)
        return Signal(self.name, ",".join(hashes), quality, reliable=quality >= PDQ_MIN_QUALITY)

    @classmethod
    def validate(cls, value: str) -> str:
        parts = [part.strip().lower() for part in value.split(",")]
        if len(parts) != len(DIHEDRAL_ORIENTATIONS) or not all(map(_HEX.fullmatch, parts)):
            msg = f"{cls.name} is eight 64-hex PDQ hashes separated by commas"
            raise InvalidSignal(msg)
        return ",".join(parts)

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        first, second = cls.validate(a).split(","), cls.validate(b).split(",")
        turned_second = (pdq_hex_distance(first[0], other) for other in second)
        turned_first = (pdq_hex_distance(second[0], other) for other in first)
        return float(min(*turned_second, *turned_first))

    @classmethod
    def examples(cls) -> Sequence[str]:
        return [",".join(hex(i)[2:] * 64 for i in range(8)), ",".join(["f" * 64] * 8)]


class PdqUpscaled(PdqDihedral):
    """``pdq_dihedral`` of a small picture enlarged to 128 pixels: a query form, looked up
    among banked PDQ hashes, for copies too small for PDQ to blur (see the module
    documentation). Pictures of 128 pixels or more do not take it, and cost nothing more."""

    name = "pdq_upscaled"
    description = (
        "PDQ of all 8 rotations/flips of a picture under 128 px, upscaled to 128 px first; "
        "looked up among banked PDQ hashes to find very small copies"
    )
    matched_by = "the same picture, in a very small copy"
    #: Lookups compute it; ``hash_file`` without named types gives what banks keep.
    default = False
    #: Of use only inside the lookup.
    answered = False

    def applies(self, subject: Subject) -> bool:
        if not super().applies(subject):
            return False
        # The picture's full size; decoding it costs nothing here, PDQ decodes it anyway.
        return upscale_factor(subject.picture().full_shape) > 1

    def compute(self, subject: Subject) -> Signal:
        picture = upscaled(subject.picture())
        hashes, quality = pdq_dihedral_of_picture(picture, reference=subject.exact)
        return Signal(self.name, ",".join(hashes), quality, reliable=quality >= PDQ_MIN_QUALITY)
