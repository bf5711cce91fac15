"""Partner keys: a ``share`` key names the owners whose TLP:AMBER banks it may read."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import BadRequest
from accord.server.auth.keys import create_key, find_key, partner_of
from accord.server.auth.models import ApiKey


def test_a_share_key_keeps_the_owners_it_is_a_partner_of(db_session: Session) -> None:
    row, key = create_key(
        db_session, "platform-a", ["share"],
        partner_of=[" Electoral Commission ", "Fact Hub", "Electoral Commission"],
    )  # fmt: skip
    assert row.partner_of == ["Electoral Commission", "Fact Hub"]
    db_session.expire_all()
    stored = db_session.scalars(select(ApiKey).where(ApiKey.name == "platform-a")).one()
    assert stored.partner_of == ["Electoral Commission", "Fact Hub"]
    found = find_key(db_session, key)
    assert found is not None
    assert found.scopes == ["share"]


def test_a_share_key_without_partners_reads_clear_and_green_only(db_session: Session) -> None:
    row, _ = create_key(db_session, "public-reader", ["share"])
    assert row.partner_of == []
    assert partner_of(db_session, "public-reader") == frozenset()


def test_the_owners_a_key_is_a_partner_of_are_read_by_its_name(db_session: Session) -> None:
    create_key(db_session, "platform-a", ["share"], partner_of=["Electoral Commission"])
    assert partner_of(db_session, "platform-a") == {"Electoral Commission"}
    assert partner_of(db_session, "nobody") == frozenset()


def test_only_share_keys_are_partners(db_session: Session) -> None:
    with pytest.raises(BadRequest, match="only a key with the 'share' scope"):
        create_key(db_session, "curator", ["curate"], partner_of=["Electoral Commission"])
    with pytest.raises(BadRequest, match="1 to 200 characters"):
        create_key(db_session, "blank", ["share"], partner_of=["  "])
    with pytest.raises(BadRequest, match="1 to 200 characters"):
        create_key(db_session, "long", ["share"], partner_of=["x" * 201])
    assert db_session.scalars(select(ApiKey)).all() == []
