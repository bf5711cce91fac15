"""``accord eval``: labelled media in, agreement figures out."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from PIL import Image

from tests import edits
from tests.unit.cli.conftest import accord


def test_a_labelled_folder_is_scored(corpus: Path, tmp_path: Path) -> None:
    assert accord("issuer", "create", "ec", "--organization", "Electoral Commission")[0] == 0
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    assert accord("sign", photo, "--issuer", "ec", "--out-dir", tmp_path / "signed")[0] == 0
    signed = tmp_path / "signed" / "aaa-orig.signed.jpg"
    labelled = tmp_path / "labelled"
    picture = Image.open(signed).convert("RGB")
    altered = picture.copy()
    altered.paste(
        edits.load_photo(corpus / "c2pa" / "C.jpg").crop((100, 100, 260, 220)), (600, 300)
    )
    files = {
        "verified_authentic": {"signed.jpg": signed.read_bytes()},
        "likely_authentic": {"stripped.jpg": _jpeg(picture)},
        "altered_from_authentic": {
            "fake.jpg": _jpeg(altered),
            "XCA.jpg": (corpus / "c2pa" / "XCA.jpg").read_bytes(),
        },
        "likely_ai_generated": {"C.jpg": (corpus / "c2pa" / "C.jpg").read_bytes()},
        "no_evidence_either_way": {"plain.jpg": (corpus / "c2pa" / "no_manifest.jpg").read_bytes()},
    }
    for band, named in files.items():
        (labelled / band).mkdir(parents=True)
        for name, data in named.items():
            (labelled / band / name).write_bytes(data)
    (labelled / "notes").mkdir()  # not a band: ignored
    shutil.copy(photo, labelled / "notes" / "x.jpg")

    code, stdout, stderr = accord("eval", "--json", labelled)
    assert (code, stderr) == (0, "")
    figures = json.loads(stdout)
    assert figures["files"] == 6
    confusion = figures["confusion"]
    for band, named in files.items():
        assert confusion[band][band] == len(named), (band, confusion[band])
    assert figures["coverage"] == 5 / 6
    assert figures["accuracy_when_decided"] == 1.0
    assert figures["producers"]["banks"]["precision"] == 1.0
    assert figures["producers"]["provenance"]["fired"] == 3  # signed, XCA, C

    code, stdout, _ = accord("eval", labelled)
    assert code == 0
    assert "coverage 0.83, accuracy when decided 1.00" in stdout
    assert accord("eval", tmp_path / "nothing")[0] != 0


def _jpeg(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
