"""The watermark's payload code: 64 bits, a CRC-32, and a convolutional code.

The 64-bit payload and the CRC-32 of its 8 bytes (96 bits) are encoded by a rate-1/3,
constraint-length-7 convolutional code (generators 133, 171, 165 octal) closed by six
zero tail bits: 306 coded bits. The reader decodes soft values with the Viterbi
algorithm and accepts the result only if the CRC matches, so on an unmarked image a
decode passes by chance with probability 2^-32 per attempt.
"""

from __future__ import annotations

import zlib
from functools import cache

import numpy as np
from numpy.typing import NDArray

PAYLOAD_BITS = 64
CRC_BITS = 32
_INFO_BITS = PAYLOAD_BITS + CRC_BITS
_CONSTRAINT = 7
_GENERATORS = (0o133, 0o171, 0o165)
_STATES = 1 << (_CONSTRAINT - 1)
CODED_BITS = (_INFO_BITS + _CONSTRAINT - 1) * len(_GENERATORS)


@cache
def _trellis() -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Next state and the coded symbols (+1 for a 0 bit, -1 for a 1 bit) per state and input."""
    next_state = np.zeros((_STATES, 2), np.int64)
    symbols = np.zeros((_STATES, 2, len(_GENERATORS)), np.float32)
    for state in range(_STATES):
        for bit in (0, 1):
            register = (bit << (_CONSTRAINT - 1)) | state
            next_state[state, bit] = register >> 1
            symbols[state, bit] = [1 - 2 * ((register & g).bit_count() & 1) for g in _GENERATORS]
    return next_state, symbols


def encode_payload(payload: int) -> NDArray[np.float32]:
    """The 306 coded symbols (+1/-1) that carry ``payload`` (0 <= payload < 2^64)."""
    if not 0 <= payload < 1 << PAYLOAD_BITS:
        raise ValueError(f"a watermark payload is a {PAYLOAD_BITS}-bit unsigned integer")
    data = payload.to_bytes(8, "big")
    info = np.unpackbits(np.frombuffer(data + zlib.crc32(data).to_bytes(4, "big"), np.uint8))
    next_state, symbols = _trellis()
    coded = np.empty((_INFO_BITS + _CONSTRAINT - 1, len(_GENERATORS)), np.float32)
    state = 0
    for step, bit in enumerate([*info.tolist(), *[0] * (_CONSTRAINT - 1)]):
        coded[step] = symbols[state, bit]
        state = int(next_state[state, bit])
    return coded.ravel()


def decode_payload(soft: NDArray[np.floating]) -> int | None:
    """The payload whose code best explains ``soft`` (positive means a 0 bit), or None
    when the decoded CRC does not match."""
    bits = _viterbi(np.asarray(soft, np.float32).reshape(-1, len(_GENERATORS)))
    raw = np.packbits(bits).tobytes()
    data, crc = raw[:8], raw[8:]
    if zlib.crc32(data).to_bytes(4, "big") != crc:
        return None
    return int.from_bytes(data, "big")


def _viterbi(soft: NDArray[np.float32]) -> NDArray[np.uint8]:
    _, symbols = _trellis()
    states = np.arange(_STATES)
    # A new state's top bit is the input; its two predecessors differ in the lowest bit.
    bit = states >> (_CONSTRAINT - 2)
    from_even = (states << 1) & (_STATES - 1)
    from_odd = from_even | 1
    even_symbols, odd_symbols = symbols[from_even, bit], symbols[from_odd, bit]
    metric = np.full(_STATES, -np.inf, np.float32)
    metric[0] = 0.0
    chose_odd = np.zeros((len(soft), _STATES), bool)
    for step, received in enumerate(soft):
        via_even = metric[from_even] + even_symbols @ received
        via_odd = metric[from_odd] + odd_symbols @ received
        chose_odd[step] = via_odd > via_even
        metric = np.where(chose_odd[step], via_odd, via_even)
    decoded = np.zeros(len(soft), np.uint8)
    state = 0  # the tail bits return the encoder to state 0
    for step in range(len(soft) - 1, -1, -1):
        decoded[step] = state >> (_CONSTRAINT - 2)
        state = ((state << 1) & (_STATES - 1)) | int(chose_odd[step, state])
    return decoded[:_INFO_BITS]
