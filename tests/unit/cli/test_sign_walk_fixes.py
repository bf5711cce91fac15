"""What a new user's walk through ``accord sign`` and ``accord verify`` found wrong:
unreadable marks declared, a trusted parent judged untrusted, revoked records shown as
trusted, source type spellings refused, an unsigned parent unlinked, silent skips and
duplicate records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from PIL import Image

from tests.unit.cli.conftest import accord

BRIDGE = Path("pdq") / "reg-test-input" / "dih" / "bridge-1-original.jpg"


def _issuer() -> None:
    code, _, stderr = accord(
        "issuer", "create", "electoral-commission", "--organization", "Electoral Commission"
    )
    assert code == 0, stderr


def _signed_lines(stdout: str) -> dict[str, str]:
    """File name to the note column of each line ``accord sign`` printed."""
    return {Path(line.split("\t")[0]).name: line.split("\t")[2] for line in stdout.splitlines()}


def _verify(path: Path) -> dict[str, Any]:
    code, stdout, stderr = accord("verify", "--json", path)
    assert code == 0, stderr
    answer: dict[str, Any] = json.loads(stdout)
    return answer


def _record_id(note: str) -> str:
    return note.split()[1]


def test_a_mark_that_does_not_read_back_is_not_declared(corpus: Path, tmp_path: Path) -> None:
    _issuer()
    earth = corpus / "c2pa" / "earth_apollo17.jpg"  # 375 x 375: takes a mark it loses
    code, stdout, stderr = accord(
        "sign", earth, "--issuer", "electoral-commission", "--out-dir", tmp_path
    )
    assert code == 0, stderr
    note = _signed_lines(stdout)["earth_apollo17.jpg"]
    assert "(not watermarked: the mark did not read back from the saved picture" in note
    assert "watermarked " + _record_id(note)[:16] not in note
    verified = _verify(tmp_path / "earth_apollo17.signed.jpg")
    assert verified["state"] == "trusted"
    assert verified["watermark"] is None  # neither declared nor found: nothing "missing"
    assert "c2pa.watermarked" not in verified["credential"]["actions"]


def test_sign_says_why_each_picture_is_left_unmarked(corpus: Path, tmp_path: Path) -> None:
    _issuer()
    palette = tmp_path / "palette.png"
    with Image.open(corpus / BRIDGE) as photo:
        photo.convert("P").save(palette)
    files = [
        corpus / "pdq" / "misc-images" / "c.png",  # RGBA
        corpus / "pdq" / "misc-images" / "wee.jpg",  # 34 x 42
        corpus / "c2pa" / "test_xmp.webp",  # 128 x 128
        palette,
    ]
    code, stdout, stderr = accord(
        "sign", *files, "--issuer", "electoral-commission", "--out-dir", tmp_path / "out"
    )
    assert code == 0, stderr
    notes = _signed_lines(stdout)
    assert "(not watermarked: it has transparency" in notes["c.png"]
    assert "(not watermarked: it is too small (34x42;" in notes["wee.jpg"]
    assert "(not watermarked: it is too small (128x128;" in notes["test_xmp.webp"]
    assert "(not watermarked: it uses a palette" in notes["palette.png"]
    # The record keeps why, for later.
    listed = accord("record", "list", "electoral-commission")[1]
    assert listed.count("\tnot watermarked: it is too small (") == 2


def test_signing_the_same_file_again_is_skipped_unless_asked(corpus: Path, tmp_path: Path) -> None:
    _issuer()
    folder, out = tmp_path / "presskit", tmp_path / "signed"
    folder.mkdir()
    shutil.copy(corpus / BRIDGE, folder / "bridge.jpg")
    code, stdout, _ = accord("sign", folder, "--issuer", "electoral-commission", "--out-dir", out)
    assert code == 0
    first = _record_id(_signed_lines(stdout)["bridge.jpg"])
    (out / "bridge.signed.jpg").unlink()

    code, stdout, _ = accord("sign", folder, "--issuer", "electoral-commission", "--out-dir", out)
    assert code == 0
    note = _signed_lines(stdout)["bridge.jpg"]
    assert note.startswith(f"skipped: already signed as record {first} on ")
    assert "its signed copy was written again" in note
    assert _verify(out / "bridge.signed.jpg")["watermark"]["record_id"] == first
    code, stdout, _ = accord("record", "list", "electoral-commission")
    assert len(stdout.splitlines()) == 1  # no second record
    code, stdout, _ = accord(
        "sign", folder, "--issuer", "electoral-commission", "--out-dir", out, "--title", "B"
    )
    assert "--title not applied (--again signs it anew)" in _signed_lines(stdout)["bridge.jpg"]

    code, stdout, _ = accord(
        "sign", folder, "--issuer", "electoral-commission", "--out-dir", out, "--again"
    )
    assert _record_id(_signed_lines(stdout)["bridge.jpg"]) != first


def test_every_source_type_spelling_is_accepted(corpus: Path, tmp_path: Path) -> None:
    _issuer()
    for spelling in ("human-edits", "human_edits", "humanEdits"):
        photo = tmp_path / f"{spelling}.jpg"
        with Image.open(corpus / BRIDGE) as picture:
            picture.rotate(90, expand=True).save(photo, quality=90)  # new bytes each time
        code, _, stderr = accord(
            "sign", photo, "--issuer", "electoral-commission", "--source", spelling,
            "--out-dir", tmp_path / "out",
        )  # fmt: skip
        assert code == 0, (spelling, stderr)
        signed = _verify(tmp_path / "out" / f"{spelling}.signed.jpg")
        assert signed["credential"]["source_types"] == ["humanEdits"], spelling


def test_an_edit_of_a_file_signed_here_names_it_trusted_even_given_unsigned(
    corpus: Path, tmp_path: Path
) -> None:
    _issuer()
    original = corpus / BRIDGE
    code, stdout, _ = accord(
        "sign", original, "--issuer", "electoral-commission", "--out-dir", tmp_path / "signed"
    )
    parent_record = _record_id(_signed_lines(stdout)[original.name])
    signed_parent = tmp_path / "signed" / "bridge-1-original.signed.jpg"
    for inset, parent, out in ((20, signed_parent, "from-signed"), (30, original, "from-unsigned")):
        edit = tmp_path / "edit.jpg"
        with Image.open(original) as picture:
            box = (inset, inset, picture.width - inset, picture.height - inset)
            picture.crop(box).save(edit, quality=90)
        code, stdout, stderr = accord(
            "sign", edit, "--issuer", "electoral-commission", "--source", "human_edits",
            "--parent", parent, "--out-dir", tmp_path / out,
        )  # fmt: skip
        assert code == 0, stderr
        assert f"an edit of record {parent_record}" in _signed_lines(stdout)["edit.jpg"], out
        verified = _verify(tmp_path / out / "edit.signed.jpg")
        assert verified["state"] == "trusted"
        (ingredient,) = verified["credential"]["ingredients"]
        assert ingredient["had_credentials"], out
        assert ingredient["problems"] == [], out  # its signer is trusted here too
        assert ingredient["source_types"] == ["digitalCapture"]


def test_a_revoked_record_reads_as_revoked_not_trusted(corpus: Path, tmp_path: Path) -> None:
    _issuer()
    code, stdout, _ = accord(
        "sign", corpus / BRIDGE, "--issuer", "electoral-commission", "--out-dir", tmp_path
    )
    record_id = _record_id(_signed_lines(stdout)[BRIDGE.name])
    signed = tmp_path / "bridge-1-original.signed.jpg"
    assert accord("record", "revoke", record_id, "--reason", "issued in error")[0] == 0

    verified = _verify(signed)
    assert verified["state"] == "revoked"
    assert verified["revoked"]["reason"] == "issued in error"
    assert "revoked by its issuer on " in verified["headline"]
    assert ": issued in error." in verified["headline"]
    assert "trusted here" not in verified["headline"]
    assert "revoked by its issuer on " in verified["watermark"]["summary"]
    assert "names no record" not in verified["watermark"]["summary"]
    code, stdout, _ = accord("verify", signed)
    assert f"{signed}\trevoked\t" in stdout

    stripped = tmp_path / "stripped.jpg"
    with Image.open(signed) as picture:
        picture.save(stripped, quality=80)
    copy = _verify(stripped)
    assert copy["state"] == "none"
    assert f"names record {record_id}, revoked by its issuer on " in copy["headline"]

    code, _, stderr = accord("record", "revoke", record_id, "--reason", "again")
    assert code == 1
    assert f"record {record_id} was already revoked on " in stderr
    assert ": issued in error" in stderr
