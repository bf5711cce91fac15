"""The admin's page of protected people: registering them with their reference photos and
voices, recording that their identity was verified, and which accounts speak for them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import AccordError, BadRequest, NotFound
from accord.server.accounts import service as accounts
from accord.server.auth.roles import Role
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.elections import service as elections
from accord.server.persons import service as persons
from accord.server.persons.models import ProtectedPersonRow, Representative
from accord.server.portal.admin_section import AdminSection
from accord.server.portal.routing import PageRoute
from accord.server.portal.viewer import Viewer
from accord.server.settings import Settings
from accord.server.uploads import spooled_to_disk

if TYPE_CHECKING:
    from accord.server.accounts.models import User

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

Csrf = Annotated[str, Form(max_length=200)]
PersonField = Annotated[str, Form(max_length=32)]
#: "yes" when the admin records that the person consented to the processing of their
#: face and voice (GDPR Art. 9(2)(a)).
Consent = Annotated[str, Form(max_length=3)]
UserField = Annotated[str, Form(max_length=20)]


def _people(session: Session) -> Mapping[str, Any]:
    listed = persons.list_people(session)
    voices = persons.voice_counts(session)
    current = session.execute(
        select(Representative.person_id, Representative.user_id).where(
            Representative.revoked_at.is_(None)
        )
    ).all()
    # Every account the page names: each person's own, their verifier, their representatives.
    named = {p.user_id for p, _ in listed} | {p.verified_by for p, _ in listed}
    wanted = {user_id for _, user_id in current} | {n for n in named if n is not None}
    known = accounts.users_by_id(session, wanted)
    representing: dict[str, list[User]] = defaultdict(list)
    for person_id, user_id in sorted(current, key=lambda row: known[row[1]].email):
        representing[person_id].append(known[user_id])
    rows = [
        {
            "person": person,
            "faces": faces,
            "voices": voices.get(person.id, 0),
            "account": known.get(person.user_id) if person.user_id else None,
            "verifier": known.get(person.verified_by) if person.verified_by else None,
            "representatives": representing[person.id],
        }
        for person, faces in listed
    ]
    return {
        "rows": rows,
        "accounts": accounts.active_users_in(session, Role.PROTECTED_PERSON),
        "representatives": accounts.active_users_in(session, Role.REPRESENTATIVE),
        "elections": [election.name for election in elections.list_elections(session)],
    }


PEOPLE = AdminSection(
    "/admin/people", "admin_people.html", _people,
    done={
        "person": "The protected person was registered.",
        "photo": "The reference photo was added.",
        "voice": "The reference recording was added.",
        "verified": "The person's identity is recorded as verified.",
        "linked": "The account may now report for the person.",
        "authorized": "The representative may now report for the person.",
        "revoked": "The representative may no longer report for the person.",
    },
)  # fmt: skip


@router.get("/people", response_class=HTMLResponse)
def people(request: Request, session: SessionDep, done: str = "") -> Response:
    return PEOPLE.show(request, session, done)


@router.post("/people", response_class=HTMLResponse)
def register_person(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=200)] = "",
    election: Annotated[str, Form(max_length=200)] = "",
    constituency: Annotated[str, Form(max_length=200)] = "",
    aliases: Annotated[str, Form(max_length=2000)] = "",
    photos: list[UploadFile] | None = None,
    consent: Consent = "",
) -> Response:
    form = {
        "name": name, "role": role, "election": election, "constituency": constituency,
        "aliases": aliases, "consent": consent,
    }  # fmt: skip

    def register(viewer: Viewer) -> None:
        if not name.strip():
            raise BadRequest("name: a protected person needs a name")
        person = persons.register_person(
            session, name, role=role, election=election, constituency=constituency,
            aliases=aliases.split(","),
        )  # fmt: skip
        _record_consent(session, person, consent, viewer)
        for photo in photos or []:
            if photo.filename:  # an empty file field still sends a nameless part
                _add_photo(runtime.settings, session, person, photo)

    # Refused, the person goes too: registered with every photo or not at all.
    return PEOPLE.change(request, session, csrf_token, register, done="person", form=form)


@router.post("/people/photos", response_class=HTMLResponse)
def add_photo(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    person: PersonField = "",
    photo: UploadFile | None = None,
    consent: Consent = "",
) -> Response:
    def add(viewer: Viewer) -> None:
        if photo is None or not photo.filename:
            raise BadRequest("photo: choose a photo that shows their face")
        found = _person(session, person)
        _record_consent(session, found, consent, viewer)
        _add_photo(runtime.settings, session, found, photo)

    return PEOPLE.change(
        request, session, csrf_token, add, done="photo",
        form={"photo_person": person, "photo_consent": consent},
    )  # fmt: skip


def _record_consent(
    session: Session, person: ProtectedPersonRow, consent: str, viewer: Viewer
) -> None:
    """The admin ticked that the person consented: recorded as theirs, unless it is
    already on record."""
    if consent and person.biometric_consent_at is None:
        persons.record_consent(session, person, f"user:{viewer.user.email}")


def _add_photo(
    settings: Settings, session: Session, person: ProtectedPersonRow, photo: UploadFile
) -> None:
    with spooled_to_disk(
        photo.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        try:
            persons.add_reference_photo(session, person, path)
        except AccordError as error:
            # The service names the spooled copy; the admin knows the photo by its own name.
            error.detail = error.detail.replace(path.name, photo.filename or "the photo")
            raise


@router.post("/people/voices", response_class=HTMLResponse)
def add_voice(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    person: PersonField = "",
    recording: UploadFile | None = None,
    consent: Consent = "",
) -> Response:
    settings = runtime.settings

    def add(viewer: Viewer) -> None:
        if recording is None or not recording.filename:
            raise BadRequest("recording: choose a recording of them speaking")
        found = _person(session, person)
        _record_consent(session, found, consent, viewer)
        with spooled_to_disk(
            recording.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
        ) as path:
            try:
                persons.add_reference_voice(session, found, path, settings.media_limits)
            except AccordError as error:
                error.detail = error.detail.replace(path.name, recording.filename)
                raise

    return PEOPLE.change(
        request, session, csrf_token, add, done="voice",
        form={"voice_person": person, "voice_consent": consent},
    )  # fmt: skip


@router.post("/people/verify", response_class=HTMLResponse)
def verify_person(
    request: Request, *, session: SessionDep, csrf_token: Csrf = "", person: PersonField = ""
) -> Response:
    def verify(found: Viewer) -> None:
        persons.verify_identity(session, _person(session, person), found.user)

    return PEOPLE.change(request, session, csrf_token, verify, done="verified")


@router.post("/people/account", response_class=HTMLResponse)
def link_account(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    person: PersonField = "",
    user: UserField = "",
) -> Response:
    return _who_speaks(
        request, session, csrf_token, persons.link_account, person=person, user=user,
        done="linked", form={"link_person": person, "link_user": user},
    )  # fmt: skip


@router.post("/people/representatives", response_class=HTMLResponse)
def authorize_representative(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    person: PersonField = "",
    user: UserField = "",
) -> Response:
    return _who_speaks(
        request, session, csrf_token, persons.authorize_representative, person=person,
        user=user, done="authorized", form={"rep_person": person, "rep_user": user},
    )  # fmt: skip


@router.post("/people/representatives/revoke", response_class=HTMLResponse)
def revoke_representative(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    person: PersonField = "",
    user: UserField = "",
) -> Response:
    return _who_speaks(
        request, session, csrf_token, persons.revoke_representative, person=person, user=user,
        done="revoked", form={},
    )  # fmt: skip


def _who_speaks(
    request: Request,
    session: Session,
    csrf_token: str,
    change: Callable[[Session, ProtectedPersonRow, User], None],
    *,
    person: str,
    user: str,
    done: str,
    form: dict[str, str],
) -> Response:
    """Change which account speaks for a person, then show the people page again."""

    def speak(_: Viewer) -> None:
        change(session, _person(session, person), _user(session, user))

    return PEOPLE.change(request, session, csrf_token, speak, done=done, form=form)


def _person(session: Session, raw: str) -> ProtectedPersonRow:
    if not raw.strip():
        raise BadRequest("person: choose the protected person")
    return persons.find_person(session, raw)


def _user(session: Session, raw: str) -> User:
    """The account a form's select named by its id."""
    if not raw.isdigit():
        raise BadRequest("user: choose the account")
    found = accounts.user_by_id(session, int(raw))
    if found is None:
        raise NotFound(f"no user has the id {raw}")
    return found
