"""The admin's pages: organizations and invitations, protected people and their reference
faces, elections, platforms' webhooks and their dead letters, and the review policy."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import AccordError, BadRequest, Conflict, NotFound
from accord.server.accounts import service as accounts
from accord.server.accounts.models import Invitation, Organization, OrganizationKind, Role, User
from accord.server.db.base import utc_now
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.elections.models import Election
from accord.server.elections.service import add_election, list_elections
from accord.server.persons import service as persons
from accord.server.persons.models import ProtectedPersonRow, Representative
from accord.server.portal.pages import Viewer, check_form, viewer
from accord.server.portal.routing import PageRoute, portal, see_other
from accord.server.problems import status_for
from accord.server.runtime import Runtime
from accord.server.settings import Settings
from accord.server.uploads import spooled_to_disk
from accord.server.webhooks.models import MessageStatus, OutboxMessage, Webhook
from accord.server.webhooks.outbox import add_webhook, replay, set_enabled

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

#: What a page says after the change it was sent back from: fixed words picked by a key,
#: so an address cannot make the page say anything else.
_DONE = {
    "organization": "The organization was created.",
    "person": "The protected person was registered.",
    "photo": "The reference photo was added.",
    "voice": "The reference recording was added.",
    "verified": "The person's identity is recorded as verified.",
    "linked": "The account may now report for the person.",
    "authorized": "The representative may now report for the person.",
    "revoked": "The representative may no longer report for the person.",
    "election": "The election was added.",
    "replayed": "The message will be sent again, from a fresh count of attempts.",
    "activated": "The user may sign in again.",
    "deactivated": "The user is signed out and cannot sign in.",
    "resumed": "The webhook is delivering again, starting with what waited.",
    "paused": "The webhook is paused: its messages wait until it is resumed.",
}
_ACTION_WORDS = {
    "remove": "remove",
    "disable": "disable access",
    "label_ai_generated": "label “AI-generated”",
    "label_altered": "label “altered”",
    "demote": "demote",
}
_DEAD_LETTERS = 200
_TERRITORY_SEPARATORS = re.compile(r"[\s,;]+")

Csrf = Annotated[str, Form(max_length=200)]
_Row = TypeVar("_Row", Organization, User)


@router.get("", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep) -> Response:
    found = viewer(request, session, Role.ADMIN)

    def count(query: Any) -> int:
        return int(session.scalar(query) or 0)

    counts = {
        "organizations": count(select(func.count(Organization.id))),
        "users": count(select(func.count(User.id)).where(User.active.is_(True))),
        "people": count(select(func.count(ProtectedPersonRow.id))),
        "unverified": count(
            select(func.count(ProtectedPersonRow.id)).where(
                ProtectedPersonRow.verified_at.is_(None)
            )
        ),
        "elections": count(
            select(func.count(Election.id)).where(Election.polling_date >= utc_now().date())
        ),
        "webhooks": count(select(func.count(Webhook.id))),
        "dead": count(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == MessageStatus.DEAD)
        ),
    }
    return portal().render(request, "admin_overview.html", viewer=found, counts=counts)


# Organizations


@router.get("/organizations", response_class=HTMLResponse)
def organizations(request: Request, session: SessionDep, done: str = "") -> Response:
    found = viewer(request, session, Role.ADMIN)
    return _organizations_page(request, session, found, done=_DONE.get(done))


def _organizations_page(
    request: Request,
    session: Session,
    found: Viewer,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    members = func.count(User.id)
    rows = session.execute(
        select(Organization, members)
        .outerjoin(User, User.organization_id == Organization.id)
        .group_by(Organization.id)
        .order_by(Organization.name)
    ).all()
    return portal().render(
        request, "admin_organizations.html", viewer=found, status=status, error=error, done=done,
        form=form or {}, organizations=[(org, int(n)) for org, n in rows],
        kinds=list(OrganizationKind),
    )  # fmt: skip


@router.post("/organizations", response_class=HTMLResponse)
def create_organization(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    try:
        if not name.strip():
            raise BadRequest("name: an organization needs a name")
        accounts.create_organization(session, name.strip(), kind)
    except AccordError as error:
        session.rollback()
        return _organizations_page(
            request, session, found, error=error.detail, status=status_for(error),
            form={"name": name, "kind": kind},
        )  # fmt: skip
    return see_other("/admin/organizations?done=organization")


# Users and invitations


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, session: SessionDep, done: str = "") -> Response:
    found = viewer(request, session, Role.ADMIN)
    return _users_page(request, session, found, done=_DONE.get(done))


@router.post("/users/{user_id}/active", response_class=HTMLResponse)
def set_user_active(
    request: Request,
    user_id: int,
    session: SessionDep,
    csrf_token: Csrf = "",
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Deactivate a user (their sessions end at once) or let them in again."""
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user has the id {user_id}")
    if user.id == found.user.id:
        raise Conflict("you cannot deactivate your own account: ask another admin")
    accounts.set_active(session, user, active=active == "yes")
    return see_other(f"/admin/users?done={'activated' if active == 'yes' else 'deactivated'}")


def _users_page(
    request: Request,
    session: Session,
    found: Viewer,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
    invitation: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    members = session.execute(
        select(User, Organization.name)
        .join(Organization, Organization.id == User.organization_id)
        .order_by(Organization.name, User.email)
    ).all()
    waiting = session.execute(
        select(Invitation, Organization.name)
        .join(Organization, Organization.id == Invitation.organization_id)
        .where(Invitation.accepted_at.is_(None), Invitation.expires_at > utc_now())
        .order_by(Invitation.expires_at)
    ).all()
    return portal().render(
        request, "admin_users.html", viewer=found, status=status, error=error, form=form or {},
        invitation=invitation, users=members, waiting=waiting, roles=list(Role), done=done,
        organizations=session.scalars(select(Organization).order_by(Organization.name)).all(),
    )  # fmt: skip


@router.post("/users", response_class=HTMLResponse)
def invite_user(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    organization: Annotated[str, Form(max_length=20)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    try:
        joining = _organization(session, organization)
        token = accounts.invite(session, joining, email, role, invited_by=found.user.id)
    except AccordError as error:
        session.rollback()
        return _users_page(
            request, session, found, error=error.detail, status=status_for(error),
            form={"organization": organization, "email": email, "role": role},
        )  # fmt: skip
    # Shown on this answer only: the database keeps the token's digest, so no page can show
    # it again (and a redirect would have to carry it in the address).
    invitation = {
        "email": email.strip().lower(),
        "role": role,
        "organization": joining.name,
        "link": accounts.invitation_link(
            token, request.app.state.runtime.settings.public_url or str(request.base_url)
        ),
    }
    return _users_page(request, session, found, status=201, invitation=invitation)


def _organization(session: Session, raw: str) -> Organization:
    return _chosen(session, Organization, raw, "organization: choose the organization they join")


def _chosen(session: Session, model: type[_Row], raw: str, unchosen: str) -> _Row:
    """The row a form's select named by its id; ``unchosen`` when none was chosen."""
    if not raw.isdigit():
        raise BadRequest(unchosen)
    found = session.get(model, int(raw))
    if found is None:
        raise NotFound(f"no {model.__tablename__[:-1]} has the id {raw}")
    return found


# Protected people


@router.get("/people", response_class=HTMLResponse)
def people(request: Request, session: SessionDep, done: str = "") -> Response:
    found = viewer(request, session, Role.ADMIN)
    return _people_page(request, session, found, done=_DONE.get(done))


def _people_page(
    request: Request,
    session: Session,
    found: Viewer,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    listed = persons.list_people(session)
    voices = persons.voice_counts(session)
    current = session.execute(
        select(Representative.person_id, User)
        .join(User, User.id == Representative.user_id)
        .where(Representative.revoked_at.is_(None))
        .order_by(User.email)
    ).all()
    representing: dict[str, list[User]] = defaultdict(list)
    for person_id, user in current:
        representing[person_id].append(user)
    named = {p.user_id for p, _ in listed} | {p.verified_by for p, _ in listed}
    known = {u.id: u for u in session.scalars(select(User).where(User.id.in_(named - {None})))}
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
    return portal().render(
        request, "admin_people.html", viewer=found, status=status, error=error, done=done,
        form=form or {}, rows=rows, accounts=_users_in(session, Role.PROTECTED_PERSON),
        representatives=_users_in(session, Role.REPRESENTATIVE),
        elections=[election.name for election in list_elections(session)],
    )  # fmt: skip


def _users_in(session: Session, role: Role) -> list[User]:
    chosen = select(User).where(User.role == role, User.active.is_(True)).order_by(User.email)
    return list(session.scalars(chosen))


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
) -> Response:
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    form = {
        "name": name, "role": role, "election": election, "constituency": constituency,
        "aliases": aliases,
    }  # fmt: skip
    try:
        if not name.strip():
            raise BadRequest("name: a protected person needs a name")
        person = persons.register_person(
            session, name, role=role, election=election, constituency=constituency,
            aliases=aliases.split(","),
        )  # fmt: skip
        for photo in photos or []:
            if photo.filename:  # an empty file field still sends a nameless part
                _add_photo(runtime, session, person, photo)
    except AccordError as error:
        session.rollback()  # the person goes too: registered with every photo or not at all
        return _people_page(
            request, session, found, error=error.detail, status=status_for(error), form=form
        )
    return see_other("/admin/people?done=person")


@router.post("/people/photos", response_class=HTMLResponse)
def add_photo(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    person: Annotated[str, Form(max_length=32)] = "",
    photo: UploadFile | None = None,
) -> Response:
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    try:
        if photo is None or not photo.filename:
            raise BadRequest("photo: choose a photo that shows their face")
        _add_photo(runtime, session, _person(session, person), photo)
    except AccordError as error:
        session.rollback()
        return _people_page(
            request, session, found, error=error.detail, status=status_for(error),
            form={"photo_person": person},
        )  # fmt: skip
    return see_other("/admin/people?done=photo")


def _add_photo(
    runtime: Runtime, session: Session, person: ProtectedPersonRow, photo: UploadFile
) -> None:
    settings = runtime.settings
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
    person: Annotated[str, Form(max_length=32)] = "",
    recording: UploadFile | None = None,
) -> Response:
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    settings = runtime.settings
    try:
        if recording is None or not recording.filename:
            raise BadRequest("recording: choose a recording of them speaking")
        with spooled_to_disk(
            recording.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
        ) as path:
            try:
                persons.add_reference_voice(
                    session, _person(session, person), path, settings.media_limits
                )
            except AccordError as error:
                error.detail = error.detail.replace(path.name, recording.filename)
                raise
    except AccordError as error:
        session.rollback()
        return _people_page(
            request, session, found, error=error.detail, status=status_for(error),
            form={"voice_person": person},
        )  # fmt: skip
    return see_other("/admin/people?done=voice")


@router.post("/people/verify", response_class=HTMLResponse)
def verify_person(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    person: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    try:
        persons.verify_identity(session, _person(session, person), found.user)
    except AccordError as error:
        session.rollback()
        return _people_page(request, session, found, error=error.detail, status=status_for(error))
    return see_other("/admin/people?done=verified")


PersonField = Annotated[str, Form(max_length=32)]
UserField = Annotated[str, Form(max_length=20)]


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
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    try:
        change(session, _person(session, person), _user(session, user))
    except AccordError as error:
        session.rollback()
        return _people_page(
            request, session, found, error=error.detail, status=status_for(error), form=form
        )
    return see_other(f"/admin/people?done={done}")


def _person(session: Session, raw: str) -> ProtectedPersonRow:
    if not raw.strip():
        raise BadRequest("person: choose the protected person")
    return persons.find_person(session, raw)


def _user(session: Session, raw: str) -> User:
    return _chosen(session, User, raw, "user: choose the account")


# Elections


@router.get("/elections", response_class=HTMLResponse)
def elections(request: Request, session: SessionDep, done: str = "") -> Response:
    found = viewer(request, session, Role.ADMIN)
    return _elections_page(request, session, found, done=_DONE.get(done))


def _elections_page(
    request: Request,
    session: Session,
    found: Viewer,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    return portal().render(
        request, "admin_elections.html", viewer=found, status=status, error=error, done=done,
        form=form or {}, elections=list_elections(session), today=utc_now().date(),
    )  # fmt: skip


@router.post("/elections", response_class=HTMLResponse)
def create_election(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    name: Annotated[str, Form(max_length=200)] = "",
    polling_date: Annotated[str, Form(max_length=40)] = "",
    territories: Annotated[str, Form(max_length=500)] = "",
    held: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    try:
        add_election(
            session, name, _polling_day(polling_date), _TERRITORY_SEPARATORS.split(territories),
            allow_past=bool(held),
        )  # fmt: skip
    except AccordError as error:
        session.rollback()
        return _elections_page(
            request, session, found, error=error.detail, status=status_for(error),
            form={
                "name": name, "polling_date": polling_date, "territories": territories,
                "held": held,
            },
        )  # fmt: skip
    return see_other("/admin/elections?done=election")


def _polling_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadRequest(f"polling day: not a date (YYYY-MM-DD): {raw!r}") from None


# Webhooks and their dead letters


@router.get("/webhooks", response_class=HTMLResponse)
def webhooks(request: Request, session: SessionDep, done: str = "") -> Response:
    found = viewer(request, session, Role.ADMIN)
    return _webhooks_page(request, session, found, done=_DONE.get(done))


def _webhooks_page(
    request: Request,
    session: Session,
    found: Viewer,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
    done: str | None = None,
    secret: dict[str, str] | None = None,
) -> Response:
    dead = session.execute(
        # An outer join: a message kept for want of a webhook has none (its error says so).
        select(OutboxMessage, func.coalesce(Webhook.name, "none"))
        .outerjoin(Webhook, Webhook.id == OutboxMessage.webhook_id)
        .where(OutboxMessage.status == MessageStatus.DEAD)
        .order_by(OutboxMessage.id)
        .limit(_DEAD_LETTERS)
    ).all()
    return portal().render(
        request, "admin_webhooks.html", viewer=found, status=status, error=error, done=done,
        form=form or {}, secret=secret, dead=dead, dead_limit=_DEAD_LETTERS,
        webhooks=session.scalars(select(Webhook).order_by(Webhook.name)).all(),
    )  # fmt: skip


@router.post("/webhooks", response_class=HTMLResponse)
def create_webhook(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    name: Annotated[str, Form(max_length=100)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    platform: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    try:
        if not name.strip():
            raise BadRequest("name: a webhook needs a name")
        master_key = runtime.settings.master_key.get_secret_value()
        webhook, secret = add_webhook(
            session, name.strip(), url.strip(), master_key, platform=platform
        )
    except AccordError as error:
        session.rollback()
        return _webhooks_page(
            request, session, found, error=error.detail, status=status_for(error),
            form={"name": name, "url": url, "platform": platform},
        )  # fmt: skip
    # Shown on this answer only: the secret is kept sealed under the master key.
    shown = {"name": webhook.name, "value": secret}
    return _webhooks_page(request, session, found, status=201, secret=shown)


@router.post("/webhooks/messages/{message_id}/replay", response_class=HTMLResponse)
def replay_message(
    request: Request, message_id: int, session: SessionDep, csrf_token: Csrf = ""
) -> Response:
    found = viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    try:
        replay(session, message_id)
    except AccordError as error:
        session.rollback()
        return _webhooks_page(request, session, found, error=error.detail, status=status_for(error))
    return see_other("/admin/webhooks?done=replayed")


@router.post("/webhooks/{name}/enabled", response_class=HTMLResponse)
def set_webhook_enabled(
    request: Request,
    name: str,
    session: SessionDep,
    csrf_token: Csrf = "",
    enabled: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    viewer(request, session, Role.ADMIN)
    check_form(request, csrf_token)
    set_enabled(session, name, enabled=enabled == "yes")
    return see_other(f"/admin/webhooks?done={'resumed' if enabled == 'yes' else 'paused'}")


# Policy


@router.get("/policy", response_class=HTMLResponse)
def policy(request: Request, runtime: RuntimeDep, session: SessionDep) -> Response:
    found = viewer(request, session, Role.ADMIN)
    return portal().render(
        request, "admin_policy.html", viewer=found, policy=_policy(runtime.settings)
    )


def _policy(settings: Settings) -> list[tuple[str, str, str]]:
    """(what, its value, the environment variable that sets it) for each review setting."""

    def hours(value: float) -> str:
        return f"{value:g} hours"

    def days(value: int) -> str:
        return f"{value} days"

    def strikes(value: int) -> str:
        return f"{value} strike{'s' if value != 1 else ''}"

    weights = ", ".join(
        f"{_ACTION_WORDS.get(action, action.replace('_', ' '))} {weight}"
        for action, weight in settings.strike_weights.items()
    )
    shown = [
        ("Review deadline, urgent cases", hours(settings.sla_hours_urgent), "sla_hours_urgent"),
        ("Review deadline, priority cases", hours(settings.sla_hours_priority),
         "sla_hours_priority"),
        ("Review deadline, other cases", hours(settings.sla_hours_standard),
         "sla_hours_standard"),
        ("Time to appeal a decision", days(settings.appeal_window_days), "appeal_window_days"),
        ("Deadline to decide an appeal", hours(settings.appeal_sla_hours), "appeal_sla_hours"),
        ("Strikes per action", weights or "none", "strike_weights"),
        ("Strikes per manifestly unfounded report",
         str(settings.strike_unfounded_notice_weight), "strike_unfounded_notice_weight"),
        ("A strike counts for", days(settings.strike_expiry_days), "strike_expiry_days"),
        ("Warning at", strikes(settings.strike_warning_at), "strike_warning_at"),
        ("Suspension at", strikes(settings.strike_suspension_at), "strike_suspension_at"),
        ("Termination at", strikes(settings.strike_termination_at), "strike_termination_at"),
        ("A suspension lasts", days(settings.suspension_days), "suspension_days"),
    ]  # fmt: skip
    return [(what, value, f"ACCORD_{field.upper()}") for what, value, field in shown]
