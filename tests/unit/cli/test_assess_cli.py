"""``accord assess``: a band and its findings per file; unreadable files are reported."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

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


def test_html_and_pdf_reports(corpus: Path, tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: make test installs it")
        pytest.skip("Chromium is not installed here (make test installs it)")
    photos = [corpus / "c2pa" / "XCA.jpg", corpus / "c2pa" / "sample1.wav"]
    code, _, stderr = accord(
        "assess", *photos, "--html", tmp_path / "report.html", "--pdf", tmp_path / "report.pdf"
    )
    assert code == 0, stderr
    # Several files: each report gets the file's name, and the names are said.
    assert stderr.splitlines() == [
        f"{photo}: report written to {tmp_path / f'report-{photo.stem}.{suffix}'}"
        for photo in photos
        for suffix in ("html", "pdf")
    ]
    page = (tmp_path / "report-XCA.html").read_text()
    assert "Altered from an authentic original" in page
    assert 'src="data:image/jpeg;base64,' in page  # the picture itself
    assert "<script" not in page
    assert "http" not in page.replace("http://cv.iptc.org", "")  # nothing to fetch
    assert (tmp_path / "report-sample1.html").exists()
    for name in ("report-XCA.pdf", "report-sample1.pdf"):
        assert (tmp_path / name).read_bytes().startswith(b"%PDF")
