"""Partners' opinions and sightings on shared entries: kept once, shown with the entry,
disputed when partners disagree, and disabling an entry at the bank's limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import NotFound
from accord.server.audit.models import AuditEntry
from accord.server.banks import service
from accord.server.banks.models import Bank, EntryOpinion, EntrySighting, SharedObject
from accord.server.banks.schemas import TransferFormat
from accord.sharing import stix
from accord.sharing.stix import Verdict
from tests.integration.banks.test_sharing import add, assert_valid, live_indicator, new_bank

#: Opinions are dated from here, a minute apart, so "latest" is unambiguous.
START = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def say(
    session: Session,
    bank: Bank,
    entry_id: int,
    partner: str,
    verdict: Verdict,
    *,
    minute: int,
    note: str = "",
) -> tuple[EntryOpinion, dict[str, Any]]:
    """``partner`` posts an opinion on the entry's live indicator, as TAXII hands it over."""
    indicator = live_indicator(session, bank, entry_id).stix_id
    body = stix.opinion(
        indicator, verdict, author=partner, note=note, created=START + timedelta(minutes=minute)
    )
    return service.record_opinion(session, bank, partner, stix.read_opinion(body)), body


def test_an_opinion_is_kept_once_and_stays_with_the_publisher(db_session: Session) -> None:
    bank = new_bank(db_session, shared=True)
    entry_id = add(db_session, bank, 1)
    row, body = say(
        db_session, bank, entry_id, "Platform A", Verdict.TRUE_POSITIVE, minute=1, note="seen it"
    )
    assert (row.entry_id, row.partner, row.verdict, row.note) == (
        entry_id, "Platform A", "true_positive", "seen it",
    )  # fmt: skip
    again = service.record_opinion(db_session, bank, "Platform A", stix.read_opinion(body))
    assert again.id == row.id
    assert len(db_session.scalars(select(EntryOpinion)).all()) == 1
    # Not served to other partners: a posted opinion names its author itself.
    kinds = db_session.scalars(select(SharedObject.object_type)).all()
    assert sorted(kinds) == ["identity", "indicator", "marking-definition"]
    assert_valid(body)


def test_an_opinion_on_an_unknown_indicator_is_not_found(db_session: Session) -> None:
    bank = new_bank(db_session, shared=True)
    other = new_bank(db_session, "OTHER", shared=True)
    entry_id = add(db_session, other, 1)
    elsewhere = live_indicator(db_session, other, entry_id).stix_id
    for indicator in (elsewhere, stix.new_id("indicator")):
        body = stix.opinion(indicator, Verdict.FALSE_POSITIVE, author="P", note="", created=START)
        with pytest.raises(NotFound, match="has no entry with the indicator"):
            service.record_opinion(db_session, bank, "P", stix.read_opinion(body))
    assert db_session.scalars(select(EntryOpinion)).all() == []


def test_disputed_follows_partners_latest_opinions(db_session: Session) -> None:
    bank = new_bank(db_session, shared=True)
    entry_id = add(db_session, bank, 1)
    quiet = add(db_session, bank, 2)
    say(db_session, bank, entry_id, "Platform A", Verdict.TRUE_POSITIVE, minute=1)
    assert service.entry_opinions(db_session, [entry_id])[entry_id]["disputed"] is False
    say(db_session, bank, entry_id, "Platform B", Verdict.FALSE_POSITIVE, minute=2, note="a parody")
    found = service.entry_opinions(db_session, [entry_id, quiet])
    assert found[entry_id]["disputed"] is True
    assert found[quiet] == {"opinions": [], "disputed": False}
    # Platform A changes its mind: its latest opinion counts, and now they agree.
    say(db_session, bank, entry_id, "Platform A", Verdict.FALSE_POSITIVE, minute=3)
    opinions = service.entry_opinions(db_session, [entry_id])[entry_id]
    assert opinions["disputed"] is False
    assert [(o["partner"], o["verdict"]) for o in opinions["opinions"]] == [
        ("Platform A", "true_positive"),
        ("Platform B", "false_positive"),
        ("Platform A", "false_positive"),
    ]
    assert opinions["opinions"][1]["note"] == "a parody"


def test_the_limit_counts_distinct_partners_not_opinions(db_session: Session) -> None:
    bank = new_bank(db_session, shared=True, false_positive_limit=2)
    entry_id = add(db_session, bank, 1)
    indicator = live_indicator(db_session, bank, entry_id).stix_id
    say(db_session, bank, entry_id, "Platform A", Verdict.FALSE_POSITIVE, minute=1)
    say(db_session, bank, entry_id, "Platform A", Verdict.FALSE_POSITIVE, minute=2)
    say(db_session, bank, entry_id, "Platform B", Verdict.TRUE_POSITIVE, minute=3)
    # Two opinions, but from one partner saying false positive.
    assert service.get_entry(db_session, bank, entry_id).enabled

    say(db_session, bank, entry_id, "Platform B", Verdict.FALSE_POSITIVE, minute=4)
    assert not service.get_entry(db_session, bank, entry_id).enabled
    revoked = db_session.scalars(
        select(SharedObject).where(SharedObject.stix_id == indicator)
    ).one()
    assert revoked.revoked  # it stops matching at every subscriber too
    why = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "disable", AuditEntry.row_id == str(entry_id))
    ).one()
    assert why.after == {
        "reason": "false_positive_limit", "limit": 2, "partners": ["Platform A", "Platform B"],
    }  # fmt: skip


def test_the_latest_opinion_is_the_last_to_arrive(db_session: Session) -> None:
    # The time an opinion claims is the partner's word: one dated ahead must not outweigh
    # what the same partner says after it.
    bank = new_bank(db_session, shared=True, false_positive_limit=2)
    entry_id = add(db_session, bank, 1)
    say(db_session, bank, entry_id, "Platform A", Verdict.FALSE_POSITIVE, minute=60 * 24 * 365)
    say(db_session, bank, entry_id, "Platform A", Verdict.TRUE_POSITIVE, minute=1)
    say(db_session, bank, entry_id, "Platform B", Verdict.FALSE_POSITIVE, minute=2)
    # Platform A's latest says true positive: one partner against, below the limit.
    assert service.get_entry(db_session, bank, entry_id).enabled
    opinions = service.entry_opinions(db_session, [entry_id])[entry_id]
    assert opinions["disputed"] is True
    assert [(o["partner"], o["verdict"]) for o in opinions["opinions"]] == [
        ("Platform A", "false_positive"),
        ("Platform A", "true_positive"),
        ("Platform B", "false_positive"),
    ]  # as they arrived; each keeps the time its partner gave, for display
    assert opinions["opinions"][0]["created_at"] == START + timedelta(days=365)


def test_lowering_the_limit_applies_to_opinions_already_given(db_session: Session) -> None:
    bank = new_bank(db_session, shared=True)
    doubted = add(db_session, bank, 1)
    trusted = add(db_session, bank, 2)
    say(db_session, bank, doubted, "Platform A", Verdict.FALSE_POSITIVE, minute=1)
    say(db_session, bank, trusted, "Platform A", Verdict.TRUE_POSITIVE, minute=1)
    assert service.get_entry(db_session, bank, doubted).enabled  # no limit yet

    service.update_bank(db_session, bank, {"false_positive_limit": 1})
    assert not service.get_entry(db_session, bank, doubted).enabled
    assert service.get_entry(db_session, bank, trusted).enabled


def test_a_sighting_is_kept_once_and_counted(db_session: Session) -> None:
    bank = new_bank(db_session, shared=True)
    entry_id = add(db_session, bank, 1)
    indicator = live_indicator(db_session, bank, entry_id).stix_id
    bodies = [
        stix.sighting(indicator, seen_by=partner, count=count, first_seen=START, last_seen=START)
        for partner, count in (("Platform A", 3), ("Platform B", 4))
    ]
    for body in bodies:
        assert_valid(body)
        service.record_sighting(db_session, bank, "P", stix.read_sighting(body))
    service.record_sighting(db_session, bank, "P", stix.read_sighting(bodies[0]))
    assert len(db_session.scalars(select(EntrySighting)).all()) == 2
    assert service.entry_sightings(db_session, [entry_id, entry_id + 1]) == {
        entry_id: 7, entry_id + 1: 0,
    }  # fmt: skip
    kinds = db_session.scalars(
        select(SharedObject.object_type).where(SharedObject.bank_id == bank.id)
    ).all()
    assert "sighting" not in kinds


def test_the_export_and_the_api_show_opinions(db_session: Session, client: TestClient) -> None:
    bank = new_bank(db_session, shared=True)
    entry_id = add(db_session, bank, 1)
    plain = add(db_session, bank, 2)
    say(db_session, bank, entry_id, "Platform A", Verdict.TRUE_POSITIVE, minute=1)
    say(db_session, bank, entry_id, "Platform B", Verdict.FALSE_POSITIVE, minute=2, note="satire")
    db_session.commit()

    lines = [
        json.loads(line)
        for line in "".join(service.export_entries(db_session, bank, TransferFormat.JSONL))
        .strip()
        .splitlines()
    ]
    by_id = {line["id"]: line for line in lines}
    assert by_id[entry_id]["disputed"] is True
    assert [(o["partner"], o["verdict"], o["note"]) for o in by_id[entry_id]["opinions"]] == [
        ("Platform A", "true_positive", ""),
        ("Platform B", "false_positive", "satire"),
    ]
    assert by_id[entry_id]["opinions"][0]["created_at"].startswith("2026-05-01T12:01:00")
    assert by_id[plain]["opinions"] == []
    assert by_id[plain]["disputed"] is False

    read = client.get(f"/v1/banks/{bank.name}/entries/{entry_id}").json()
    assert read["disputed"] is True
    assert [o["partner"] for o in read["opinions"]] == ["Platform A", "Platform B"]
    listed = client.get(f"/v1/banks/{bank.name}/entries").json()
    assert [entry["disputed"] for entry in listed] == [True, False]
