"""Timestamps compare as instants on every database, whatever zone a caller writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.server.auth.models import ApiKey

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_a_time_in_another_zone_is_compared_as_the_same_instant(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        session.add(
            ApiKey(
                name="k", prefix="p", secret_sha256="0" * 64, scopes=["match"],
                created_at=datetime(2026, 12, 6, 11, 0, tzinfo=UTC),
            )
        )  # fmt: skip
    with sessions() as session:
        after = select(ApiKey.name).where(
            ApiKey.created_at >= datetime(2026, 12, 6, 12, 0, tzinfo=PARIS_SUMMER)
        )
        assert session.scalars(after).all() == ["k"]  # 12:00+02:00 is 10:00 UTC
        later = select(ApiKey.name).where(
            ApiKey.created_at >= datetime(2026, 12, 6, 13, 30, tzinfo=PARIS_SUMMER)
        )
        assert session.scalars(later).all() == []  # 11:30 UTC
