"""``accord verify`` reads the watermark of files signed here, credentials intact or not."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.cli.conftest import accord


def test_verify_names_the_watermark_of_a_file_signed_here(corpus: Path, tmp_path: Path) -> None:
    assert accord("issuer", "create", "ec", "--organization", "Electoral Commission")[0] == 0
    photo, out = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", tmp_path / "signed"
    code, stdout, _ = accord("sign", photo, "--issuer", "ec", "--out-dir", out)
    assert code == 0, stdout
    record_id = stdout.split("\trecord ")[1].split()[0]
    signed = out / "aaa-orig.signed.jpg"

    code, stdout, _ = accord("verify", "--json", signed)
    verified = json.loads(stdout)
    assert verified["state"] == "trusted"
    mark = verified["watermark"]
    assert mark is not None, "the watermark of an intact file was not read"
    assert (mark["record_id"], mark["payload"], mark["agreement"]) == (
        record_id,
        record_id[:16],
        "agrees",
    )
    assert mark["record"]["issuer"] == "Electoral Commission"

    code, stdout, _ = accord("verify", signed)
    assert code == 0
    assert f"  watermark: An invisible accord watermark names record {record_id}" in stdout
    assert "The Content Credentials declare the same watermark." in stdout
