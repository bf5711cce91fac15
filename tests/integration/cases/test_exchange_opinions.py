"""A case whose content matched an entry fetched from an exchange: the case page says
where the entry came from, and a reviewer or an admin tells its publisher whether the
match was right (an opinion, queued for the exchange's outbox)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.audit.models import AuditEntry
from accord.server.cases.models import Case
from tests.integration.banks.test_banks_api import BRIDGE_PDQ
from tests.integration.cases.test_cases_api import reported
from tests.integration.matching.fetched import PUBLISHER, Fetched, fetched_entry, sent_back
from tests.integration.notice_action import Staff, hire, runtime_of
from tests.integration.notices.test_notices_api import bridge
from tests.integration.portal.test_portal_pages import csrf_of, page_sign_in

TELL = "Tell the publisher"


def opinion_form(page: str, fetched: Fetched, verdict: str, note: str = "") -> dict[str, str]:
    return {
        "csrf_token": csrf_of(page),
        "entry_id": str(fetched.entry_id),
        "verdict": verdict,
        "note": note,
    }


def case_with_a_fetched_match(
    client: TestClient, db_session: Session, corpus: Path
) -> tuple[Case, Fetched]:
    fetched = fetched_entry(client, db_session, {"pdq": BRIDGE_PDQ})
    return reported(client, db_session, bridge(corpus)), fetched


def test_the_case_page_says_where_a_match_came_from_and_the_reviewer_tells_the_publisher(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    case, fetched = case_with_a_fetched_match(client, db_session, corpus)
    # Triage's lookup was a match on the exchange's entry: its publisher hears of it.
    (sighting,) = sent_back(db_session, "sighting")
    assert json.loads(sighting.body)["sighting_of_ref"] == fetched.remote_id
    page_sign_in(client, staff.reviewer.email)
    page = client.get(f"/review/cases/{case.reference}")
    assert page.status_code == 200, page.text
    shown = html.unescape(page.text)
    assert f"From the exchange ruritania, published by {PUBLISHER}, TLP:AMBER." in " ".join(
        shown.replace("<strong>", "").replace("</strong>", "").split()
    )
    assert TELL in shown
    assert "Confirmed (true positive)" in shown
    assert "Not a match (false positive)" in shown
    assert len(sent_back(db_session, "sighting")) == 1  # looking at the page is no sighting
    note = "The bridge photo is a real press picture; the fake only reused its background."
    told = client.post(
        f"/review/cases/{case.reference}/opinion",
        data=opinion_form(page.text, fetched, "false_positive", note),
        follow_redirects=False,
    )
    assert told.status_code == 303, told.text
    assert told.headers["location"] == f"/review/cases/{case.reference}?done=opinion#exchanges"
    after = client.get(told.headers["location"])
    assert "Sent to the publisher's queue." in html.unescape(after.text)
    (opinion,) = sent_back(db_session, "opinion")
    assert opinion.exchange_id == fetched.exchange.id
    assert opinion.status == "pending"
    body = json.loads(opinion.body)
    assert (body["type"], body["opinion"]) == ("opinion", "strongly-disagree")
    assert body["object_refs"] == [fetched.remote_id]
    assert body["explanation"] == note
    audited = db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.table == "exchange_messages", AuditEntry.row_id == str(opinion.id)
        )
    )
    assert audited is not None
    assert audited.actor == f"user:{staff.reviewer.email}"
    assert audited.action == "insert"
    assert case.reference in audited.reason


def test_an_admin_may_tell_the_publisher_and_an_auditor_only_reads(
    client_with: Callable[..., TestClient], db_session: Session, corpus: Path
) -> None:
    client = client_with(exchange_author="VideoShare Trust and Safety")
    staff = hire(db_session, runtime_of(client).settings.master_key.get_secret_value())
    case, fetched = case_with_a_fetched_match(client, db_session, corpus)
    page_sign_in(client, staff.auditor.email)
    page = client.get(f"/review/cases/{case.reference}")
    assert "From the exchange" in page.text  # the auditor sees where it came from ...
    assert TELL not in page.text  # ... without the buttons
    refused = client.post(
        f"/review/cases/{case.reference}/opinion",
        data=opinion_form(page.text, fetched, "true_positive"),
    )
    assert refused.status_code == 403
    assert sent_back(db_session, "opinion") == []
    page_sign_in(client, staff.admin.email)
    page = client.get(f"/review/cases/{case.reference}")
    assert TELL in page.text
    told = client.post(
        f"/review/cases/{case.reference}/opinion",
        data=opinion_form(page.text, fetched, "true_positive"),
    )
    assert told.status_code == 200, told.text  # the redirect, followed
    (opinion,) = sent_back(db_session, "opinion")
    body = json.loads(opinion.body)
    assert (body["opinion"], body["object_refs"]) == ("strongly-agree", [fetched.remote_id])
    assert body["authors"] == ["VideoShare Trust and Safety"]  # who this instance says it is
    assert "explanation" not in body  # no note given


def test_a_bad_opinion_is_shown_on_the_page_and_queues_nothing(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    case, fetched = case_with_a_fetched_match(client, db_session, corpus)
    csrf = page_sign_in(client, staff.reviewer.email)
    page = client.get(f"/review/cases/{case.reference}").text
    forged = client.post(
        f"/review/cases/{case.reference}/opinion",
        data=opinion_form(page, fetched, "true_positive") | {"csrf_token": "0" * 64},
    )
    assert forged.status_code == 401
    unsure = client.post(
        f"/review/cases/{case.reference}/opinion",
        data=opinion_form(page, fetched, "maybe"),
    )
    assert unsure.status_code == 400
    assert 'id="opinion-error"' in unsure.text
    assert "The verdict must be &#39;true_positive&#39; or &#39;false_positive&#39;" in unsure.text
    assert TELL in unsure.text  # the page, with its form, not an error page
    elsewhere = client.post(
        f"/review/cases/{case.reference}/opinion",
        data={"csrf_token": csrf, "entry_id": str(2**63), "verdict": "false_positive"},
    )
    assert elsewhere.status_code == 400
    assert "is not an exchange entry this case matches" in elsewhere.text
    assert sent_back(db_session, "opinion") == []


def test_a_case_without_an_exchange_match_has_no_button(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    # Only an entry added here matches: nobody elsewhere to tell.
    made = client.post("/v1/banks", json={"name": "LOCAL"})
    assert made.status_code == 201, made.text
    added = client.post("/v1/banks/LOCAL/entries", json={"signals": {"pdq": BRIDGE_PDQ}})
    assert added.status_code == 201, added.text
    case = reported(client, db_session, bridge(corpus))
    csrf = page_sign_in(client, staff.reviewer.email)
    page = client.get(f"/review/cases/{case.reference}")
    assert page.status_code == 200
    assert "Shared by other organisations" not in page.text
    assert TELL not in page.text
    local = client.post(
        f"/review/cases/{case.reference}/opinion",
        data={"csrf_token": csrf, "entry_id": str(added.json()["id"]), "verdict": "true_positive"},
    )
    assert local.status_code == 400
    assert sent_back(db_session, "opinion") == []
    assert sent_back(db_session, "sighting") == []
