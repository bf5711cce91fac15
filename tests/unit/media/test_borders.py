"""Border detection: bars and solid frames are found; content, however plain, is kept."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from accord.media.borders import Crop, detect_borders, remove_borders

RNG_SEED = 11


def texture(height: int, width: int, seed: int) -> NDArray[np.uint8]:
    """A smooth random colour picture: no row or column of it is flat."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 8 + 1, width // 8 + 1, 3), np.uint8)
    big = Image.fromarray(small).resize(
        (small.shape[1] * 8, small.shape[0] * 8), Image.Resampling.BICUBIC
    )
    return np.asarray(big)[:height, :width].copy()


def framed(
    content: NDArray[np.uint8],
    *,
    top: int = 0,
    bottom: int = 0,
    left: int = 0,
    right: int = 0,
    colour: tuple[int, int, int] = (0, 0, 0),
    noise: float = 0.0,
    seed: int = RNG_SEED,
) -> NDArray[np.uint8]:
    """``content`` inside a solid border, with codec-like noise added everywhere."""
    height, width = content.shape[:2]
    out = np.empty((height + top + bottom, width + left + right, 3), np.float32)
    out[:] = colour
    out[top : top + height, left : left + width] = content
    if noise:
        out += np.random.default_rng(seed).normal(0, noise, out.shape)
    return np.clip(out, 0, 255).round().astype(np.uint8)


def clip(count: int = 6, height: int = 180, width: int = 320) -> list[NDArray[np.uint8]]:
    """Frames of unrelated content, as sampled from a video over time."""
    return [texture(height, width, seed) for seed in range(count)]


def test_letterbox() -> None:
    frames = [framed(c, top=30, bottom=30, noise=1.5) for c in clip()]
    crop = detect_borders(frames)
    assert (crop.top, crop.bottom, crop.left, crop.right) == (30, 30, 0, 0)
    assert crop.apply(frames[0]).shape == (180, 320, 3)


def test_pillarbox_in_grey() -> None:
    frames = [framed(c, left=70, right=70, colour=(128, 128, 128), noise=1.5) for c in clip()]
    crop = detect_borders(frames)
    assert (crop.top, crop.bottom, crop.left, crop.right) == (0, 0, 70, 70)


def test_screen_recording_in_a_coloured_frame() -> None:
    frames = [
        framed(c, top=12, bottom=40, left=25, right=9, colour=(40, 60, 200), noise=2.0)
        for c in clip()
    ]
    crop = detect_borders(frames)
    assert (crop.top, crop.bottom, crop.left, crop.right) == (12, 40, 25, 9)


def test_plain_content_is_not_a_border() -> None:
    assert detect_borders(clip()).is_empty
    assert detect_borders(clip(count=1)).is_empty


def test_flat_frames_are_ignored() -> None:
    black = np.zeros((240, 320, 3), np.uint8)
    frames = [black, *(framed(c, top=30, bottom=30) for c in clip()), black]
    assert detect_borders(frames) == Crop(30, 30, 0, 0, height=240, width=320)
    assert detect_borders([black, black]).is_empty
    assert detect_borders([]).is_empty


def test_a_flat_band_that_changes_colour_is_content() -> None:
    # A sky that is flat in every frame but turns from blue to orange is not a bar.
    frames = [
        framed(c, top=40, colour=colour)
        for c, colour in zip(clip(3), [(40, 80, 200), (100, 90, 150), (230, 140, 40)], strict=True)
    ]
    assert detect_borders(frames).top == 0


def test_a_still_picture_uses_flatness_alone() -> None:
    picture = framed(texture(180, 320, 3), top=20, bottom=20, left=5, right=5, noise=1.0)
    assert remove_borders(picture).shape == (180, 320, 3)


def test_more_than_forty_percent_flat_is_content() -> None:
    # The top half of the picture is one colour: a plain wall, not a bar; the bar below is.
    content = texture(100, 320, 5)
    content[:50] = (90, 90, 90)
    frames = [framed(content, bottom=10)]
    crop = detect_borders(frames)
    assert (crop.top, crop.bottom) == (0, 10)


def test_too_little_left_means_no_crop() -> None:
    # A 20-pixel strip between 150-pixel bars keeps 6% of the width: not a picture to hash.
    frames = [framed(c[:, :20], left=150, right=150) for c in clip()]
    assert detect_borders(frames).is_empty


def test_vertical_video_pillarboxed_in_a_wide_frame_is_kept() -> None:
    # 9:16 inside 16:9 keeps 31.6% of the width, above the 30% floor.
    frames = [framed(c[:, :102], left=109, right=109) for c in clip(height=180, width=102)]
    crop = detect_borders(frames)
    assert (crop.left, crop.right) == (109, 109)


def test_gray_frames() -> None:
    frames = [framed(c, top=16, bottom=16, noise=1.0).mean(axis=2).astype(np.uint8) for c in clip()]
    crop = detect_borders(frames)
    assert (crop.top, crop.bottom) == (16, 16)
    assert crop.apply(frames[0]).shape == (180, 320)


def test_frames_of_another_size_are_ignored() -> None:
    frames = [framed(c, top=30, bottom=30) for c in clip()]
    crop = detect_borders([*frames, texture(50, 60, 9)])
    assert (crop.top, crop.bottom) == (30, 30)


def test_crop_scales_to_another_size() -> None:
    crop = Crop(top=10, bottom=20, left=4, right=8, height=100, width=200)
    assert crop.apply(np.zeros((200, 400, 3), np.uint8)).shape == (140, 376, 3)
    assert crop.apply(np.zeros((100, 200), np.uint8)).shape == (70, 188)
    nothing = np.zeros((5, 5, 3), np.uint8)
    assert Crop().apply(nothing) is nothing
    # A crop that would leave nothing leaves the picture alone.
    assert Crop(top=3, bottom=3).apply(nothing) is nothing
