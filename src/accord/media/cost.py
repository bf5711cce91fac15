"""What decoding a file will cost in memory, estimated from its headers before decoding.

A server shares one memory budget among the files it decodes at once
(``accord.server.decoding``); each file is admitted with this estimate. It is read from
what the headers say (a picture's size, a video's frame size and length, an audio track's
length), so a 231 KB PNG that decodes to 80 megapixels is priced as 80 megapixels.

The figures are peak resident memory over the process's, measured with ``ru_maxrss``
while hashing (every default signal, a bank's signals and a lookup's):

- a picture: 6.5 times its RGB bytes (an 80 MP PNG: 1.49 GB over 240 MB of RGB), for
  the decoder's pixels, the RGB array, the float luma PDQ works on and its scaled copies;
- a video frame: 8.5 times its RGB bytes with FFmpeg's decoding threads on 2 cores
  (1080p: 50 MB), for the reference frames, the frames in flight and the converted
  sample. Each further thread holds one more YUV 4:2:0 frame, half the RGB bytes;
- audio: 2.3 times its samples as mono float32 at 11,025 Hz (10 minutes: 57 MB over
  26 MB), for the resampled clip and the fingerprint's spectrogram.

A lookup of a large JPEG decodes it reduced and takes less: the estimate is what the
full decode would take, so it never undercounts.
"""

from __future__ import annotations

import io
import os
import warnings

from PIL import Image

from accord.errors import MediaError, MediaTooLarge
from accord.media.audio import audio_seconds
from accord.media.boundary import decoding
from accord.media.file import MediaFile
from accord.media.kinds import MediaKind
from accord.media.video import probe_video

#: Bytes of memory per pixel of a decoded picture: RGB's 3, times 6.5 (measured above).
PICTURE_BYTES_PER_PIXEL = 3 * 6.5
#: Bytes per pixel of a video frame with FFmpeg's own copies, before its threads' frames.
FRAME_BYTES_PER_PIXEL = 3 * 7.5
#: Bytes per pixel that each FFmpeg decoding thread adds: one YUV 4:2:0 frame.
THREAD_FRAME_BYTES_PER_PIXEL = 1.5
#: FFmpeg starts a decoding thread per core, up to this many.
_MAX_DECODER_THREADS = 16
#: Bytes of memory per second of audio: float32 at 11,025 Hz, times 2.3 (measured above).
AUDIO_BYTES_PER_SECOND = 4 * 11025 * 2.3


def decode_cost(media: MediaFile) -> int:
    """Bytes of memory that decoding ``media`` takes at its peak, from its headers.

    Raises the ``MediaError`` that decoding would raise where the headers cannot be read.
    """
    if media.kind is MediaKind.IMAGE:
        return _picture_cost(media)
    if media.kind is MediaKind.VIDEO:
        return _video_cost(media)
    return _audio_cost(audio_seconds(media))


def picture_pixels(media: MediaFile) -> int:
    """A picture's pixels, as its header says, without decoding it."""
    with decoding(f"{media.format.name} image's header"):
        try:
            # Pillow refuses past its own bomb limit; ours is checked when decoding.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image = Image.open(media.path)
        except Image.DecompressionBombError as error:
            raise MediaTooLarge(f"decompression bomb: {error}") from error
        with image:
            width, height = image.size
    return width * height


def head_picture_pixels(head: bytes) -> int | None:
    """A picture's pixels from the first bytes of its file; None where they do not hold
    its header (or are no picture Pillow reads)."""
    try:
        with decoding("picture's header"), warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            try:
                with Image.open(io.BytesIO(head)) as image:
                    width, height = image.size
            except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
                return None  # cut short, or no picture
    except MediaError:
        return None  # a decoder's bug (logged): decoding the file proper meets it too
    return width * height


def picture_cost(pixels: int) -> int:
    return round(pixels * PICTURE_BYTES_PER_PIXEL)


def _picture_cost(media: MediaFile) -> int:
    return picture_cost(picture_pixels(media))


def _video_cost(media: MediaFile) -> int:
    info = probe_video(media)
    threads = min(os.cpu_count() or 1, _MAX_DECODER_THREADS)
    per_pixel = FRAME_BYTES_PER_PIXEL + threads * THREAD_FRAME_BYTES_PER_PIXEL
    frames = round(info.width * info.height * per_pixel)
    if not info.has_audio:
        return frames
    seconds = info.duration if info.duration is not None else audio_seconds(media)
    return frames + _audio_cost(seconds)


def _audio_cost(seconds: float) -> int:
    return round(max(0.0, seconds) * AUDIO_BYTES_PER_SECOND)
