"""Typos that would otherwise be kept silently are refused, in words that show the fix:
a protected person's unknown election, an issuer's non-ISO country, a past polling day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.errors import BadRequest
from accord.provenance.certificates import IssuerName
from accord.server.accounts import service as accounts
from accord.server.auth.roles import Role
from accord.server.db.base import utc_now
from accord.server.elections.service import add_election
from accord.server.issuers.service import create_issuer
from accord.server.persons.service import register_person
from tests.integration.notice_action import sign_in

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's


def test_a_person_names_a_registered_election(db_session: Session) -> None:
    with pytest.raises(BadRequest, match="add the election first"):
        register_person(db_session, "Jane Doe", election="Mayor 2027")
    add_election(db_session, "Mayor 2027", utc_now().date() + timedelta(days=90))
    with pytest.raises(BadRequest) as refused:
        register_person(db_session, "Jane Doe", election="No such election")
    assert refused.value.detail == (
        "no election is named 'No such election'; the elections are 'Mayor 2027'"
    )
    assert register_person(db_session, "Jane Doe", election=" Mayor 2027").election == "Mayor 2027"
    assert register_person(db_session, "John Roe").election == ""


def test_an_issuer_country_is_an_iso_code(db_session: Session) -> None:
    with pytest.raises(BadRequest, match=r"UK \(for United Kingdom write GB\)"):
        create_issuer(
            db_session, "x1", IssuerName("X", "X signing", "UK"), "a master key of sixteen or more"
        )
    issuer = create_issuer(
        db_session, "x1", IssuerName("X", "X signing", "GB"), "a master key of sixteen or more"
    )
    assert issuer.name == "x1"


def test_a_past_polling_day_is_refused_unless_allowed(
    client: TestClient, db_session: Session
) -> None:
    yesterday = utc_now().date() - timedelta(days=1)
    with pytest.raises(BadRequest, match="is in the past"):
        add_election(db_session, "Mayor 2020", yesterday)
    assert add_election(db_session, "Mayor 2020", yesterday, allow_past=True).name == "Mayor 2020"
    commission = accounts.create_organization(db_session, "Commission", "election_authority")
    admin = accounts.create_user(db_session, commission, "a@example.org", Role.ADMIN, PASSWORD)
    db_session.commit()
    csrf = sign_in(client, admin)
    body = {"name": "Senate 2024", "polling_date": yesterday.isoformat()}
    refused = client.post("/v1/elections", json=body, headers=csrf)
    assert refused.status_code == 400
    assert "check the year" in refused.json()["detail"]
    allowed = client.post("/v1/elections", json=body | {"allow_past": True}, headers=csrf)
    assert allowed.status_code == 201, allowed.text
