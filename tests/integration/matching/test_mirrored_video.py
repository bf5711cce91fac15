"""A mirrored re-upload of a banked video is found (``vpdq_mirrored``), through
``POST /v1/match`` and HMA's ``POST /m/lookup``; unrelated videos, plain or mirrored,
are not; an unmirrored copy is found as before."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.factories import encode_h264, mirrored, moving_scene
from tests.integration.banks.test_banks_api import make_bank
from tests.integration.matching.test_match_api import bank_file, entries_of, match_file

pytestmark = pytest.mark.xdist_group("mirrored-video")

#: Seeds of videos unrelated to the banked one (seed 1).
UNRELATED = (101, 102, 103, 104, 105, 106)


@dataclass(frozen=True)
class Videos:
    original: Path
    copy: Path
    mirror: Path
    mirror_small: Path
    unrelated: tuple[Path, ...]


def _smaller(frames: list[np.ndarray], width: int, height: int) -> list[np.ndarray]:
    return [
        np.asarray(Image.fromarray(frame).resize((width, height), Image.Resampling.BILINEAR))
        for frame in frames
    ]


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Videos:
    folder = tmp_path_factory.mktemp("mirrored")
    frames = moving_scene(1)
    return Videos(
        original=encode_h264(folder / "original.mp4", frames),
        copy=encode_h264(folder / "copy.mp4", _smaller(frames, 160, 90), fps=25),
        mirror=encode_h264(folder / "mirror.mp4", mirrored(frames)),
        mirror_small=encode_h264(
            folder / "mirror-small.mp4", _smaller(mirrored(frames), 128, 72), fps=25
        ),
        unrelated=tuple(
            encode_h264(folder / f"other-{seed}.mp4", moving_scene(seed)) for seed in UNRELATED
        ),
    )


def test_a_mirrored_copy_is_found_and_said_to_be_mirrored(
    client: TestClient, videos: Videos
) -> None:
    make_bank(client)
    entry = bank_file(client, "DEEPFAKES", videos.original)
    for copy in (videos.mirror, videos.mirror_small):
        result = match_file(client, copy)
        assert entries_of(result) == {entry}, copy.name
        best = result["matches"][0]
        assert best["signal_type"] == "vpdq"
        assert best["detail"]["orientation"] == "flip_y"
        assert max(best["detail"]["query_percent"], best["detail"]["target_percent"]) >= 80
        # The mirrored frames are an intermediate of the lookup, not part of its answer.
        assert "vpdq" in result["signals"]
        assert "vpdq_mirrored" not in result["signals"]


def test_unmirrored_copies_match_as_before(client: TestClient, videos: Videos) -> None:
    make_bank(client)
    entry = bank_file(client, "DEEPFAKES", videos.original)
    for copy in (videos.original, videos.copy):
        result = match_file(client, copy)
        assert entries_of(result) == {entry}, copy.name
        assert "orientation" not in result["matches"][0]["detail"]
    assert result["matches"][0]["distance"] <= 10


def test_unrelated_videos_plain_or_mirrored_match_nothing(
    client: TestClient, videos: Videos, tmp_path: Path
) -> None:
    make_bank(client)
    bank_file(client, "DEEPFAKES", videos.original)
    for other in videos.unrelated[: len(UNRELATED) // 2]:
        bank_file(client, "DEEPFAKES", other)
    # Lookups by the others, and by their mirrors: neither form may find a banked video.
    for other in videos.unrelated[len(UNRELATED) // 2 :]:
        assert match_file(client, other)["matches"] == [], other.name
    seed = UNRELATED[-1]
    flipped = encode_h264(tmp_path / "other-mirror.mp4", mirrored(moving_scene(seed)))
    assert match_file(client, flipped)["matches"] == []


def test_hma_lookup_of_a_mirrored_upload(client: TestClient, videos: Videos) -> None:
    make_bank(client)
    entry = bank_file(client, "DEEPFAKES", videos.original)
    with videos.mirror.open("rb") as handle:
        posted = client.post("/m/lookup", files={"video": handle})
    assert posted.status_code == 200, posted.text
    found = posted.json()
    assert list(found) == ["vpdq"]
    assert [hit["bank_content_id"] for hit in found["vpdq"]["DEEPFAKES"]] == [entry]
    with videos.unrelated[0].open("rb") as handle:
        assert client.post("/m/lookup", files={"video": handle}).json() == {}
