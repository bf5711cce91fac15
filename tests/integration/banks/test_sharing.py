"""Publishing: every write to a shared bank reaches its collection's publication log, as
STIX that OASIS's validator accepts; TLP:RED never does."""

from __future__ import annotations

import io
import itertools
import json
import random
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from stix2validator import ValidationOptions, validate_instance

from accord.errors import Conflict
from accord.server.banks import service, sharing
from accord.server.banks.models import Bank, BankKind, Marking, SharedObject
from accord.server.banks.schemas import EntryFields, TransferFormat
from accord.server.db.base import utc_now
from accord.sharing import stix

STRICT = ValidationOptions(version="2.1", strict=True)


def pdq(number: int) -> str:
    """A distinct, valid PDQ hash per number."""
    return f"{number:064x}"


def log_of(session: Session, bank: Bank) -> list[SharedObject]:
    """The bank's publication log, in the order its rows were added."""
    return list(
        session.scalars(
            select(SharedObject).where(SharedObject.bank_id == bank.id).order_by(SharedObject.id)
        )
    )


def bodies(session: Session, bank: Bank, object_type: str = "indicator") -> list[dict[str, Any]]:
    return [json.loads(row.body) for row in log_of(session, bank) if row.object_type == object_type]


def assert_valid(body: dict[str, Any]) -> None:
    result = validate_instance(body, STRICT)
    assert result.is_valid, [str(error) for error in result.errors]


def new_bank(session: Session, name: str = "FAKES", **options: Any) -> Bank:
    options.setdefault("owner", "Electoral Commission")
    return service.create_bank(session, name, **options)


def add(session: Session, bank: Bank, number: int, **fields: Any) -> int:
    return service.add_entry(session, bank, {"pdq": pdq(number)}, EntryFields(**fields)).id


def live_indicator(session: Session, bank: Bank, entry_id: int) -> SharedObject:
    return session.scalars(
        select(SharedObject).where(
            SharedObject.bank_id == bank.id,
            SharedObject.entry_id == entry_id,
            SharedObject.object_type == "indicator",
            SharedObject.revoked.is_(False),
        )
    ).one()


def test_sharing_publishes_the_owner_and_every_enabled_entry(db_session: Session) -> None:
    bank = new_bank(db_session, marking=Marking.GREEN)
    note = "reported by Jane Doe, +44 7700 900123"
    first = add(db_session, bank, 1, labels=("deepfake",), case_reference="C-17", note=note)
    add(db_session, bank, 2, enabled=False)
    service.add_entry(db_session, bank, {"sha256": "ab" * 32, "md5": "cd" * 16}, EntryFields())
    assert log_of(db_session, bank) == []  # nothing is published before the bank is shared

    service.share_bank(db_session, bank)
    assert bank.shared
    assert bank.collection_id
    rows = log_of(db_session, bank)
    assert [row.object_type for row in rows] == [
        "identity", "marking-definition", "indicator", "indicator",
    ]  # fmt: skip
    identity = json.loads(rows[0].body)
    assert identity["id"] == stix.identity_id("Electoral Commission")
    # The TLP 2.0 marking definition the indicators name is served with them.
    assert json.loads(rows[1].body) == stix.marking_definition("TLP:GREEN")
    indicator = json.loads(rows[2].body)
    assert rows[2].entry_id == first
    assert indicator["pattern"] == f"[file:hashes.x_accord_pdq = '{pdq(1)}']"
    assert indicator["labels"] == ["deepfake"]
    assert indicator["object_marking_refs"] == [stix.TLP_MARKING_IDS["TLP:GREEN"]]
    assert indicator["created_by_ref"] == identity["id"]
    # The reviewer's note stays home: it is local and may name people.
    assert indicator["description"] == "An entry of the accord bank FAKES"
    assert all("Jane Doe" not in row.body for row in rows)
    for row in rows:
        assert_valid(json.loads(row.body))
    dates = [row.date_added for row in rows]
    assert dates == sorted(dates)
    assert len(set(dates)) == len(dates)


def test_every_write_to_a_shared_bank_appends_a_new_version(db_session: Session) -> None:
    bank = new_bank(db_session, shared=True)
    entry_id = add(db_session, bank, 1)
    first = live_indicator(db_session, bank, entry_id)
    first_id, first_version, first_added = first.stix_id, first.version, first.date_added

    # An import publishes each of its entries.
    report = service.import_entries(
        db_session, bank, io.StringIO(f"pdq {pdq(2)}\npdq {pdq(3)}\n"), TransferFormat.HMA,
        source="import:test", added_by="test",
    )  # fmt: skip
    assert report.added == 2
    assert len(bodies(db_session, bank)) == 3

    # Labels change what partners see: a new version of the same indicator, added last.
    entry = service.get_entry(db_session, bank, entry_id)
    service.update_entry(db_session, entry, {"labels": ["candidate-a"]})
    relabelled = live_indicator(db_session, bank, entry_id)
    assert relabelled.stix_id == first_id
    assert relabelled.version > first_version
    assert relabelled.date_added > first_added
    assert json.loads(relabelled.body)["labels"] == ["candidate-a"]
    assert log_of(db_session, bank)[-1].stix_id == first_id

    # A URL is not in the indicator: no new version for subscribers to fetch.
    before = len(log_of(db_session, bank)), log_of(db_session, bank)[-1].id
    service.update_entry(db_session, entry, {"url": "https://example.org/x"})
    assert (len(log_of(db_session, bank)), log_of(db_session, bank)[-1].id) == before

    # Disabled: revoked. Enabled again: a new indicator, since revocation is final.
    service.update_entry(db_session, entry, {"enabled": False})
    revoked = db_session.scalars(select(SharedObject).where(SharedObject.stix_id == first_id)).one()
    assert revoked.revoked
    assert json.loads(revoked.body)["revoked"] is True
    assert_valid(json.loads(revoked.body))
    service.update_entry(db_session, entry, {"enabled": True})
    again = live_indicator(db_session, bank, entry_id)
    assert again.stix_id != first_id

    # Deleted: its indicator is revoked first, and stays in the log without its entry.
    service.delete_entry(db_session, entry)
    db_session.expire_all()
    gone = db_session.scalars(
        select(SharedObject).where(SharedObject.stix_id == again.stix_id)
    ).one()
    assert gone.revoked
    assert gone.entry_id is None

    rows = log_of(db_session, bank)
    dates = [row.date_added for row in rows]
    assert all(earlier < later for earlier, later in itertools.pairwise(dates))
    for row in rows:
        assert_valid(json.loads(row.body))


def test_a_change_indicators_carry_publishes_every_entry_again(db_session: Session) -> None:
    bank = new_bank(db_session, shared=True)
    add(db_session, bank, 1)
    add(db_session, bank, 2)
    ids = {body["id"] for body in bodies(db_session, bank)}

    unchanged = [(row.id, row.body) for row in log_of(db_session, bank)]
    service.update_bank(db_session, bank, {"description": "not in any indicator"})
    service.update_bank(db_session, bank, {"thresholds": {"pdq": 20}})
    assert [(row.id, row.body) for row in log_of(db_session, bank)] == unchanged

    service.update_bank(
        db_session, bank,
        {"owner": "Another Authority", "name": "RENAMED", "marking": Marking.CLEAR,
         "kind": BankKind.WATCH},
    )  # fmt: skip
    republished = bodies(db_session, bank)
    assert {body["id"] for body in republished} == ids  # same indicators, new versions
    owner = stix.identity_id("Another Authority")
    for body in republished:
        assert body["created_by_ref"] == owner
        assert body["name"].startswith("RENAMED entry ")
        assert body["object_marking_refs"] == [stix.TLP_MARKING_IDS["TLP:CLEAR"]]
        assert body["indicator_types"] == ["anomalous-activity"]
        assert_valid(body)
    # Only the current owner's identity is served; the new marking is defined too.
    assert [body["id"] for body in bodies(db_session, bank, "identity")] == [owner]
    markings = bodies(db_session, bank, "marking-definition")
    assert stix.marking_definition("TLP:CLEAR") in markings
    for body in markings:
        assert_valid(body)


def test_sharing_again_revokes_what_was_deleted_meanwhile(db_session: Session) -> None:
    bank = new_bank(db_session, shared=True)
    kept = add(db_session, bank, 1)
    dropped = add(db_session, bank, 2)
    kept_id = live_indicator(db_session, bank, kept).stix_id
    dropped_id = live_indicator(db_session, bank, dropped).stix_id
    service.update_bank(db_session, bank, {"shared": False})
    collection = bank.collection_id
    service.delete_entry(db_session, service.get_entry(db_session, bank, dropped))
    add(db_session, bank, 3)  # added while not shared: published when shared again

    service.update_bank(db_session, bank, {"shared": True})
    assert bank.collection_id == collection  # partners' exchanges keep working
    by_id = {row.stix_id: row for row in log_of(db_session, bank)}
    assert by_id[dropped_id].revoked
    assert not by_id[kept_id].revoked
    live = [row.object_type for row in by_id.values() if not row.revoked]
    assert sorted(live) == ["identity", "indicator", "indicator", "marking-definition"]


def test_a_new_version_of_the_newest_object_comes_after_it(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sharing a large bank dates its objects a microsecond apart, ahead of the clock; a
    # clock that stands still makes the same case without a large bank.
    frozen = utc_now()
    monkeypatch.setattr(sharing, "utc_now", lambda: frozen)
    bank = new_bank(db_session, shared=True)
    add(db_session, bank, 1)
    newest = add(db_session, bank, 2)
    checkpoint = live_indicator(db_session, bank, newest).date_added
    assert log_of(db_session, bank)[-1].date_added == checkpoint

    # A subscriber checkpointed at the newest object must see its next versions.
    entry = service.get_entry(db_session, bank, newest)
    service.update_entry(db_session, entry, {"labels": ["relabelled"]})
    db_session.expire_all()
    relabelled = live_indicator(db_session, bank, newest)
    assert relabelled.date_added > checkpoint
    service.update_entry(db_session, entry, {"enabled": False})
    db_session.expire_all()
    revoked = log_of(db_session, bank)[-1]
    assert (revoked.stix_id, revoked.revoked) == (relabelled.stix_id, True)
    assert revoked.date_added > relabelled.date_added
    dates = [row.date_added for row in log_of(db_session, bank)]
    assert all(earlier < later for earlier, later in itertools.pairwise(dates))


def test_replacing_the_newest_object_never_reuses_its_position(db_session: Session) -> None:
    # A client's ``next`` is a row id: an id given again would let it skip a version
    # (SQLite gives a deleted newest row's id to the next row unless told otherwise).
    bank = new_bank(db_session, shared=True)
    entry_id = add(db_session, bank, 1)
    entry = service.get_entry(db_session, bank, entry_id)
    positions = [live_indicator(db_session, bank, entry_id).id]
    for labels in (["first"], ["second"]):
        service.update_entry(db_session, entry, {"labels": labels})
        db_session.expire_all()
        positions.append(live_indicator(db_session, bank, entry_id).id)
    assert all(earlier < later for earlier, later in itertools.pairwise(positions))


def test_a_shared_bank_cannot_be_deleted(db_session: Session) -> None:
    bank = new_bank(db_session, shared=True)
    entry_id = add(db_session, bank, 1)
    collection = bank.collection_id
    assert collection is not None
    with pytest.raises(Conflict, match="stop sharing it first") as refused:
        service.delete_bank(db_session, bank)
    assert "partners keep what they fetched" in refused.value.detail
    # Nothing was deleted: partners still fetch the collection, revocations included.
    assert service.shared_bank(db_session, collection) is not None
    assert service.get_entry(db_session, bank, entry_id).enabled

    # Unshared, it can go: partners keep what they fetched, with no more updates.
    service.update_bank(db_session, bank, {"shared": False})
    bank_id = bank.id
    service.delete_bank(db_session, bank)
    db_session.expire_all()
    assert service.find_bank(db_session, "FAKES") is None
    assert (
        db_session.scalars(select(SharedObject).where(SharedObject.bank_id == bank_id)).all() == []
    )


def test_a_red_bank_is_never_shared(db_session: Session) -> None:
    with pytest.raises(Conflict, match="TLP:RED, which never leaves this instance"):
        new_bank(db_session, "SECRET", marking=Marking.RED, shared=True)
    assert service.find_bank(db_session, "SECRET") is None  # refused before anything was made

    secret = new_bank(db_session, "SECRET", marking=Marking.RED)
    with pytest.raises(Conflict, match="TLP:RED"):
        service.share_bank(db_session, secret)
    with pytest.raises(Conflict, match="TLP:RED"):
        service.update_bank(db_session, secret, {"shared": True})
    assert not secret.shared

    shared = new_bank(db_session, "SHARED", shared=True)
    add(db_session, shared, 1)
    with pytest.raises(Conflict, match="stop sharing it first"):
        service.update_bank(db_session, shared, {"marking": Marking.RED})
    assert shared.marking == Marking.AMBER.value
    # Unshared and re-marked at once: allowed, and nothing is left ready to serve.
    service.update_bank(db_session, shared, {"shared": False, "marking": Marking.RED})
    assert log_of(db_session, shared) == []
    assert shared.marking == Marking.RED.value


#: The operations the property test draws from.
_OPERATIONS = ("share", "unshare", "mark", "add", "disable", "enable", "delete", "owner")


def _step(session: Session, rng: random.Random, bank: Bank, number: int) -> None:
    """One random operation on ``bank``; refusals are part of the game."""
    operation = rng.choice(_OPERATIONS)
    entries = service.list_entries(session, bank, limit=1000)
    try:
        with session.begin_nested():
            if operation == "share":
                service.update_bank(session, bank, {"shared": True})
            elif operation == "unshare":
                service.update_bank(session, bank, {"shared": False})
            elif operation == "mark":
                changes: dict[str, Any] = {"marking": rng.choice(list(Marking))}
                if rng.random() < 0.5:
                    changes["shared"] = rng.random() < 0.5
                service.update_bank(session, bank, changes)
            elif operation == "add":
                add(session, bank, number, labels=(f"step-{number}",))
            elif operation == "owner":
                service.update_bank(session, bank, {"owner": f"Owner {number}"})
            elif entries:
                entry = rng.choice(entries)
                if operation == "delete":
                    service.delete_entry(session, entry)
                else:
                    service.update_entry(session, entry, {"enabled": operation == "enable"})
    except Conflict:
        session.expire_all()  # the refused change was rolled back to the savepoint


def _check_red_stays_home(session: Session, banks: list[Bank]) -> None:
    red_marking = stix.TLP_MARKING_IDS["TLP:RED"]
    every_row = session.scalars(select(SharedObject)).all()
    assert all(red_marking not in row.body for row in every_row)
    served = {bank.id for bank in service.shared_banks(session)}
    for bank in banks:
        rows = [row for row in every_row if row.bank_id == bank.id]
        if bank.marking == Marking.RED.value:
            assert not bank.shared
            assert rows == [], f"{bank.name} is RED and has {len(rows)} objects"
            assert bank.id not in served
            if bank.collection_id:
                assert service.shared_bank(session, bank.collection_id) is None
        elif bank.shared:
            # A shared bank serves its marking on every live indicator.
            marking = stix.TLP_MARKING_IDS[bank.marking]
            for row in rows:
                if row.object_type == "indicator" and not row.revoked:
                    assert json.loads(row.body)["object_marking_refs"] == [marking]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_sequence_of_operations_puts_red_in_a_collection(db_session: Session, seed: int) -> None:
    rng = random.Random(seed)
    banks = [
        new_bank(db_session, "ALPHA", marking=Marking.AMBER, shared=True),
        new_bank(db_session, "BRAVO", marking=Marking.RED),
        new_bank(db_session, "CHARLIE", marking=Marking.GREEN),
    ]
    for number in range(1, 121):
        _step(db_session, rng, rng.choice(banks), number)
        db_session.flush()
        _check_red_stays_home(db_session, banks)


def test_fetched_entries_are_passed_on_only_as_tlp_allows(db_session: Session) -> None:
    bank = new_bank(db_session, "MIRROR", marking=Marking.CLEAR, shared=True)

    def fetched(number: int, marking: str | None) -> stix.RemoteIndicator:
        return stix.RemoteIndicator(
            stix_id=stix.new_id("indicator"), modified=stix.parse_time("2026-05-01T12:00:00Z"),
            revoked=False, signals={"pdq": pdq(number)}, owner_ref=None, marking=marking,
        )  # fmt: skip

    indicators = [
        fetched(1, "TLP:GREEN"), fetched(2, "TLP:AMBER"), fetched(3, "TLP:AMBER+STRICT"),
        fetched(4, None),
    ]  # fmt: skip
    applied = service.apply_remote_indicators(db_session, bank, "peer", indicators)
    assert applied.added == 4
    published = {body["pattern"]: body for body in bodies(db_session, bank)}
    # AMBER was given to this instance, not to its partners: it is not passed on.
    assert set(published) == {f"[file:hashes.x_accord_pdq = '{pdq(n)}']" for n in (1, 4)}
    # Never under a weaker marking than it came with.
    green = published[f"[file:hashes.x_accord_pdq = '{pdq(1)}']"]
    assert green["object_marking_refs"] == [stix.TLP_MARKING_IDS["TLP:GREEN"]]
    unmarked = published[f"[file:hashes.x_accord_pdq = '{pdq(4)}']"]
    assert unmarked["object_marking_refs"] == [stix.TLP_MARKING_IDS["TLP:CLEAR"]]
    for body in published.values():
        assert_valid(body)


# --- the banks API -------------------------------------------------------------------


def test_the_api_shares_a_bank_and_refuses_red(client: TestClient) -> None:
    created = client.post(
        "/v1/banks", json={"name": "FAKES", "shared": True, "false_positive_limit": 2}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["shared"] is True
    assert body["collection_id"]
    assert body["false_positive_limit"] == 2

    red = client.post("/v1/banks", json={"name": "SECRET", "marking": "TLP:RED", "shared": True})
    assert red.status_code == 409
    assert red.headers["content-type"].startswith("application/problem+json")
    assert "never leaves this instance" in red.json()["detail"]
    assert client.get("/v1/banks/SECRET").status_code == 404

    remark = client.patch("/v1/banks/FAKES", json={"marking": "TLP:RED"})
    assert remark.status_code == 409
    assert "stop sharing it first" in remark.json()["detail"]
    assert client.get("/v1/banks/FAKES").json()["marking"] == "TLP:AMBER"

    stopped = client.patch("/v1/banks/FAKES", json={"shared": False, "false_positive_limit": None})
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["shared"] is False
    assert stopped.json()["collection_id"] == body["collection_id"]
    assert stopped.json()["false_positive_limit"] is None
    assert client.patch("/v1/banks/FAKES", json={"false_positive_limit": 0}).status_code == 422
    assert client.patch("/v1/banks/FAKES", json={"shared": None}).status_code == 400


def test_the_api_refuses_to_delete_a_shared_bank(client: TestClient) -> None:
    assert client.post("/v1/banks", json={"name": "FAKES", "shared": True}).status_code == 201
    refused = client.delete("/v1/banks/FAKES")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "stop sharing it first" in refused.json()["detail"]
    assert client.get("/v1/banks/FAKES").json()["shared"] is True
    assert client.patch("/v1/banks/FAKES", json={"shared": False}).status_code == 200
    assert client.delete("/v1/banks/FAKES").status_code == 204
    assert client.get("/v1/banks/FAKES").status_code == 404
