"""Erase a person's data on request (GDPR Art. 17), and say what was kept and why.

Each erasure blanks or deletes the live rows through their domains' services, then
destroys the subject's key, so the values the audit log sealed under it can never be read
again while every entry (and the chain) stays as it was. ``scrub`` then makes SQLite drop
the freed pages that would still hold the old bytes.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from accord.errors import BadRequest, NotFound
from accord.server.appeals.service import erase_contact
from accord.server.audit.schemas import case_subject, email_subject
from accord.server.audit.service import forget, with_reason
from accord.server.cases.service import forget_person_in_assessments
from accord.server.erasure.models import ErasureKind, ErasureRequest
from accord.server.erasure.scrubbing import drop_freed_pages
from accord.server.mail.service import erase_recipient
from accord.server.measures.service import rename_subject
from accord.server.notices.service import erase_notifier
from accord.server.persons.service import erase_person, find_person

logger = logging.getLogger("accord.erasure")

#: What every erasure keeps, and why.
AUDIT_KEPT = (
    "the audit log's entries, unchanged so that its chain still verifies: the values "
    "they held about this person were sealed under a key that is now destroyed, and "
    'read as "[erased]"'
)
NOTIFIER_KEPT = (
    "the notices themselves (what was reported, where, and what became of it), with the "
    "notifier's name, address and explanation blanked: the cases and decisions taken on "
    "them stand",
    "the statements of reasons (DSA Art. 17 and 24(5)): they carry no personal data",
    "strikes and measures against misuse of the notice form (DSA Art. 23), under a "
    "pseudonym: the transparency report's counts stay right",
    AUDIT_KEPT,
)
PERSON_KEPT = (
    "notices and cases about them, no longer linked to them, their names taken out of the "
    "cases' assessments: the decisions taken on them stand",
    "bank entries of content confirmed deceptive: hashes of the media, not of the person",
    AUDIT_KEPT,
)


def erase_notifier_data(
    session: Session, address: str, *, requested_by: str, note: str = ""
) -> ErasureRequest:
    """Erase everything kept about the email address ``address``: notices' contact data,
    emails to it, appeals' contact address, the address in strikes and measures."""
    address = address.strip().lower()
    if "@" not in address:
        raise BadRequest(f"not an email address: {address!r}")
    subject = email_subject(address) or ""
    with _request(session, ErasureKind.NOTIFIER, "", requested_by, note) as request:
        erased = {
            "notices": erase_notifier(session, address),
            "emails": erase_recipient(session, address),
            "appeals": erase_contact(session, address),
            "measures": rename_subject(
                session, f"email:{address}", f"erased:{secrets.token_hex(8)}"
            ),
        }
        keyed = forget(session, subject)
        if not any(erased.values()) and not keyed:
            raise NotFound("accord keeps no personal data about this address")
        request.erased, request.kept = erased, list(NOTIFIER_KEPT)
    return request


def erase_person_data(
    session: Session, wanted: str, *, requested_by: str, note: str = ""
) -> ErasureRequest:
    """Erase the protected person ``wanted`` (their id, or their name if unique)."""
    person = find_person(session, wanted)
    with _request(session, ErasureKind.PERSON, person.id, requested_by, note) as request:
        # Before the person goes: the cases about them are found by their id.
        cases = forget_person_in_assessments(
            session, person.id, [person.name, *(person.aliases or [])]
        )
        for case_id in cases:
            forget(session, case_subject(case_id))
        request.erased = dict(erase_person(session, person)) | {"people": 1, "cases": len(cases)}
        request.kept = list(PERSON_KEPT)
    return request


def list_requests(session: Session, limit: int = 100) -> list[ErasureRequest]:
    """The newest erasure requests first."""
    return list(
        session.scalars(select(ErasureRequest).order_by(ErasureRequest.id.desc()).limit(limit))
    )


def trail_of(session: Session, request: ErasureRequest) -> list[dict[str, Any]]:
    """The audit entries an erasure made, oldest first (erased values read "[erased]")."""
    return with_reason(session, _reason(request))


def scrub(engine: Engine) -> None:
    """After an erasure committed: the database's files forget the erased bytes too."""
    drop_freed_pages(engine)


def scrub_after_answer(engine: Engine) -> None:
    """``scrub``, run after a request was answered: the erasure stands whatever happens
    here, so a failure (SQLite busy past its timeout) is logged for the operator."""
    try:
        scrub(engine)
    except SQLAlchemyError:
        logger.exception(
            "the erased rows are gone, but the database file still holds their bytes: "
            "VACUUM it when it is quieter"
        )


@contextmanager
def _request(
    session: Session, kind: ErasureKind, about: str, requested_by: str, note: str
) -> Iterator[ErasureRequest]:
    """A request recorded first, so that every entry the erasure makes names it as their
    reason: the request's audit trail."""
    request = ErasureRequest(kind=kind, about=about, requested_by=requested_by, note=note.strip())
    session.add(request)
    session.flush()
    reason = session.info.get("reason")
    session.info["reason"] = _reason(request)
    try:
        yield request
        session.flush()
    finally:
        if reason is None:
            session.info.pop("reason", None)
        else:
            session.info["reason"] = reason


def _reason(request: ErasureRequest) -> str:
    return f"erasure request #{request.id}"
