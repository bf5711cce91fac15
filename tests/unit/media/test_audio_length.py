"""A container's stated length is checked against its packets: one that states less than
it holds must not hide the rest, one that states more must not stretch the plan."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from numpy.typing import NDArray

from accord.errors import MediaTooLarge
from accord.media.audio import audio_seconds, decode_audio_windows
from accord.media.file import open_media
from accord.media.limits import MediaLimits
from tests.unit.speech.conftest import matroska_stating

RATE = 16000
SECONDS = 40.0
BURSTS = (5.0, 35.0)


def bursts() -> NDArray[np.float32]:
    samples = np.zeros(round(SECONDS * RATE), np.float32)
    t = np.arange(round(0.2 * RATE)) / RATE
    for at in BURSTS:
        samples[round(at * RATE) : round(at * RATE) + len(t)] = 0.5 * np.sin(2000 * np.pi * t)
    return samples


def stated(path: Path) -> float:
    with av.open(str(path)) as container:
        assert container.duration is not None
        return container.duration / 1_000_000


def test_a_container_that_states_less_than_it_holds_is_measured_by_its_packets(
    tmp_path: Path,
) -> None:
    path = matroska_stating(tmp_path / "short.mka", bursts(), stated=10.0)
    assert stated(path) == pytest.approx(10.0)  # the lie, as FFmpeg reads it
    media = open_media(path)
    assert audio_seconds(media) == pytest.approx(SECONDS, abs=0.05)
    [late] = decode_audio_windows(media, [(30.0, 40.0)], sample_rate=RATE)
    loud = np.flatnonzero(np.abs(late.samples) > 0.1)
    assert 30.0 + loud[0] / RATE == pytest.approx(BURSTS[1], abs=0.03)  # past the stated end


def test_one_that_states_more_than_it_holds_is_measured_by_its_packets_too(
    tmp_path: Path,
) -> None:
    path = matroska_stating(tmp_path / "long.mka", bursts(), stated=3600.0)
    assert audio_seconds(open_media(path)) == pytest.approx(SECONDS, abs=0.05)


def test_a_true_statement_stands(tmp_path: Path) -> None:
    path = matroska_stating(tmp_path / "true.mka", bursts(), stated=SECONDS)
    assert audio_seconds(open_media(path)) == pytest.approx(SECONDS, abs=0.05)


def test_an_understated_length_does_not_slip_past_the_duration_limit(tmp_path: Path) -> None:
    path = matroska_stating(tmp_path / "short.mka", bursts(), stated=10.0)
    media = open_media(path, limits=MediaLimits(max_duration_seconds=20.0))
    with pytest.raises(MediaTooLarge, match="more than 20 s"):
        audio_seconds(media)
