"""A publisher's side for the TAXII tests: shared banks with entries, partners' keys, and
OASIS's validator for every object served."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

import requests
from sqlalchemy.orm import Session
from stix2validator import ValidationOptions, validate_instance

from accord.server.auth.keys import create_key
from accord.server.banks import service as banks
from accord.server.banks.models import Bank
from accord.server.banks.schemas import EntryFields, Marking
from accord.sharing.stix import TAXII_MEDIA_TYPE

ROOT = "/taxii2/accord"
OWNER = "Electoral Commission"
BRIDGE_PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
STRICT = ValidationOptions(version="2.1", strict=True)


def share_key(session: Session, name: str, partner_of: Sequence[str] = ()) -> str:
    """A partner's ``share`` key, a partner of the owners named."""
    row, key = create_key(session, name, ["share"])
    row.partner_of = list(partner_of)  # as ``accord key create --partner-of`` stores it
    session.flush()
    return key


def taxii(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Accept": TAXII_MEDIA_TYPE, **headers}


def pdqs(count: int, seed: int = 15) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.getrandbits(256):064x}" for _ in range(count)]


def shared_bank(
    session: Session,
    name: str,
    signals: Sequence[Mapping[str, str]] = ({"pdq": BRIDGE_PDQ},),
    *,
    marking: Marking = Marking.GREEN,
    owner: str = OWNER,
    fields: EntryFields | None = None,
) -> Bank:
    """A bank with an entry per item of ``signals``, shared."""
    bank = banks.create_bank(session, name, owner=owner, marking=marking)
    given = fields or EntryFields(labels=["deepfake"], case_reference="C-2026-1")
    banks.add_entries(session, bank, [(dict(item), given) for item in signals])
    banks.share_bank(session, bank)
    return bank


def collection_url(bank: Bank) -> str:
    return f"{ROOT}/collections/{bank.collection_id}/"


def assert_valid(objects: Sequence[Mapping[str, Any]]) -> None:
    """Each object passes OASIS's STIX 2.1 validator, strict (warnings are errors)."""
    for body in objects:
        result = validate_instance(dict(body), STRICT)
        assert result.is_valid, [str(error) for error in result.errors]


class Bearer(requests.auth.AuthBase):
    """An API key as taxii2-client sends it (it knows only basic auth by itself)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.key}"
        return request
