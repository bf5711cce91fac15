"""``accord assess``: a band and its findings per file; unreadable files are reported."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.cli.conftest import accord


def test_bands_for_corpus_files_and_an_unreadable_one(corpus: Path, tmp_path: Path) -> None:
    folder = corpus / "c2pa"
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes((folder / "C.jpg").read_bytes()[:5000])
    code, stdout, stderr = accord(
        "assess", "--json", folder / "C.jpg", truncated, folder / "XCA.jpg"
    )
    assert code == 1
    answers = [json.loads(line) for line in stdout.splitlines()]
    assert [(a["input"]["name"], a["band"]) for a in answers[::2]] == [
        (str(folder / "C.jpg"), "likely_ai_generated"),
        (str(folder / "XCA.jpg"), "altered_from_authentic"),
    ]
    assert (answers[1]["file"], answers[1]["error"]["code"]) == (str(truncated), "media.corrupt")
    assert stderr.startswith(f"accord: error: {truncated}: ")

    code, stdout, _ = accord("assess", folder / "no_manifest.jpg")
    assert code == 0
    first, *rest = stdout.splitlines()
    assert first.split("\t")[1] == "no_evidence_either_way"
    assert "provenance.absent" in rest[0]
