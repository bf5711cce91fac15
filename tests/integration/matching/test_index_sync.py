"""An IndexSet follows the database's feeds and snapshots itself without pickle."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from accord.server.banks import service
from accord.server.matching.indexes import FeedPosition, IndexSet, snapshot_folders
from tests.integration.banks.test_banks_api import BRIDGE_PDQ

MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def test_sync_applies_additions_and_removals(db_session: Session) -> None:
    bank = service.create_bank(db_session, "B")
    service.add_entries(db_session, bank, [({"pdq": BRIDGE_PDQ}, service.EntryFields())])
    dropped = service.add_entry(db_session, bank, {"md5": MD5}, service.EntryFields())
    indexes = IndexSet.empty()
    assert indexes.sync(db_session) == 2
    assert (indexes.size("pdq"), indexes.size("md5")) == (1, 1)
    assert indexes.sync(db_session) == 0  # nothing new
    service.delete_entry(db_session, dropped)
    assert indexes.sync(db_session) == 1
    assert indexes.size("md5") == 0
    assert [hit.distance for hit in indexes.query("pdq", BRIDGE_PDQ, 31)] == [0]


def test_snapshots_round_trip_and_broken_ones_are_skipped(
    db_session: Session, tmp_path: Path
) -> None:
    bank = service.create_bank(db_session, "B")
    service.add_entry(db_session, bank, {"pdq": BRIDGE_PDQ, "md5": MD5}, service.EntryFields())
    indexes = IndexSet.empty()
    indexes.sync(db_session)
    folder = indexes.save(tmp_path)
    assert (folder / "state.json").is_file()
    assert not list(folder.rglob("*.pkl"))

    loaded = IndexSet.load_latest(tmp_path)
    assert loaded.position == indexes.position
    assert loaded.size("pdq") == 1
    assert (
        loaded.query("pdq", BRIDGE_PDQ, 31)[0].item == indexes.query("pdq", BRIDGE_PDQ, 31)[0].item
    )

    # A newer but broken snapshot is skipped in favour of the readable one.
    broken = tmp_path / "snapshot-999999999999-000000000000"
    broken.mkdir()
    (broken / "state.json").write_text(json.dumps({"format": 1, "signals": 1, "removals": 0}))
    assert len(snapshot_folders(tmp_path)) == 2
    assert IndexSet.load_latest(tmp_path).position == indexes.position
    assert IndexSet.load_latest(tmp_path / "missing").position == FeedPosition()
