"""The public Verify page over HTTP: cards for every state, errors as pages, its limits."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pydantic import SecretStr
from sqlalchemy.orm import Session

from accord.provenance.certificates import IssuerName
from accord.provenance.signing import SourceType
from accord.server.credentials.models import ProvenanceRecord
from accord.server.credentials.service import Signing, revoke_record, sign_for_issuer
from accord.server.issuers.service import create_issuer
from accord.server.page_security import CONTENT_SECURITY_POLICY
from tests.conftest import Hostile

MASTER = "the master key of this test instance"
HTMX = {"HX-Request": "true"}
_STATE = re.compile(r'data-state="(\w+)"')


def check(client: TestClient, name: str, content: bytes, *, htmx: bool = False) -> httpx2.Response:
    return client.post("/verify", files={"file": (name, content)}, headers=HTMX if htmx else None)


def state_of(response: httpx2.Response) -> str:
    found = _STATE.search(response.text)
    assert found, response.text
    return found.group(1)


def sign_here(
    client: TestClient, session: Session, photo: Path, title: str = "Bridge"
) -> tuple[ProvenanceRecord, bytes]:
    """``photo`` signed by a new issuer of the client's instance, with its record."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime = replace(
        runtime, settings=runtime.settings.model_copy(update={"master_key": SecretStr(MASTER)})
    )
    create_issuer(session, "ec", IssuerName("Electoral Commission", "EC"), MASTER)
    record, signed = sign_for_issuer(
        runtime, session, photo, Signing("ec", SourceType.CAMERA, title)
    )
    return record, signed.data


def reencoded(data: bytes) -> bytes:
    """What a platform makes of a signed photo: smaller, recompressed, credentials gone."""
    copy = io.BytesIO()
    with Image.open(io.BytesIO(data)) as picture:
        picture.resize((picture.width // 2, picture.height // 2)).save(copy, "JPEG", quality=75)
    return copy.getvalue()


def tampered(data: bytes) -> bytes:
    """One bit changed in the picture data near its end, after the manifest, so the file
    still decodes: never a byte that would become a JPEG marker (0xFF), nor the one after
    a 0xFF (a random flip there broke the picture in about one signing in 80)."""
    changed = bytearray(data)
    position = next(
        at
        for at in range(len(data) - 200, 0, -1)
        if data[at] not in (0x00, 0xFE, 0xFF) and data[at - 1] != 0xFF
    )
    changed[position] ^= 0x01
    return bytes(changed)


@pytest.fixture
def photo(corpus: Path) -> Path:
    return corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"


def test_the_form_page_works_without_script_and_loads_only_local_files(
    client: TestClient,
) -> None:
    page = client.get("/verify")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    html = page.text
    form = re.search(r"<form[^>]*>", html)
    assert form
    for attribute in ('action="/verify"', 'method="post"', 'enctype="multipart/form-data"'):
        assert attribute in form.group(0)
    assert re.search(r'<input[^>]*type="file"', html)
    assert 'name="file"' in html
    # No inline script or style: every script is a file of this origin.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/verify/static/htmx.min.js?v=0.1.0" defer>',
        '<script src="/verify/static/verify.js?v=0.1.0" defer>',
    ]
    assert "<style" not in html
    assert " style=" not in html
    assert "No account needed" in html
    assert "nothing is kept" in html
    for name, kind in (
        ("htmx.min.js", "text/javascript"),
        ("verify.js", "text/javascript"),
        ("verify.css", "text/css"),
        ("htmx.LICENSE.txt", "text/plain"),
    ):
        served = client.get(f"/verify/static/{name}")
        assert served.status_code == 200, name
        assert served.headers["content-type"].startswith(kind), name
    assert "Zero-Clause BSD" in client.get("/verify/static/htmx.LICENSE.txt").text
    assert client.get("/verify/static/%2e%2e/router.py").status_code == 404


def test_a_file_signed_here_gets_a_trusted_card(
    client: TestClient, db_session: Session, photo: Path
) -> None:
    _, signed = sign_here(client, db_session, photo)
    page = check(client, "bridge.jpg", signed)
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert state_of(page) == "trusted"
    html = page.text
    assert html.startswith("<!doctype html>")
    for words in (
        ">Trusted<",
        "<strong>Electoral Commission</strong>",
        "Bridge",
        "Captured by a camera or recorder",
        "What this does not prove",
        "they do not prove that the declarations are true",
        "Who signed",
        "With what tool",
        "Edits and ingredients",
    ):
        assert words in html, words
    assert "Looks like a file signed here" not in html  # intact: no registry lookup
    fragment = check(client, "bridge.jpg", signed, htmx=True)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith("<article")
    assert state_of(fragment) == "trusted"
    assert fragment.headers["vary"] == "HX-Request"


def test_a_stripped_or_tampered_copy_shows_the_original_and_its_thumbnail(
    client: TestClient, db_session: Session, photo: Path
) -> None:
    record, signed = sign_here(client, db_session, photo)
    page = check(client, "copy.jpg", reencoded(signed), htmx=True)
    assert page.status_code == 200
    assert state_of(page) == "none"
    assert "Looks like a file signed here" in page.text
    assert "“Bridge”" in page.text
    assert "Signed by <strong>Electoral Commission</strong>" in page.text
    url = f"/verify/originals/{record.id}/thumbnail"
    assert f'<img src="{url}"' in page.text
    thumbnail = client.get(url)
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"] == "image/jpeg"
    assert thumbnail.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(thumbnail.content)) as picture:
        assert max(picture.size) <= 256

    changed = check(client, "tampered.jpg", tampered(signed), htmx=True)
    assert state_of(changed) == "invalid"
    assert "Invalid: the file&#39;s content changed after signing." in changed.text
    assert f'<img src="{url}"' in changed.text

    revoke_record(db_session, record.id, "issued in error")
    for missing in (
        url,
        f"/verify/originals/{'0' * 32}/thumbnail",
        "/verify/originals/x/thumbnail",
    ):
        refused = client.get(missing)
        assert refused.status_code == 404, missing
        assert refused.headers["content-type"].startswith("application/problem+json")


def test_corpus_files_get_their_states_and_malformed_ones_an_error(
    client_with: Callable[..., TestClient], corpus: Path, hostile_files: dict[str, Hostile]
) -> None:
    client = client_with(verify_rate_limit_per_minute=1000)
    folder = corpus / "c2pa"
    expected = json.loads((folder / "expected.json").read_text())
    for name, facts in expected.items():
        page = check(client, name, (folder / name).read_bytes(), htmx=True)
        if name in hostile_files:  # accord's intake refuses these before c2pa reads them
            assert 400 <= page.status_code < 500, name
            assert 'role="alert"' in page.text, name
            continue
        assert page.status_code == 200, (name, page.text)
        if facts["manifest"]:
            wanted = str(facts["validation_state"]).lower()
        elif "Remote" in facts["error"]:
            wanted = "remote"
        else:
            wanted = "none"
        assert state_of(page) == wanted, name
    labels = {
        "C.jpg": "Valid but unknown signer",
        "XCA.jpg": "Invalid",
        "cloud.jpg": "Not checked",
        "no_manifest.jpg": "No credentials",
    }
    for name, label in labels.items():
        assert f"<span>{label}</span>" in check(client, name, (folder / name).read_bytes()).text
    invalid = check(client, "XCA.jpg", (folder / "XCA.jpg").read_bytes()).text
    assert "Invalid: the file&#39;s content changed after signing." in invalid
    assert "<code>assertion.dataHash.mismatch</code>" in invalid


def test_bad_uploads_get_readable_errors_and_the_page_keeps_serving(
    client_with: Callable[..., TestClient], hostile_files: dict[str, Hostile]
) -> None:
    client = client_with(verify_rate_limit_per_minute=1000)
    cases = {
        "truncated.jpg": (422, "Corrupt or truncated media"),
        "empty.jpg": (422, "Empty file"),
        "random.bin": (415, "Unsupported media type"),
        "pixel-bomb.png": (413, "Media exceeds a limit"),
    }
    for name, (status, title) in cases.items():
        content = hostile_files[name].path.read_bytes()
        for htmx in (False, True):
            page = check(client, name, content, htmx=htmx)
            assert page.status_code == status, (name, page.text)
            assert page.headers["content-type"].startswith("text/html")
            assert f'<h2 tabindex="-1">{title}</h2>' in page.text, name
            assert 'role="alert"' in page.text
            assert page.text.lstrip().startswith("<!doctype html>") is not htmx
    nothing = client.post("/verify", files={"file": ("", b"")})
    assert (nothing.status_code, "No file chosen" in nothing.text) == (400, True)
    not_a_form = client.post("/verify", content=b"file=x", headers={"content-type": "text/plain"})
    assert not_a_form.status_code == 400
    assert client.get("/verify").status_code == 200


def test_uploads_over_the_limit_get_a_413_page(
    client_with: Callable[..., TestClient], corpus: Path
) -> None:
    content = (corpus / "c2pa" / "C.jpg").read_bytes()  # 130 KB
    # Refused by its declared length, before the body is read ...
    small = client_with(verify_max_upload_bytes=10_000)
    for htmx in (False, True):
        page = check(small, "C.jpg", content, htmx=htmx)
        assert page.status_code == 413
        assert page.headers["content-type"].startswith("text/html")
        assert "File too large" in page.text
        assert "up to 9.77 KB" in page.text
    # ... or, within the form's allowance, where it is spooled; the API's limit applies too.
    for limited in (
        client_with(verify_max_upload_bytes=len(content) - 1000),
        client_with(max_upload_bytes=len(content) - 1000),
    ):
        page = check(limited, "C.jpg", content)
        assert (page.status_code, "File too large" in page.text) == (413, True)
    assert check(client_with(), "C.jpg", content).status_code == 200
    # A body without a declared length is cut off by the app's limit as it streams in.
    boundary = "verify-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="C.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    chunked = client_with(max_upload_bytes=50_000).post(
        "/verify",
        content=iter([body[i : i + 16_384] for i in range(0, len(body), 16_384)]),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert "content-length" not in chunked.request.headers
    assert (chunked.status_code, "File too large" in chunked.text) == (413, True)


def test_each_address_has_a_rate_limit(
    client_with: Callable[..., TestClient], corpus: Path
) -> None:
    limited = client_with(verify_rate_limit_per_minute=2)
    content = (corpus / "c2pa" / "no_manifest.jpg").read_bytes()
    assert [check(limited, "a.jpg", content).status_code for _ in range(2)] == [200, 200]
    for htmx in (False, True):
        refused = check(limited, "a.jpg", content, htmx=htmx)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert "Too many checks" in refused.text
        assert "2 files a minute" in refused.text
    assert limited.get("/verify").status_code == 200  # reading the page is not limited


def test_file_names_and_manifest_strings_are_escaped(
    client: TestClient, db_session: Session, photo: Path
) -> None:
    hostile = "<script>alert(1)</script>&amp;.jpg"
    page = check(client, hostile, photo.read_bytes())
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;.jpg" in page.text
    assert "<script>alert" not in page.text
    _, signed = sign_here(client, db_session, photo, title='<img src=x onerror="alert(1)">')
    card = check(client, "signed.jpg", signed, htmx=True)
    assert state_of(card) == "trusted"
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in card.text
    assert "<img src=x" not in card.text


def test_uploads_are_deleted_unless_the_operator_keeps_them(
    client_with: Callable[..., TestClient], corpus: Path, tmp_path: Path
) -> None:
    content = (corpus / "c2pa" / "C.jpg").read_bytes()
    plain = client_with()
    assert check(plain, "C.jpg", content).status_code == 200
    assert check(plain, "bad.jpg", content[:1000]).status_code == 422
    uploads = plain.app.state.runtime.settings.upload_dir  # type: ignore[attr-defined]
    assert list(uploads.iterdir()) == []

    keep = tmp_path / "kept"
    keeping = client_with(verify_keep_uploads_dir=keep)
    page = check(keeping, "C.jpg", content)
    assert "keeps a copy of each file checked here" in page.text
    check(keeping, "again.jpg", content)
    kept = keep / hashlib.sha256(content).hexdigest()
    assert [path.name for path in keep.iterdir()] == [kept.name]
    assert kept.read_bytes() == content
    assert list(uploads.iterdir()) == []


def test_an_unexpected_failure_is_a_page_too(
    client: TestClient, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("accord.server.verify_page.pages.verify_and_trace", broken)
    page = check(client, "C.jpg", (corpus / "c2pa" / "C.jpg").read_bytes(), htmx=True)
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in page.text
    assert "a bug" not in page.text
