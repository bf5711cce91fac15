"""``accord audit``: every change is logged with who made it, and ``verify`` finds any entry
edited, removed or cut off the end."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.unit.cli.conftest import accord


def changes(photo: Path) -> list[dict[str, object]]:
    """Create, fill and disable a bank; the audit log's entries."""
    assert accord("bank", "create", "FAKES", "--kind", "deceptive")[0] == 0
    assert accord("bank", "add", "FAKES", photo)[0] == 0
    assert accord("bank", "disable", "FAKES")[0] == 0
    code, stdout, _ = accord("audit", "list")
    assert code == 0
    return [json.loads(line) for line in stdout.splitlines()]


def test_changes_are_logged_with_who_what_and_before_after(corpus: Path) -> None:
    entries = changes(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")
    assert [(e["seq"], e["action"], e["table"]) for e in entries] == [
        (1, "insert", "banks"),
        (2, "insert", "bank_entries"),
        (3, "update", "banks"),
    ]
    assert all(str(e["actor"]).startswith("cli") for e in entries)
    assert entries[2]["before"] == {"enabled": True}
    assert entries[2]["after"] == {"enabled": False}
    assert entries[1]["previous_hash"] == entries[0]["entry_hash"]
    code, stdout, _ = accord("audit", "verify")
    assert code == 0
    assert stdout.startswith("audit log intact: 3 entries")


@pytest.mark.parametrize(
    ("tampering", "found"),
    [
        ("UPDATE audit_log SET after = '{\"enabled\": true}' WHERE seq = 3", "#3 was changed"),
        ("DELETE FROM audit_log WHERE seq = 2", "entries #2 to #2 are missing"),
        ("DELETE FROM audit_log WHERE seq = 3", "entries were cut off"),
    ],
)
def test_an_edited_a_deleted_and_a_cut_off_entry_are_found(
    tampering: str, found: str, corpus: Path, data_dir: Path
) -> None:
    changes(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")
    connection = sqlite3.connect(data_dir / "accord.db")
    with connection:
        connection.execute(tampering)
    connection.close()
    code, _, stderr = accord("audit", "verify")
    assert code == 1
    first = stderr.splitlines()[0]
    assert first.startswith("accord: error: the audit log was tampered with: ")
    assert found in first


def test_a_failed_change_leaves_no_entry(corpus: Path) -> None:
    assert (
        accord(
            "person",
            "add",
            "Nobody",
            "--consent",
            "--photo",
            corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg",
        )[0]
        == 1
    )
    _, stdout, _ = accord("audit", "verify")
    assert stdout.startswith("audit log intact: 0 entries")


def test_bulk_imports_and_bank_deletions_are_logged_once_each(tmp_path: Path) -> None:
    listing = tmp_path / "hashes.txt"
    listing.write_text("".join(f"pdq {index:064x}\n" for index in range(1, 101)))
    assert accord("bank", "create", "LIST")[0] == 0
    assert accord("bank", "import", "LIST", listing, "--format", "hma")[0] == 0
    _, stdout, _ = accord("audit", "list")
    imported = json.loads(stdout.splitlines()[-1])
    assert (imported["action"], imported["after"]) == ("import", {"bank": "LIST", "entries": 100})
    assert accord("audit", "verify")[0] == 0
