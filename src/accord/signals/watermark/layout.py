"""Where the watermark's chips go in its tile, fixed forever by a published seed.

The mark is a tile of 32 x 32 chips repeated over the picture. A quarter of the chips
carry a known synchronisation pattern (it tells the reader where a tile starts and which
way up it is); the rest carry the coded payload, each coded symbol spread over about
2.5 chips per tile with a pseudo-random sign. Every choice here comes from SHA-256 of a
fixed label, not from a random generator whose stream could change between library
versions: a mark made today must read the same in ten years.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from accord.signals.watermark.coding import CODED_BITS

TILE = 32
SYNC_CHIPS = 256
#: Reader pixels per chip once the tile is brought back to its nominal size.
READ_PIXELS_PER_CHIP = 2
_SEED = "accord-watermark-v1"


@dataclass(frozen=True, slots=True)
class Layout:
    sync_chips: NDArray[np.int64]
    sync_signs: NDArray[np.float32]
    payload_chips: NDArray[np.int64]
    payload_signs: NDArray[np.float32]
    #: Which coded symbol each payload chip carries.
    payload_symbols: NDArray[np.int64]


def _bytes(label: str, count: int) -> NDArray[np.uint8]:
    out = bytearray()
    block = 0
    while len(out) < count:
        out += hashlib.sha256(f"{_SEED}/{label}/{block}".encode()).digest()
        block += 1
    return np.frombuffer(bytes(out[:count]), np.uint8)


def _signs(label: str, count: int) -> NDArray[np.float32]:
    return (_bytes(label, count) & 1).astype(np.float32) * 2 - 1


@cache
def layout() -> Layout:
    order = np.argsort(_bytes("layout", 4 * TILE * TILE).view("<u4"), kind="stable")
    payload_chips = order[SYNC_CHIPS:]
    return Layout(
        sync_chips=order[:SYNC_CHIPS],
        sync_signs=_signs("sync", SYNC_CHIPS),
        payload_chips=payload_chips,
        payload_signs=_signs("spread", len(payload_chips)),
        payload_symbols=np.arange(len(payload_chips)) % CODED_BITS,
    )


def tile_for(coded: NDArray[np.float32]) -> NDArray[np.float32]:
    """The 32 x 32 tile of chips (+1/-1) for the coded payload."""
    chips = layout()
    tile = np.zeros(TILE * TILE, np.float32)
    tile[chips.sync_chips] = chips.sync_signs
    tile[chips.payload_chips] = chips.payload_signs * coded[chips.payload_symbols]
    return tile.reshape(TILE, TILE)


@cache
def sync_template() -> NDArray[np.float32]:
    """The sync chips alone, drawn as the reader sees a tile: two pixels per chip, with
    the half-way pixels interpolated as the embedder's bilinear upscaling draws them."""
    chips = layout()
    tile = np.zeros(TILE * TILE, np.float32)
    tile[chips.sync_chips] = chips.sync_signs
    return upsample_tile(tile.reshape(TILE, TILE))


def upsample_tile(tile: NDArray[np.float32]) -> NDArray[np.float32]:
    """Periodic bilinear upsampling by two: chip (i, j) lands on pixel (2i, 2j)."""
    size = 2 * tile.shape[0]
    up = np.zeros((size, size), np.float32)
    up[::2, ::2] = tile
    up[1::2, ::2] = (tile + np.roll(tile, -1, 0)) / 2
    up[:, 1::2] = (up[:, ::2] + np.roll(up[:, ::2], -1, 1)) / 2
    return up
