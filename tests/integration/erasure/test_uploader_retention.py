"""Uploaders' accounts are kept only while a case, its appeals and the strikes it gave
need them: the daily job blanks them from copies, notices and sent webhook messages, gives
lapsed strikes and measures a pseudonym, and destroys the account's key in the audit log.
Appellants' contact addresses go once their appeal is closed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.appeals.models import Appeal, AppealStatus
from accord.server.audit import service as audit
from accord.server.cases.models import Case, CaseItem
from accord.server.db.base import utc_now
from accord.server.erasure.retention import enforce_retention
from accord.server.measures.models import AccountMeasure, Strike
from accord.server.notices.models import Notice
from accord.server.settings import Settings
from tests.integration.cases.test_cases_api import REMOVE, reported
from tests.integration.notice_action import PLATFORM, Staff, messages, runtime_of, sign_in
from tests.integration.notices.test_notices_api import bridge

ACCOUNT = "uploader-zq81"


def _decided_case(client: TestClient, db_session: Session, staff: Staff, corpus: Path) -> Case:
    case = reported(
        client, db_session, bridge(corpus), platform=PLATFORM, platform_content_id="v-5",
        uploader=ACCOUNT,
    )  # fmt: skip
    headers = sign_in(client, staff.reviewer)
    decided = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    assert decided.status_code == 201, decided.text
    db_session.expire_all()
    return case


def _age(db_session: Session, case: Case, days: float) -> None:
    """Move the case's decision, its strikes and its messages ``days`` into the past."""
    then = utc_now() - timedelta(days=days)
    case.decided_at = then
    for strike in db_session.scalars(select(Strike)):
        strike.created_at, strike.expires_at = then, then + (strike.expires_at - strike.created_at)
    for message in messages(db_session):
        message.status, message.created_at = "delivered", then
    db_session.flush()


def _readable_audit(db_session: Session) -> str:
    return str(audit.newest(db_session, 500))


def test_an_uploaders_account_is_kept_while_needed_then_erased_everywhere(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    settings: Settings = runtime_of(client).settings
    case = _decided_case(client, db_session, staff, corpus)
    assert ACCOUNT in _readable_audit(db_session)  # sealed, but readable while needed
    window = settings.appeal_window_days + settings.retention_uploader_days

    _age(db_session, case, window - 1)  # the appeal window and retention not yet past
    erased = enforce_retention(db_session, settings, utc_now())
    assert erased["uploader_accounts"] == 0
    assert db_session.scalars(select(CaseItem.uploader)).all() == [ACCOUNT]

    # Past both; the strike (a year) lapsed more than the retention ago too.
    _age(db_session, case, settings.strike_expiry_days + settings.retention_uploader_days + 1)
    erased = enforce_retention(db_session, settings, utc_now())

    assert erased["uploader_accounts"] == 1  # one account, on a copy, a notice, messages
    assert erased["pseudonymised_subjects"] == 1
    assert db_session.scalars(select(CaseItem.uploader)).all() == [""]
    assert db_session.scalars(select(Notice.uploader)).all() == [""]
    (strike,) = db_session.scalars(select(Strike))
    (warning,) = db_session.scalars(select(AccountMeasure))
    assert strike.subject == warning.subject
    assert strike.subject.startswith("erased:")
    sent = [message.payload for message in messages(db_session)]
    assert [payload.get("account") for payload in sent if "account" in payload] == [""]
    assert ACCOUNT not in str(sent)
    assert ACCOUNT not in _readable_audit(db_session)  # its key is gone
    assert audit.ERASED in _readable_audit(db_session)
    assert audit.verify(db_session).intact


def test_a_standing_termination_keeps_the_account_in_its_measures(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    settings: Settings = runtime_of(client).settings
    case = _decided_case(client, db_session, staff, corpus)
    (warning,) = db_session.scalars(select(AccountMeasure))
    warning.kind = "termination"  # as if the ladder had reached its top
    _age(db_session, case, settings.strike_expiry_days + settings.retention_uploader_days + 1)

    erased = enforce_retention(db_session, settings, utc_now())

    assert erased["pseudonymised_subjects"] == 0
    assert warning.subject == f"{PLATFORM}:{ACCOUNT}"  # the platform enforces it still
    assert ACCOUNT in _readable_audit(db_session)  # so its key stays
    assert db_session.scalars(select(CaseItem.uploader)).all() == [""]  # the copy's goes


def test_an_appellants_address_goes_once_the_appeal_is_closed(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    settings: Settings = runtime_of(client).settings
    case = _decided_case(client, db_session, staff, corpus)
    (removal,) = messages(db_session, "content.")
    token = removal.payload["appeal"]["token"]
    appealed = client.post(
        "/v1/appeals",
        json={"token": token, "reason": "It is satire.", "contact_email": "Up.Loader@mail.example"},
    )
    assert appealed.status_code == 201, appealed.text
    appeal = db_session.scalars(select(Appeal)).one()
    now = utc_now()
    cutoff = timedelta(days=settings.retention_notifier_days)
    assert enforce_retention(db_session, settings, now)["appellant_contacts"] == 0  # open

    appeal.status, appeal.decided_at = AppealStatus.UPHELD, now - cutoff + timedelta(days=1)
    assert enforce_retention(db_session, settings, now)["appellant_contacts"] == 0  # recent
    appeal.decided_at = now - cutoff - timedelta(days=1)
    erased = enforce_retention(db_session, settings, now)

    assert erased["appellant_contacts"] == 1
    assert appeal.contact_email == ""
    assert case.reference  # the case and its decision stand
    assert "up.loader@mail.example" not in _readable_audit(db_session).lower()
