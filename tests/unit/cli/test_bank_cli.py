"""``accord bank``, ``accord match``, ``accord scan`` and ``accord key`` on a local database."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from tests.unit.cli.conftest import accord

BRIDGE = Path("pdq") / "bridge-mods"
LABELME = Path("pdq") / "reg-test-input" / "labelme-subset"
BRIDGE_PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def test_bank_create_add_list_show_export(corpus: Path, tmp_path: Path) -> None:
    assert accord("bank", "create", "FAKES", "--threshold", "pdq=20", "--owner", "EC")[0] == 0
    code, out, _ = accord("bank", "add", "FAKES", corpus / BRIDGE / "aaa-orig.jpg", "--label", "x")
    assert code == 0, out
    assert accord("bank", "add", "FAKES", "--signal", f"pdq={BRIDGE_PDQ}")[0] == 0
    code, out, _ = accord("bank", "list")
    assert "FAKES\tdeceptive\tenabled" in out
    assert "2 entries" in out
    shown = json.loads(accord("bank", "show", "FAKES")[1])
    assert shown["thresholds"] == {"pdq": 20.0}
    assert shown["owner"] == "EC"
    target = tmp_path / "out.csv"
    assert accord("bank", "export", "FAKES", "--format", "csv", "-o", target)[0] == 0
    rows = list(csv.DictReader(target.read_text().splitlines()))
    assert {row["signal_type"] for row in rows} >= {"pdq", "sha256"}


def test_bank_errors_are_one_line(corpus: Path) -> None:
    code, _, err = accord("bank", "create", "bad name")
    assert code == 1
    assert err.count("\n") == 1
    assert "UPPER_SNAKE_CASE" in err
    assert accord("bank", "show", "MISSING")[0] == 1
    accord("bank", "create", "FAKES")
    code, _, err = accord("bank", "add", "FAKES", "--signal", "pdq=zz")
    assert code == 1
    assert "accord: error:" in err


def test_import_reports_bad_lines(tmp_path: Path) -> None:
    accord("bank", "create", "FAKES")
    source = tmp_path / "bank.txt"
    source.write_text(f"pdq {BRIDGE_PDQ}\nnonsense\npdq 123\n")
    code, out, err = accord("bank", "import", "FAKES", source)
    assert code == 1
    assert "added 1 entries to FAKES; rejected 2 lines" in out
    assert f"{source}:2:" in err
    assert f"{source}:3:" in err


def test_a_large_import_leaves_an_index_snapshot(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_INDEX_SNAPSHOT_AFTER_CHANGES", "50")
    accord("bank", "create", "FAKES")
    source = tmp_path / "small.txt"
    source.write_text("".join(f"pdq {number:064x}\n" for number in range(1, 11)))
    assert accord("bank", "import", "FAKES", source)[0] == 0
    snapshots = data_dir / "index"
    assert not snapshots.exists() or not any(snapshots.iterdir())  # 10 < 50: no snapshot
    source.write_text("".join(f"pdq {number:064x}\n" for number in range(11, 111)))
    code, out, _ = accord("bank", "import", "FAKES", source)
    assert (code, out.strip()) == (0, "added 100 entries to FAKES; rejected 0 lines")
    assert [folder.name.startswith("snapshot-") for folder in snapshots.iterdir()] == [True]


def test_match_and_disable(corpus: Path) -> None:
    accord("bank", "create", "FAKES")
    accord("bank", "add", "FAKES", corpus / BRIDGE / "aaa-orig.jpg")
    edit = corpus / BRIDGE / "blur-a-lot.jpg"
    code, out, _ = accord("match", "--json", edit)
    assert code == 0, out
    result = json.loads(out)
    assert result["matches"][0]["bank"] == "FAKES"
    assert accord("bank", "disable", "FAKES")[0] == 0
    assert json.loads(accord("match", "--json", edit)[1])["matches"] == []
    assert accord("bank", "enable", "FAKES")[0] == 0
    entry = result["matches"][0]["entry_id"]
    assert accord("bank", "disable", "FAKES", "--entry", str(entry))[0] == 0
    assert json.loads(accord("match", "--json", edit)[1])["matches"] == []


def test_scan_is_resumable_and_survives_bad_files(corpus: Path, tmp_path: Path) -> None:
    accord("bank", "create", "FAKES")
    accord("bank", "add", "FAKES", corpus / BRIDGE / "aaa-orig.jpg")
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("blur-a-little.jpg", "shrink-a-lot.jpg"):
        shutil.copy(corpus / BRIDGE / name, folder / name)
    for photo in sorted((corpus / LABELME).glob("*.jpg"))[:3]:
        shutil.copy(photo, folder / photo.name)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    results = tmp_path / "results.jsonl"

    code, _, err = accord("scan", folder, "-o", results, "--workers", "2")
    assert code == 0, err
    records = [json.loads(line) for line in results.read_text().splitlines()]
    assert len(records) == 6
    by_name = {Path(record["file"]).name: record for record in records}
    assert by_name["broken.jpg"]["error"]
    assert by_name["blur-a-little.jpg"]["matches"][0]["bank"] == "FAKES"
    summary = json.loads((tmp_path / "results.jsonl.summary.json").read_text())
    assert (summary["scanned"], summary["matched"], summary["errors"]) == (6, 2, 1)

    # Interrupted mid-write: a torn last line, and one file not yet scanned.
    lines = results.read_text().splitlines(keepends=True)
    results.write_text("".join(lines[:4]) + lines[4][:10])
    code, _, err = accord("scan", folder, "-o", results, "--workers", "1")
    assert code == 0, err
    again = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(record["file"] for record in again) == sorted(by_name[n]["file"] for n in by_name)
    summary = json.loads((tmp_path / "results.jsonl.summary.json").read_text())
    assert (summary["already_done"], summary["scanned"]) == (4, 2)


def test_scan_writes_csv_from_a_file_list(corpus: Path, tmp_path: Path) -> None:
    accord("bank", "create", "FAKES")
    accord("bank", "add", "FAKES", corpus / BRIDGE / "aaa-orig.jpg")
    listing = tmp_path / "files.txt"
    listing.write_text(
        f"{corpus / BRIDGE / 'sharpen-a-lot.jpg'}\n# a comment\n{tmp_path / 'gone.jpg'}\n"
    )
    results = tmp_path / "results.csv"
    code, _, err = accord("scan", listing, "-o", results, "--workers", "1")
    assert code == 0, err
    rows = list(csv.DictReader(results.read_text().splitlines()))
    # Results are written as they complete, in no fixed order.
    found = sorted(
        (Path(row["file"]).name, row["status"], row["matched"], row["banks"]) for row in rows
    )
    assert found == [("gone.jpg", "error", "no", ""), ("sharpen-a-lot.jpg", "ok", "yes", "FAKES")]


def test_keys(tmp_path: Path) -> None:
    code, out, _ = accord("key", "create", "platform", "--scope", "match", "--rate-limit", "60")
    assert code == 0
    assert out.strip().startswith("acc_")
    listed = accord("key", "list")[1]
    assert "platform" in listed
    assert out.strip() not in listed
    assert accord("key", "revoke", "platform")[0] == 0
    assert "revoked" in accord("key", "list")[1]
    assert accord("key", "create", "bad", "--scope", "root")[0] == 1


def test_a_platform_key_acts_for_the_platform_it_names() -> None:
    code, _, err = accord("key", "create", "appeals", "--scope", "platform")
    assert code == 1
    assert "must name its platform" in err
    code, _, _ = accord(
        "key", "create", "appeals", "--scope", "platform", "--platform", "VideoShare"
    )
    assert code == 0
    assert "for videoshare" in accord("key", "list")[1]
