"""Elections in any country (ISO 3166-1), while statements of reasons name only the EU/EEA
countries the DSA Transparency Database accepts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.errors import BadRequest
from accord.server.countries import country_codes, country_names
from accord.server.db.base import utc_now
from accord.server.elections.service import add_election
from accord.server.statements.schemas import TERRITORIAL_SCOPE, StatementOfReasons
from tests.integration.cases.test_cases_api import REMOVE, reported
from tests.integration.notice_action import Staff, sign_in
from tests.integration.notices.test_notices_api import bridge
from tests.integration.portal.test_portal_pages import page_sign_in


def test_every_iso_country_is_known_by_code_and_name() -> None:
    names = country_names()
    assert len(names) == 250  # the 249 assigned codes and XK
    assert (names["GB"], names["US"], names["IE"], names["XK"]) == (
        "United Kingdom", "United States", "Ireland", "Kosovo",
    )  # fmt: skip
    assert set(TERRITORIAL_SCOPE) <= set(names)
    assert country_codes([" gb", "", "IE", "gb"]) == ["GB", "IE"]
    with pytest.raises(BadRequest) as refused:
        country_codes(["UK", "EL", "XX"])
    assert refused.value.detail == (
        "not ISO 3166-1 country codes: EL (for Greece write GR), "
        "UK (for United Kingdom write GB), XX"
    )


def test_an_admin_registers_an_election_outside_the_eea(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    headers = sign_in(client, staff.admin)
    body = {"name": "UK general 2029", "polling_date": "2029-05-03", "territories": ["gb"]}
    created = client.post("/v1/elections", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json() == {
        "name": "UK general 2029", "polling_date": "2029-05-03", "territories": ["GB"],
        "statement_territories": [],
    }  # fmt: skip
    listed = client.get("/v1/elections", headers=headers).json()["elections"]
    assert [e["territories"] for e in listed] == [["GB"]]


@pytest.mark.parametrize(
    ("countries", "scope"),
    [
        (["GB"], None),  # no EEA country: the instance's default, here none
        (["GB", "IE"], ["IE"]),  # Northern Ireland's border: only the EEA one is named
    ],
)
def test_statements_for_an_election_name_only_eea_countries(
    *,
    client: TestClient,
    db_session: Session,
    staff: Staff,
    corpus: Path,
    countries: list[str],
    scope: list[str] | None,
) -> None:
    add_election(db_session, "Westminster", utc_now().date() + timedelta(days=30), countries)
    db_session.commit()
    case = reported(client, db_session, bridge(corpus), url="https://videoshare.example/v/9")
    headers = sign_in(client, staff.reviewer)
    decided = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    assert decided.status_code == 201, decided.text
    (statement,) = decided.json()["statements"]
    assert statement.get("territorial_scope") == scope
    StatementOfReasons.from_json(statement)  # the Transparency Database would take it


def test_the_elections_page_shows_every_country_and_what_statements_name(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    csrf = page_sign_in(client, staff.admin.email)
    form = {"csrf_token": csrf, "name": "Border poll", "polling_date": "2030-03-01"}
    added = client.post("/admin/elections", data=form | {"territories": "gb, ie"})
    assert "The election was added." in added.text
    client.post("/admin/elections", data=form | {"name": "Senate", "territories": "US"})
    page = client.get("/admin/elections").text
    assert 'GB, IE<br><span class="muted">statements of reasons: IE</span>' in page
    assert 'US<br><span class="muted">statements of reasons: the instance&#39;s default' in page
    assert "Two-letter country codes (ISO 3166-1)" in page
