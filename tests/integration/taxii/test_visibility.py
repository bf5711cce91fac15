"""TLP decides who sees a collection: CLEAR and GREEN every partner, AMBER the owner's
partners only, RED nobody, ever. A collection one may not see answers as if absent."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from accord.server.banks import service as banks
from accord.server.banks.models import Bank
from accord.server.banks.schemas import Marking
from accord.sharing import stix
from tests.integration.taxii.publishing import (
    OWNER,
    ROOT,
    collection_url,
    share_key,
    shared_bank,
    taxii,
)
from tests.integration.taxii.test_resources import assert_taxii_error


def every_answer(client: TestClient, key: str, bank: Bank, indicator_id: str) -> list[Response]:
    """Every request a partner can make of ``bank``'s collection."""
    url = collection_url(bank)
    opinion = stix.opinion(
        indicator_id,
        stix.Verdict.FALSE_POSITIVE,
        author="Outsider",
        note="",
        created=datetime.now(UTC),
    )
    post = taxii(key, **{"Content-Type": stix.TAXII_MEDIA_TYPE})
    return [
        client.get(url, headers=taxii(key)),
        client.get(f"{url}objects/", headers=taxii(key)),
        client.get(f"{url}objects/{indicator_id}/", headers=taxii(key)),
        client.get(f"{url}objects/{indicator_id}/versions/", headers=taxii(key)),
        client.get(f"{url}manifest/", headers=taxii(key)),
        client.post(f"{url}objects/", headers=post, content=json.dumps({"objects": [opinion]})),
        client.delete(f"{url}objects/{indicator_id}/", headers=taxii(key)),
    ]


def listed(client: TestClient, key: str) -> list[str]:
    found = client.get(f"{ROOT}/collections/", headers=taxii(key)).json()["collections"]
    return [collection["title"] for collection in found]


def indicator_of(client: TestClient, key: str, bank: Bank) -> str:
    objects = client.get(f"{collection_url(bank)}objects/", headers=taxii(key)).json()["objects"]
    return str(next(body["id"] for body in objects if body["type"] == "indicator"))


@pytest.mark.parametrize("marking", [Marking.AMBER, Marking.AMBER_STRICT])
def test_amber_is_for_the_owners_partners(
    client: TestClient, db_session: Session, marking: Marking
) -> None:
    bank = shared_bank(db_session, "AMBER_BANK", marking=marking)
    partner = share_key(db_session, "partner", partner_of=[OWNER])
    other = share_key(db_session, "outsider", partner_of=["Another Commission"])
    indicator_id = indicator_of(client, partner, bank)
    assert listed(client, partner) == ["AMBER_BANK"]
    assert listed(client, other) == []
    for answer in every_answer(client, other, bank, indicator_id):
        assert "no collection" in assert_taxii_error(answer, 404)["description"]
    statuses = [answer.status_code for answer in every_answer(client, partner, bank, indicator_id)]
    assert statuses == [200, 200, 200, 200, 200, 202, 403]


@pytest.mark.parametrize("marking", [Marking.CLEAR, Marking.GREEN])
def test_clear_and_green_are_for_every_partner(
    client: TestClient, db_session: Session, marking: Marking
) -> None:
    bank = shared_bank(db_session, "OPEN_BANK", marking=marking)
    anyone = share_key(db_session, "anyone")
    assert listed(client, anyone) == ["OPEN_BANK"]
    indicator_id = indicator_of(client, anyone, bank)
    statuses = [answer.status_code for answer in every_answer(client, anyone, bank, indicator_id)]
    assert statuses == [200, 200, 200, 200, 200, 202, 403]


def test_an_amber_bank_without_owner_is_published_under_its_name(
    client: TestClient, db_session: Session
) -> None:
    bank = shared_bank(db_session, "NAMELESS", marking=Marking.AMBER, owner="")
    partner = share_key(db_session, "partner", partner_of=["NAMELESS"])
    assert listed(client, partner) == ["NAMELESS"]
    assert listed(client, share_key(db_session, "outsider", partner_of=[""])) == []
    objects = client.get(f"{collection_url(bank)}objects/", headers=taxii(partner)).json()
    identity = next(body for body in objects["objects"] if body["type"] == "identity")
    assert identity["name"] == "NAMELESS"


def test_red_never_appears(client: TestClient, db_session: Session) -> None:
    """Even a RED bank flagged as shared in the table (the service refuses to share one)
    serves nothing, to anyone, partner of its owner or not."""
    bank = shared_bank(db_session, "ONCE_GREEN", marking=Marking.GREEN)
    partner = share_key(db_session, "partner", partner_of=[OWNER])
    indicator_id = indicator_of(client, partner, bank)
    bank.marking = Marking.RED.value  # past the service's refusal, straight in the table
    db_session.flush()
    assert bank.shared
    assert listed(client, partner) == []
    for answer in every_answer(client, partner, bank, indicator_id):
        assert_taxii_error(answer, 404)


def test_an_unshared_bank_disappears(client: TestClient, db_session: Session) -> None:
    bank = shared_bank(db_session, "SOON_PRIVATE")
    anyone = share_key(db_session, "anyone")
    indicator_id = indicator_of(client, anyone, bank)
    banks.unshare_bank(db_session, bank)
    assert listed(client, anyone) == []
    for answer in every_answer(client, anyone, bank, indicator_id):
        assert_taxii_error(answer, 404)
