"""The decode boundary: whatever a third-party decoder raises leaves as an accord error.

FFmpeg (through PyAV), Pillow and c2pa read files anyone can write, and on malformed
input each raises its own errors, some of them plain Python ones (``IndexError``,
``UnicodeDecodeError``, ``AttributeError``) that the code around them cannot foresee.
Every decoding entry point of the library runs inside ``decoding``: accord's own errors
pass through, anything else is logged with its traceback (a decoder bug worth reporting)
and becomes ``CorruptMedia``, so a request answers 422, not 500, and a CLI run goes on
with its next file. The specific causes are still fixed where they are found; this is
the last resort.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from accord.errors import AccordError, CorruptMedia, MediaTooLarge

logger = logging.getLogger("accord.media")
# A library's logging idiom: without a configured handler the traceback goes nowhere
# (Python would print it to stderr, over a CLI's one-line report); the server's handlers
# still receive it.
logger.addHandler(logging.NullHandler())


@contextmanager
def decoding(what: str) -> Iterator[None]:
    """Turn anything but an accord error raised in the block into ``CorruptMedia``;
    ``what`` names the input in the error ("video", "image's metadata")."""
    try:
        yield
    except AccordError:
        raise
    except MemoryError as error:
        # A file whose decoding would not fit: too large for here, not corrupt.
        raise MediaTooLarge(f"the {what} needs more memory to decode than there is") from error
    except RecursionError as error:
        raise CorruptMedia(f"the {what} is nested too deeply to decode") from error
    except Exception as error:
        logger.exception("unexpected %s from the %s decoder", type(error).__name__, what)
        raise CorruptMedia(
            f"the {what} cannot be decoded ({type(error).__name__} in its decoder)"
        ) from error
