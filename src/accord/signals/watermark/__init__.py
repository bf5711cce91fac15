"""accord's invisible image watermark: 64 bits that survive what social networks do.

A tile of 32 x 32 chips, a quarter of them a fixed sync pattern and the rest the
payload under a CRC-32 and a rate-1/3 convolutional code, is repeated over the
picture's luminance at a working resolution tied to the picture's size, and added at a
PSNR of 40.6 dB. Because the mark repeats, the reader finds its grid again after
cropping, scaling, slight rotation or framing in a screenshot (the autocorrelation of a
periodic pattern peaks on its lattice), folds all tiles into one, aligns it with the
sync pattern and decodes. A CRC check guards the answer: an unmarked picture reads as
marked with probability below 2e-9.

The pattern is public and fixed (``layout``), so anyone can read a mark and anyone can
try to remove or copy one: the mark points to a provenance record, and the record's
fingerprint and signature are what prove anything.
"""

from accord.signals.watermark.coding import PAYLOAD_BITS
from accord.signals.watermark.embedding import MIN_SIDE, TARGET_PSNR, embed_watermark
from accord.signals.watermark.reading import MAX_DECODE_ATTEMPTS, WatermarkReading, read_watermark

__all__ = [
    "MAX_DECODE_ATTEMPTS",
    "MIN_SIDE",
    "PAYLOAD_BITS",
    "TARGET_PSNR",
    "WatermarkReading",
    "embed_watermark",
    "read_watermark",
]
