"""Who speaks for a protected person: their own account or a current representative, once
an election authority has verified who they are."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.server.accounts import service as accounts
from accord.server.accounts.models import User
from accord.server.auth.roles import Role
from accord.server.persons import service as persons

PASSWORD = "a long enough passphrase"  # noqa: S105 - a test account's


def user(session: Session, email: str, organization: str, role: Role) -> User:
    return accounts.create_user(
        session, accounts.find_organization(session, organization), email, role, PASSWORD
    )


def test_only_verified_people_are_spoken_for_and_only_by_whom_they_chose(
    session: Session,
) -> None:
    accounts.create_organization(session, "EC", "election_authority")
    accounts.create_organization(session, "Campaign", "campaign")
    admin = user(session, "admin@ec.example", "EC", Role.ADMIN)
    jane_account = user(session, "jane@campaign.example", "Campaign", Role.PROTECTED_PERSON)
    staff = user(session, "staff@campaign.example", "Campaign", Role.REPRESENTATIVE)
    stranger = user(session, "other@campaign.example", "Campaign", Role.REPRESENTATIVE)
    jane = persons.register_person(session, "Jane Doe", role="candidate")
    persons.link_account(session, jane, jane_account)
    persons.authorize_representative(session, jane, staff)
    assert not persons.may_report_for(session, jane_account, jane)  # not verified yet
    persons.verify_identity(session, jane, admin)
    assert persons.may_report_for(session, jane_account, jane)
    assert persons.may_report_for(session, staff, jane)
    assert not persons.may_report_for(session, stranger, jane)
    persons.revoke_representative(session, jane, staff)
    assert not persons.may_report_for(session, staff, jane)
    persons.authorize_representative(session, jane, staff)  # authorised again
    assert persons.may_report_for(session, staff, jane)
    staff.active = False
    assert not persons.may_report_for(session, staff, jane)
