"""``accord hash`` and ``accord signals``: output shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from accord.cli.main import app

runner = CliRunner()


def test_hash_json_lines(corpus: Path) -> None:
    image = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    audio = corpus / "c2pa" / "sample1.wav"
    result = runner.invoke(app, ["hash", "--json", str(image), str(audio)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(image), str(audio)]
    assert lines[0]["signals"]["pdq"]["value"].startswith("f8f8f0ce")
    assert lines[1]["kind"] == "audio"
    assert "audio" in lines[1]["signals"]


def test_chosen_signals(corpus: Path) -> None:
    image = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    result = runner.invoke(app, ["hash", "--json", "--signals", "pdq,md5", str(image)])
    assert set(json.loads(result.stdout)["signals"]) == {"pdq", "md5"}


def test_a_bad_file_is_reported_and_the_rest_still_hashed(
    corpus: Path, hostile_files: dict[str, Any]
) -> None:
    good = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    bad = hostile_files["nested_moov_1000.mp4"].path
    result = runner.invoke(app, ["hash", "--json", str(bad), str(good)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {
        "file": str(bad),
        "error": {"code": "media.corrupt", "detail": "MP4 boxes nested deeper than 16 levels"},
    }
    assert lines[1]["file"] == str(good)
    assert result.stderr.strip() == (
        f"accord: error: {bad}: corrupt or truncated media: MP4 boxes nested deeper than 16 levels"
    )


def test_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["hash", str(tmp_path / "nope.jpg")])
    assert result.exit_code == 1
    missing = tmp_path / "nope.jpg"
    assert result.stderr.strip() == f"accord: error: {missing}: no such file"


def test_missing_file_gets_its_json_line(tmp_path: Path, corpus: Path) -> None:
    missing, good = tmp_path / "nope.jpg", corpus / "c2pa" / "C.jpg"
    result = runner.invoke(app, ["hash", "--json", str(missing), str(good)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(missing), str(good)]
    assert lines[0]["error"] == {"code": "file.unreadable", "detail": "no such file"}


def test_unknown_signal_is_one_line_and_exit_1(corpus: Path) -> None:
    result = runner.invoke(app, ["hash", "--signals", "phash", str(corpus / "c2pa" / "C.jpg")])
    assert result.exit_code == 1
    assert result.stderr.startswith("accord: error: no signal type named 'phash'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_human_output(corpus: Path) -> None:
    flat = corpus / "pdq" / "reg-test-input" / "labelme-subset" / "q0003.jpg"
    result = runner.invoke(app, ["hash", str(flat)])
    assert result.exit_code == 0
    assert "\timage (jpeg)\t" in result.stdout  # kind and format: not a MIME type
    assert "image/jpeg" not in result.stdout
    assert "(unreliable: low quality)" in result.stdout


def test_signals_lists_every_type() -> None:
    result = runner.invoke(app, ["signals"])
    assert result.exit_code == 0
    names = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert names == [
        "sha256", "md5", "pdq", "pdq_dihedral", "pdq_upscaled", "vpdq", "vpdq_mirrored",
        "audio", "orb",
    ]  # fmt: skip
