"""The admin's bank pages: sharing a bank (never a RED one), its false-positive limit,
and partners' opinions on its entries."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.accounts import service as accounts
from accord.server.auth.roles import Role
from accord.server.banks import service
from accord.server.banks.models import Marking
from accord.sharing.stix import Verdict
from tests.integration.banks.test_opinions import say
from tests.integration.banks.test_sharing import add, new_bank
from tests.integration.notice_action import PASSWORD
from tests.integration.portal.test_portal_pages import page_sign_in


def sign_in_as(client: TestClient, session: Session, role: Role) -> str:
    commission = accounts.create_organization(session, "Commission", "election_authority")
    email = f"{role.value}@ec.example"
    accounts.create_user(session, commission, email, role, PASSWORD)
    session.commit()
    return page_sign_in(client, email)


def test_an_admin_shares_a_bank_and_sees_its_collection(
    client: TestClient, db_session: Session
) -> None:
    bank = new_bank(db_session)
    add(db_session, bank, 1)
    csrf = sign_in_as(client, db_session, Role.ADMIN)
    page = client.get("/admin/banks")
    assert page.status_code == 200
    assert "not shared" in page.text
    assert 'aria-label="Share FAKES"' in page.text

    shared = client.post("/admin/banks/FAKES/shared", data={"csrf_token": csrf, "shared": "yes"})
    assert shared.status_code == 200, shared.text  # followed the redirect
    assert "The bank is shared" in shared.text
    db_session.refresh(bank)
    assert bank.shared
    assert f'<code class="collection-id">{bank.collection_id}</code>' in shared.text
    assert 'aria-label="Stop sharing FAKES"' in shared.text

    stopped = client.post("/admin/banks/FAKES/shared", data={"csrf_token": csrf, "shared": "no"})
    assert "no longer shared" in stopped.text
    db_session.refresh(bank)
    assert not bank.shared


def test_a_red_bank_is_refused_on_the_page(client: TestClient, db_session: Session) -> None:
    new_bank(db_session, "SECRET", marking=Marking.RED)
    csrf = sign_in_as(client, db_session, Role.ADMIN)
    assert "never: TLP:RED stays here" in client.get("/admin/banks").text
    refused = client.post("/admin/banks/SECRET/shared", data={"csrf_token": csrf, "shared": "yes"})
    assert refused.status_code == 409
    error = re.search(
        r'<div class="alert error" role="alert" id="admin-error">(.*?)</div>', refused.text
    )
    assert error is not None
    assert "TLP:RED, which never leaves this instance" in error.group(1)
    assert not service.get_bank(db_session, "SECRET").shared


def test_the_false_positive_limit_is_set_on_the_page(
    client: TestClient, db_session: Session
) -> None:
    bank = new_bank(db_session)
    csrf = sign_in_as(client, db_session, Role.ADMIN)
    url = "/admin/banks/FAKES/false-positive-limit"
    saved = client.post(url, data={"csrf_token": csrf, "limit": "3"})
    assert "The false-positive limit was saved" in saved.text
    assert service.get_bank(db_session, "FAKES").false_positive_limit == 3
    wrong = client.post(url, data={"csrf_token": csrf, "limit": "three"})
    assert wrong.status_code == 400
    assert "a whole number of partners" in wrong.text
    cleared = client.post(url, data={"csrf_token": csrf, "limit": ""})
    assert cleared.status_code == 200
    db_session.refresh(bank)
    assert bank.false_positive_limit is None
    assert client.post(url, data={"limit": "2"}).status_code == 401  # no CSRF token
    db_session.refresh(bank)
    assert bank.false_positive_limit is None  # unchanged


def test_a_bank_page_lists_partners_opinions(client: TestClient, db_session: Session) -> None:
    bank = new_bank(db_session, shared=True)
    disputed = add(db_session, bank, 1)
    quiet = add(db_session, bank, 2)
    say(db_session, bank, disputed, "Platform A", Verdict.TRUE_POSITIVE, minute=1)
    say(db_session, bank, disputed, "Platform B", Verdict.FALSE_POSITIVE, minute=2, note="a parody")
    sign_in_as(client, db_session, Role.ADMIN)
    page = client.get("/admin/banks/FAKES")
    assert page.status_code == 200
    row = re.search(rf'<tr id="entry-{disputed}">(.*?)</tr>', page.text, re.S)
    assert row is not None
    assert '<span class="badge due_soon">disputed</span>' in row.group(1)
    assert "Platform A: <strong>true positive</strong>" in row.group(1)
    assert "Platform B: <strong>false positive</strong>: “a parody”" in row.group(1)
    assert "2026-05-01 12:02 UTC" in row.group(1)
    other = re.search(rf'<tr id="entry-{quiet}">(.*?)</tr>', page.text, re.S)
    assert other is not None
    assert "disputed" not in other.group(1)
    assert client.get("/admin/banks/MISSING").status_code == 404


def test_only_admins_open_the_bank_pages(client: TestClient, db_session: Session) -> None:
    new_bank(db_session)
    sign_in_as(client, db_session, Role.REVIEWER)
    assert client.get("/admin/banks").status_code == 403
    assert client.get("/admin/banks/FAKES").status_code == 403
