"""``accord sign`` and ``accord record``: signed copies verify, register, and revoke."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PIL import Image

from tests.unit.cli.conftest import accord

BRIDGE = Path("pdq") / "bridge-mods"


def test_sign_verify_trace_a_stripped_copy_and_revoke(corpus: Path, tmp_path: Path) -> None:
    assert accord("issuer", "create", "ec", "--organization", "Electoral Commission")[0] == 0
    photo, bomb = corpus / BRIDGE / "aaa-orig.jpg", corpus / "c2pa" / "riff_bomb_1000.wav"
    out = tmp_path / "signed"
    code, stdout, stderr = accord(
        "sign", photo, bomb, corpus / "c2pa" / "sample1.wav", "--issuer", "ec",
        "--source", "ai-generated", "--out-dir", out,
    )  # fmt: skip
    assert code == 1  # the malformed file, reported; the others signed
    assert stderr == (
        f"accord: error: {bomb}: corrupt or truncated media: "
        "RIFF chunks nested deeper than 16 levels\n"
    )
    lines = [line.split("\t") for line in stdout.splitlines() if "\trecord " in line]
    assert [Path(line[1]).name for line in lines] == ["aaa-orig.signed.jpg", "sample1.signed.wav"]
    record_id = lines[0][2].split()[1]
    assert lines[0][2].endswith(f"(watermarked {record_id[:16]})")  # the picture is marked
    assert "watermarked" not in lines[1][2]  # the sound is not

    code, stdout, _ = accord("verify", "--json", out / "aaa-orig.signed.jpg")
    verified = json.loads(stdout)
    assert verified["state"] == "trusted"  # this instance's own issuer
    assert verified["credential"]["source_types"] == ["trainedAlgorithmicMedia"]

    # A copy a platform stripped and re-encoded is traced to its record.
    stripped = tmp_path / "stripped.jpg"
    with Image.open(out / "aaa-orig.signed.jpg") as signed:
        signed.save(stripped, quality=70)  # Pillow keeps no C2PA segment
    code, stdout, _ = accord("verify", "--json", stripped)
    traced = json.loads(stdout)
    assert traced["state"] == "none"
    assert [original["record_id"] for original in traced["originals"]] == [record_id]
    assert traced["originals"][0]["issuer"] == "Electoral Commission"
    assert "It looks like “aaa-orig.jpg”, signed by Electoral Commission" in traced["headline"]
    assert "but this copy carries no credentials" in traced["headline"]
    assert json.loads(accord("verify", "--json", out / "aaa-orig.signed.jpg")[1])["originals"] == []

    # The unsigned original is matched too: declared AI-generated, in the GENERATED bank,
    # never among authentic originals.
    code, stdout, _ = accord("match", photo)
    assert "\tGENERATED\tgenerated\t" in stdout
    assert "REGISTRY" not in stdout
    code, stdout, _ = accord("record", "list", "ec")
    assert stdout.splitlines()[0].startswith(f"{record_id}\t")
    assert "\tactive\twatermarked " in stdout.splitlines()[0]

    assert accord("record", "revoke", record_id, "--reason", "issued in error")[0] == 0
    code, stdout, _ = accord("record", "list", "ec")
    assert "\trevoked " in stdout.splitlines()[0]
    code, stdout, _ = accord("match", photo)
    assert "GENERATED" not in stdout  # a revoked record no longer matches
    assert json.loads(accord("verify", "--json", stripped)[1])["originals"] == []
    assert accord("record", "revoke", "0" * 32, "--reason", "x")[0] == 1


def test_a_folder_is_signed_recursively_and_signed_copies_are_skipped(
    corpus: Path, tmp_path: Path
) -> None:
    assert accord("issuer", "create", "ec", "--organization", "EC")[0] == 0
    folder = tmp_path / "press"
    (folder / "audio").mkdir(parents=True)
    shutil.copy(corpus / BRIDGE / "aaa-orig.jpg", folder / "photo.jpg")
    shutil.copy(corpus / "c2pa" / "sample1.wav", folder / "audio" / "speech.wav")
    (folder / "notes.txt").write_text("not media: left alone")
    code, stdout, stderr = accord("sign", folder, "--issuer", "ec")
    assert code == 0, stderr
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.signed.*")) == [
        "audio/speech.signed.wav",
        "photo.signed.jpg",
    ]
    code, stdout, _ = accord("sign", folder, "--issuer", "ec")  # again: same two files
    assert stdout.count("\tskipped: already signed as record ") == 2  # no second record
    assert not list(folder.rglob("*.signed.signed.*"))
    code, stdout, _ = accord("sign", folder, "--issuer", "ec", "--again")
    assert stdout.count("\trecord ") == 2


def test_bad_options_are_refused(corpus: Path) -> None:
    photo = corpus / BRIDGE / "aaa-orig.jpg"
    code, _, stderr = accord("sign", photo, "--issuer", "ec", "--source", "painting")
    assert code == 1
    assert stderr.startswith("accord: error: --source: unknown source type 'painting': ")
    assert "camera (digitalCapture)" in stderr
    assert "human-edits (humanEdits)" in stderr
    code, _, stderr = accord("sign", photo, "--issuer", "nobody")
    assert code == 1
    assert "no issuer named nobody" in stderr
