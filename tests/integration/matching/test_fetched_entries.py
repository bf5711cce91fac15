"""Matches on entries fetched from an exchange: the answer says where each came from, and
every lookup that counts (``POST /v1/match``, HMA's lookup) queues a sighting for the
publisher when its exchange reports them."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.banks.models import BankEntry
from accord.sharing.stix import identity_id
from tests.integration.banks.test_banks_api import BRIDGE_PDQ, make_bank
from tests.integration.cases.test_cases_api import reported
from tests.integration.matching.fetched import MODIFIED, PUBLISHER, fetched_entry, sent_back
from tests.integration.matching.test_match_api import match_signals
from tests.integration.notice_action import Staff
from tests.integration.notices.test_notices_api import bridge
from tests.integration.portal.test_portal_pages import page_sign_in

#: A hash far from the bridge's, for a second, unrelated entry.
FAR_PDQ = "0f" * 32


def test_a_match_on_a_fetched_entry_says_where_it_came_from(
    client: TestClient, db_session: Session
) -> None:
    make_bank(client)
    local = client.post("/v1/banks/DEEPFAKES/entries", json={"signals": {"pdq": BRIDGE_PDQ}})
    assert local.status_code == 201, local.text
    fetched = fetched_entry(client, db_session, {"pdq": BRIDGE_PDQ}, case_reference="RU-7")
    answer = match_signals(client, signals={"pdq": BRIDGE_PDQ})
    entries = {match["entry_id"]: match["entry"] for match in answer["matches"]}
    assert {entry_id: entry["origin"] for entry_id, entry in entries.items()} == {
        local.json()["id"]: None,
        fetched.entry_id: {
            "exchange": "ruritania",
            "remote_id": fetched.remote_id,
            "owner": PUBLISHER,
            "marking": "TLP:AMBER",
            "case_reference": "RU-7",
            "modified": MODIFIED,
        },
    }
    # The publisher's case is not one of this instance's.
    assert entries[fetched.entry_id]["case_reference"] is None


def test_each_match_on_a_fetched_entry_queues_one_sighting_for_its_publisher(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = client_with(exchange_author="VideoShare Trust and Safety")
    fetched = fetched_entry(client, db_session, {"pdq": BRIDGE_PDQ})
    match_signals(client, signals={"pdq": BRIDGE_PDQ})
    (sighting,) = sent_back(db_session, "sighting")
    assert sighting.exchange_id == fetched.exchange.id
    assert sighting.status == "pending"
    body = json.loads(sighting.body)
    assert body["type"] == "sighting"
    assert body["sighting_of_ref"] == fetched.remote_id
    assert body["where_sighted_refs"] == [identity_id("VideoShare Trust and Safety")]
    # HMA's lookup goes the same way.
    found = client.get(f"/m/lookup?signal_type=pdq&signal={BRIDGE_PDQ}")
    assert found.status_code == 200, found.text
    assert len(sent_back(db_session, "sighting")) == 2
    # A lookup that matches nothing of the exchange's queues nothing.
    match_signals(client, signals={"pdq": FAR_PDQ})
    assert len(sent_back(db_session, "sighting")) == 2


def test_no_sighting_for_a_local_entry_nor_for_an_exchange_that_does_not_report_them(
    client: TestClient, db_session: Session
) -> None:
    make_bank(client)
    added = client.post("/v1/banks/DEEPFAKES/entries", json={"signals": {"pdq": BRIDGE_PDQ}})
    assert added.status_code == 201, added.text
    fetched_entry(client, db_session, {"pdq": BRIDGE_PDQ}, report_sightings=False)
    answer = match_signals(client, signals={"pdq": BRIDGE_PDQ})
    assert len(answer["matches"]) == 2  # both matched ...
    assert sent_back(db_session, "sighting") == []  # ... and nobody is told


def test_a_raw_lookup_of_a_disabled_entry_is_no_sighting(
    client: TestClient, db_session: Session
) -> None:
    fetched = fetched_entry(client, db_session, {"pdq": BRIDGE_PDQ})
    entry = db_session.get(BankEntry, fetched.entry_id)
    assert entry is not None
    entry.enabled = False  # an admin here stopped it matching
    db_session.commit()
    assert match_signals(client, signals={"pdq": BRIDGE_PDQ})["matches"] == []
    raw = client.get(f"/m/raw_lookup?signal_type=pdq&signal={BRIDGE_PDQ}")
    assert raw.status_code == 200, raw.text
    assert len(raw.json()["matches"]) == 1  # shown ...
    assert sent_back(db_session, "sighting") == []  # ... but not matched


def test_the_case_page_names_the_publisher_s_case_not_one_of_ours(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    fetched = fetched_entry(client, db_session, {"pdq": BRIDGE_PDQ}, case_reference="RU-2026-7")
    entry = db_session.get(BankEntry, fetched.entry_id)
    assert entry is not None
    entry.case_reference = "OURS-1"  # a case of this instance: never the publisher's
    db_session.commit()
    case = reported(client, db_session, bridge(corpus))
    page_sign_in(client, staff.reviewer.email)
    page = client.get(f"/review/cases/{case.reference}")
    assert page.status_code == 200, page.text
    card = html.unescape(page.text.split(f'id="exchange-entry-{fetched.entry_id}"')[1])
    assert "the publisher's case RU-2026-7" in card
    assert "OURS-1" not in card.split("</div>")[0]
