"""Small malformed files at every entry point that reads an upload: a clean problem, never
a 500 (issue 21, item 1).

The three files the probe found (an ID3 header of 3 to 9 bytes, an MP4 whose tags are not
UTF-8, an MP4 without an ``stsd`` box), a GIF Pillow refuses as a bomb as it opens it (the
metadata fuzz target's find), and a decoder that fails in a way nobody foresaw.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.factories import bomb_gif, encode_h264

#: Each upload route and the multipart field it reads; ``/h/hash`` names the kind.
ROUTES = ("/v1/hash", "/v1/match", "/h/hash", "/v1/assess", "/v1/credentials/verify", "/verify")


def post(client: TestClient, route: str, name: str, data: bytes, kind: str) -> Any:
    field = ("video" if kind == "video" else "photo") if route == "/h/hash" else "file"
    return client.post(route, files={field: (name, data)})


def problem(response: Any) -> tuple[int, str]:
    """The status and the error's code (the Verify page answers HTML: its status only)."""
    if response.headers["content-type"].startswith("text/html"):
        return response.status_code, ""
    return response.status_code, response.json().get("code", "")


def short_id3(length: int) -> bytes:
    return b"ID3\x04\x00\x00\x00\x00\x00\x00"[:length]


@pytest.fixture(scope="module")
def tagged_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A small MP4 whose title tag is not UTF-8."""
    frames = [np.full((64, 64, 3), shade, np.uint8) for shade in (0, 90, 180)]
    path = encode_h264(tmp_path_factory.mktemp("tags") / "t.mp4", frames, fps=3, title="A" * 8)
    data = path.read_bytes()
    broken = data.replace(b"A" * 8, b"\xff\xfe\xfd\xfc\xc3\x28\xa0\xa1", 1)
    assert broken != data
    return broken


@pytest.mark.parametrize("route", ROUTES)
def test_short_id3_headers_are_corrupt_media(client: TestClient, route: str) -> None:
    for length in range(3, 10):
        response = post(client, route, "short.mp3", short_id3(length), "audio")
        status, code = problem(response)
        assert status == 422, (length, response.text)
        assert code in ("media.corrupt", ""), length


@pytest.mark.parametrize("route", ROUTES)
def test_an_mp4_without_stsd_is_refused_or_assessed_never_a_500(
    client: TestClient, corpus: Path, route: str
) -> None:
    mp4 = (corpus / "c2pa" / "video1_no_manifest.mp4").read_bytes()
    response = post(client, route, "no-stsd.mp4", mp4.replace(b"stsd", b"xxxx", 1), "video")
    status, code = problem(response)
    if route == "/v1/assess":  # an assessment reports what it could not read
        assert status == 200, response.text
    else:
        assert (status, code) in ((422, "media.corrupt"), (422, "")), response.text


@pytest.mark.parametrize("route", ROUTES)
def test_tags_that_are_not_utf8_do_not_stop_a_video(
    client: TestClient, tagged_mp4: bytes, route: str
) -> None:
    response = post(client, route, "tagged.mp4", tagged_mp4, "video")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("route", ROUTES)
def test_a_gif_bomb_is_never_a_500(client: TestClient, route: str) -> None:
    response = post(client, route, "bomb.gif", bomb_gif(), "image")
    status, _code = problem(response)
    assert status in (200, 413, 422), response.text  # assess reports, the rest refuse


@pytest.mark.parametrize("route", ROUTES)
def test_an_unforeseen_decoder_error_is_corrupt_media_and_logged(
    client: TestClient,
    corpus: Path,
    route: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The last resort: whatever Pillow or FFmpeg raise comes out as an accord error,
    with its traceback logged for whoever maintains the decoder."""

    def broken(*_args: object, **_kwargs: object) -> Any:
        raise IndexError("a decoder's own bug")

    def broken_av(*_args: object, **_kwargs: object) -> Any:
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    monkeypatch.setattr(Image, "open", broken)
    monkeypatch.setattr(av, "open", broken_av)
    photo = (corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg").read_bytes()
    video = (corpus / "c2pa" / "video1_no_manifest.mp4").read_bytes()
    with caplog.at_level(logging.ERROR, logger="accord.media"):
        for name, data, kind in (("photo.jpg", photo, "image"), ("clip.mp4", video, "video")):
            response = post(client, route, name, data, kind)
            status, code = problem(response)
            if route == "/v1/assess" and status == 200:
                continue  # a producer that could not read the file, reported in the answer
            assert (status, code) in ((422, "media.corrupt"), (422, "")), (name, response.text)
            if code:
                assert "in its decoder" in response.json()["detail"]
    if route in ("/v1/hash", "/v1/match", "/h/hash"):
        logged = [record for record in caplog.records if record.name == "accord.media"]
        assert logged
        assert all(record.exc_info for record in logged)
