"""``accord verify``: this instance's issuers are trusted; unreadable files are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.cli.main import app
from accord.provenance.certificates import IssuerName, issue_chain
from accord.server.issuers.service import get_issuer, signing_chain
from accord.server.runtime import Runtime
from accord.server.settings import Settings
from tests.unit.cli.conftest import MASTER_KEY, runner
from tests.unit.provenance.test_certificates import sign


def verify(*args: str | Path) -> tuple[int, list[dict[str, object]], str]:
    result = runner.invoke(app, ["verify", "--json", *map(str, args)])
    return (
        result.exit_code,
        [json.loads(line) for line in result.stdout.splitlines()],
        result.stderr,
    )


def test_own_issuers_are_trusted_and_others_need_anchors(corpus: Path, tmp_path: Path) -> None:
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    created = runner.invoke(app, ["issuer", "create", "ec", "--organization", "EC"])
    assert created.exit_code == 0, created.stderr
    runtime = Runtime.build(Settings())
    try:
        with runtime.sessions() as session:
            ours = signing_chain(get_issuer(session, "ec"), MASTER_KEY)
    finally:
        runtime.close()
    (tmp_path / "ours.jpg").write_bytes(sign(ours, photo))
    theirs = issue_chain(IssuerName("Partner Newsroom", "Partner signing"))
    (tmp_path / "theirs.jpg").write_bytes(sign(theirs, photo))
    (tmp_path / "partner-root.pem").write_bytes(theirs.root_pem() or b"")

    code, lines, _ = verify(tmp_path / "ours.jpg", tmp_path / "theirs.jpg")
    assert code == 0
    assert [line["state"] for line in lines] == ["trusted", "valid"]
    code, lines, _ = verify(tmp_path / "theirs.jpg", "--anchors", tmp_path / "partner-root.pem")
    assert [line["state"] for line in lines] == ["trusted"]


def test_malformed_and_missing_files_are_reported_and_the_rest_checked(corpus: Path) -> None:
    bomb, good = corpus / "c2pa" / "riff_bomb_1000.wav", corpus / "c2pa" / "C.jpg"
    code, lines, err = verify(bomb, good)
    assert code == 1
    assert lines[0]["error"] == {
        "code": "media.corrupt",
        "detail": "RIFF chunks nested deeper than 16 levels",
    }
    assert lines[1]["state"] == "valid"
    assert err.startswith(f"accord: error: {bomb}: corrupt or truncated media")
    code, lines, _ = verify(good.parent / "missing.jpg")
    assert (code, lines[0]["error"]) == (
        1,
        {"code": "file.unreadable", "detail": "no such file"},
    )
    result = runner.invoke(app, ["verify", str(good), "--anchors", "/nonexistent.pem"])
    assert result.exit_code == 1
    assert result.stderr.startswith("accord: error: trust anchors /nonexistent.pem")


def test_a_bad_trust_anchor_file_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "anchors.pem"
    bad.write_text("not a certificate")
    monkeypatch.setenv("ACCORD_TRUST_ANCHOR_FILES", json.dumps([str(bad)]))
    for command in (["bank", "list"], ["verify", str(bad)], ["serve", "--port", "1"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, command
        assert result.stderr == f"accord: error: trust anchors {bad}: not PEM certificates\n"
