"""Register protected people and their reference faces and voices; build the galleries
assessments use."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.assessment.gallery import (
    FaceGallery,
    ProtectedPerson,
    VoiceGallery,
    reference_face,
    reference_voice,
)
from accord.claims.context import Person
from accord.errors import Conflict, Forbidden, NotFound
from accord.media.limits import MediaLimits
from accord.server.accounts.service import works_for_election_authority
from accord.server.audit.schemas import biometrics_subject, person_subject
from accord.server.audit.service import forget
from accord.server.auth.roles import Role
from accord.server.db.base import utc_now
from accord.server.elections.service import check_election_name
from accord.server.persons.models import (
    ProtectedPersonRow,
    ReferenceFace,
    ReferenceVoice,
    Representative,
)

if TYPE_CHECKING:
    from accord.server.accounts.models import User

_EMBEDDING = np.dtype("<f4")
#: A new reference face this close to another person's is theirs, not a look-alike's.
UNMISTAKABLE = 0.4


def register_person(
    session: Session,
    name: str,
    *,
    role: str = "",
    election: str = "",
    constituency: str = "",
    aliases: Sequence[str] = (),
) -> ProtectedPersonRow:
    """A protected person; ``election``, if given, must name a registered election."""
    person = ProtectedPersonRow(
        id=secrets.token_hex(8),
        name=name.strip(),
        role=role.strip(),
        election=check_election_name(session, election),
        constituency=constituency.strip(),
        aliases=[alias.strip() for alias in aliases if alias.strip()],
    )
    session.add(person)
    session.flush()
    return person


def add_reference_photo(session: Session, person: ProtectedPersonRow, path: Path) -> ReferenceFace:
    """Keep the embedding of the one face ``path`` shows; the photo itself is not kept."""
    _check_consent(person)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    known = select(ReferenceFace.id).where(
        ReferenceFace.person_id == person.id, ReferenceFace.photo_sha256 == digest
    )
    if session.scalar(known) is not None:
        raise Conflict(f"{path.name} is already a reference photo of {person.name}")
    embedding = reference_face(path)
    nearest = load_gallery(session).nearest_to(embedding)
    if nearest is not None and nearest[0].id != person.id and nearest[1] < UNMISTAKABLE:
        other, distance = nearest
        msg = (
            f"{path.name} shows {other.name} (face distance {distance:.2f}), not "
            f"{person.name}: a reference photo must show the person themself"
        )
        raise Conflict(msg)
    face = ReferenceFace(
        person_id=person.id,
        embedding=np.asarray(embedding, _EMBEDDING).tobytes(),
        photo_sha256=digest,
    )
    session.add(face)
    session.flush()
    return face


def add_reference_voice(
    session: Session, person: ProtectedPersonRow, path: Path, limits: MediaLimits | None = None
) -> ReferenceVoice:
    """Keep the embedding of the voice ``path`` holds; the recording itself is not kept."""
    _check_consent(person)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    known = select(ReferenceVoice.id).where(
        ReferenceVoice.person_id == person.id, ReferenceVoice.clip_sha256 == digest
    )
    if session.scalar(known) is not None:
        raise Conflict(f"{path.name} is already a reference recording of {person.name}")
    voice = ReferenceVoice(
        person_id=person.id,
        embedding=np.asarray(reference_voice(path, limits), _EMBEDDING).tobytes(),
        clip_sha256=digest,
    )
    session.add(voice)
    session.flush()
    return voice


def record_consent(session: Session, person: ProtectedPersonRow, recorded_by: str) -> None:
    """Record that ``person`` gave their explicit consent to the processing of their face
    and voice (GDPR Art. 9(2)(a)), as ``recorded_by`` (an audit actor) attests, now."""
    person.biometric_consent_by, person.biometric_consent_at = recorded_by, utc_now()
    session.flush()


def withdraw_consent(session: Session, person: ProtectedPersonRow) -> tuple[int, int]:
    """Record that ``person`` withdrew their consent, and erase their face and voice
    embeddings, from the tables and (their key destroyed) from the audit log; how many
    faces and voices were erased."""
    faces, voices = _erase_biometrics(session, person)
    person.biometric_consent_by = person.biometric_consent_at = None
    session.flush()
    return faces, voices


def erase_person(session: Session, person: ProtectedPersonRow) -> dict[str, int]:
    """Erase ``person``: their embeddings, their authorisations of representatives, and
    their record (name, roles, aliases), here and, their keys destroyed, in the audit log.
    Notices and cases about them stay, no longer linked to them."""
    faces, voices = _erase_biometrics(session, person)
    representatives = session.scalars(
        select(Representative).where(Representative.person_id == person.id)
    ).all()
    for representative in representatives:
        session.delete(representative)
    session.delete(person)
    session.flush()
    forget(session, person_subject(person.id))
    return {"faces": faces, "voices": voices, "representatives": len(representatives)}


def _erase_biometrics(session: Session, person: ProtectedPersonRow) -> tuple[int, int]:
    faces = session.scalars(select(ReferenceFace).where(ReferenceFace.person_id == person.id))
    voices = session.scalars(select(ReferenceVoice).where(ReferenceVoice.person_id == person.id))
    erased = [*faces], [*voices]
    for row in (*erased[0], *erased[1]):
        session.delete(row)
    session.flush()
    forget(session, biometrics_subject(person.id))
    return len(erased[0]), len(erased[1])


def _check_consent(person: ProtectedPersonRow) -> None:
    if person.biometric_consent_at is None:
        msg = (
            f"{person.name} has no consent to the processing of their face and voice on "
            "record: record their consent first"
        )
        raise Conflict(msg)


def find_person(session: Session, wanted: str) -> ProtectedPersonRow:
    """The person with this id, or the only one with this name (case-insensitive)."""
    person = session.get(ProtectedPersonRow, wanted)
    if person is not None:
        return person
    named = session.scalars(
        select(ProtectedPersonRow).where(
            func.lower(ProtectedPersonRow.name) == wanted.strip().lower()
        )
    ).all()
    if len(named) == 1:
        return named[0]
    if not named:
        raise NotFound(f"no protected person has the id or name {wanted!r}")
    raise Conflict(f"{len(named)} protected people are named {wanted!r}: use the id")


def get_person(session: Session, person_id: str) -> ProtectedPersonRow | None:
    """The person with this id, or None."""
    return session.get(ProtectedPersonRow, person_id)


def may_report_for_any(session: Session, user: User, person_ids: Collection[str]) -> bool:
    """Whether ``user`` speaks for any of the people with these ids (``may_report_for``)."""
    people = session.scalars(
        select(ProtectedPersonRow).where(ProtectedPersonRow.id.in_(person_ids))
    )
    return any(may_report_for(session, user, person) for person in people)


def list_people(session: Session) -> list[tuple[ProtectedPersonRow, int]]:
    """Every protected person with how many reference faces they have, by name."""
    faces = func.count(ReferenceFace.id)
    rows = session.execute(
        select(ProtectedPersonRow, faces)
        .outerjoin(ReferenceFace, ReferenceFace.person_id == ProtectedPersonRow.id)
        .group_by(ProtectedPersonRow.id)
        .order_by(ProtectedPersonRow.name, ProtectedPersonRow.id)
    )
    return [(person, int(count)) for person, count in rows]


def people_to_screen(session: Session) -> tuple[Person, ...]:
    """Every protected person as the claims rules read them: names, roles and places only
    (one plain query: the generation gate asks for each prompt)."""
    rows = session.execute(
        select(
            ProtectedPersonRow.id,
            ProtectedPersonRow.name,
            ProtectedPersonRow.role,
            ProtectedPersonRow.constituency,
            ProtectedPersonRow.aliases,
            ProtectedPersonRow.election,
        ).order_by(ProtectedPersonRow.name, ProtectedPersonRow.id)
    )
    return tuple(
        Person(
            id=row.id,
            name=row.name,
            role=row.role,
            constituency=row.constituency,
            aliases=tuple(row.aliases or ()),
            election=row.election,
        )
        for row in rows
    )


def voice_counts(session: Session) -> dict[str, int]:
    """How many reference recordings each person with any has."""
    rows = session.execute(
        select(ReferenceVoice.person_id, func.count(ReferenceVoice.id)).group_by(
            ReferenceVoice.person_id
        )
    )
    return {person_id: int(count) for person_id, count in rows}


def load_gallery(session: Session) -> FaceGallery:
    """Every reference face, for the likeness producer."""
    rows = session.execute(
        select(
            ProtectedPersonRow.id,
            ProtectedPersonRow.name,
            ProtectedPersonRow.role,
            ReferenceFace.embedding,
        )
        .join(ReferenceFace, ReferenceFace.person_id == ProtectedPersonRow.id)
        .order_by(ReferenceFace.id)
    )
    return FaceGallery.of(
        [
            (ProtectedPerson(person_id, name, role), np.frombuffer(blob, _EMBEDDING))
            for person_id, name, role, blob in rows
        ]
    )


def load_voice_gallery(session: Session) -> VoiceGallery:
    """Every reference voice, for the voice likeness producer."""
    rows = session.execute(
        select(
            ProtectedPersonRow.id,
            ProtectedPersonRow.name,
            ProtectedPersonRow.role,
            ReferenceVoice.embedding,
        )
        .join(ReferenceVoice, ReferenceVoice.person_id == ProtectedPersonRow.id)
        .order_by(ReferenceVoice.id)
    )
    return VoiceGallery.of(
        [
            (ProtectedPerson(person_id, name, role), np.frombuffer(blob, _EMBEDDING))
            for person_id, name, role, blob in rows
        ]
    )


def verify_identity(session: Session, person: ProtectedPersonRow, admin: User) -> None:
    """Record that an election authority's admin checked who ``person`` is."""
    if admin.role != Role.ADMIN or not works_for_election_authority(session, admin):
        raise Forbidden("only an election authority's admin can verify a protected person")
    person.verified_by, person.verified_at = admin.id, utc_now()
    session.flush()


def link_account(session: Session, person: ProtectedPersonRow, user: User) -> None:
    """Let ``user`` (their own account, in the protected_person role) report for ``person``."""
    if user.role != Role.PROTECTED_PERSON:
        raise Conflict(f"{user.email} is a {user.role}, not a protected person's account")
    person.user_id = user.id
    session.flush()


def authorize_representative(session: Session, person: ProtectedPersonRow, user: User) -> None:
    """Let ``user`` (campaign staff, in the representative role) report for ``person``."""
    if user.role != Role.REPRESENTATIVE:
        raise Conflict(f"{user.email} is a {user.role}, not a representative")
    existing = session.scalar(
        select(Representative).where(
            Representative.person_id == person.id, Representative.user_id == user.id
        )
    )
    if existing is None:
        session.add(Representative(person_id=person.id, user_id=user.id))
    else:
        existing.authorized_at, existing.revoked_at = utc_now(), None
    session.flush()


def revoke_representative(session: Session, person: ProtectedPersonRow, user: User) -> None:
    found = session.scalar(
        select(Representative).where(
            Representative.person_id == person.id,
            Representative.user_id == user.id,
            Representative.revoked_at.is_(None),
        )
    )
    if found is None:
        raise NotFound(f"{user.email} does not represent {person.name}")
    found.revoked_at = utc_now()
    session.flush()


def may_report_for(session: Session, user: User, person: ProtectedPersonRow) -> bool:
    """Whether ``user`` speaks for ``person``: their own account or a current
    representative, once an election authority has verified who the person is."""
    if person.verified_at is None or not user.active:
        return False
    if person.user_id == user.id:
        return True
    current = select(Representative.id).where(
        Representative.person_id == person.id,
        Representative.user_id == user.id,
        Representative.revoked_at.is_(None),
    )
    return session.scalar(current) is not None


def count_people(session: Session) -> tuple[int, int]:
    """How many protected people there are, and how many of them are not verified yet."""
    everyone = session.scalar(select(func.count(ProtectedPersonRow.id)))
    unverified = session.scalar(
        select(func.count(ProtectedPersonRow.id)).where(ProtectedPersonRow.verified_at.is_(None))
    )
    return int(everyone or 0), int(unverified or 0)


def people_reported_for(session: Session, user: User) -> list[ProtectedPersonRow]:
    """The protected people ``user`` may report deepfakes of (by name): none unless they
    are a protected person's own account or a representative."""
    if user.role not in {Role.PROTECTED_PERSON, Role.REPRESENTATIVE}:
        return []
    people = session.scalars(select(ProtectedPersonRow).order_by(ProtectedPersonRow.name))
    return [person for person in people if may_report_for(session, user, person)]
