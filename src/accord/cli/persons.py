"""``accord person ...``: candidates and officials whose likeness assessments look for."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli.local import fail, local_database, local_runtime, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from accord.server.accounts.models import User
    from accord.server.persons.models import ProtectedPersonRow

person_app = Commands()

Photos = Annotated[
    list[Path] | None,
    typer.Option("--photo", help="A reference photo showing their face alone (repeatable)."),
]
Voices = Annotated[
    list[Path] | None,
    typer.Option("--voice", help="A recording of them speaking alone, 2 s or more (repeatable)."),
]


@person_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Their name as voters know it.")],
    *,
    role: Annotated[str, typer.Option(help="E.g. 'candidate for mayor'.")] = "",
    election: Annotated[str, typer.Option(help="The election they stand in or run.")] = "",
    constituency: Annotated[str, typer.Option(help="Their constituency or district.")] = "",
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help="Another name (repeatable).")
    ] = None,
    photo: Photos = None,
    voice: Voices = None,
    consent: Annotated[
        bool,
        typer.Option(
            "--consent",
            help="Record, as you, that they gave explicit consent to the processing of "
            "their face and voice (needed for --photo and --voice).",
        ),
    ] = False,
) -> None:
    """Register a protected person, with reference photos of their face and recordings of
    their voice."""
    from accord.server.persons.service import (  # noqa: PLC0415
        add_reference_photo,
        add_reference_voice,
        record_consent,
        register_person,
    )

    try:
        with local_runtime() as runtime, transaction(runtime) as session:
            person = register_person(
                session,
                name,
                role=role,
                election=election,
                constituency=constituency,
                aliases=alias or [],
            )
            if consent:
                record_consent(session, person, str(session.info["actor"]))
            for path in photo or []:
                add_reference_photo(session, person, path)
            for path in voice or []:
                add_reference_voice(session, person, path, runtime.settings.media_limits)
            _describe(person, len(photo or []), len(voice or []))
    except AccordError as error:
        raise fail(error.detail) from None


@person_app.command("photo")
def add_photos(
    person: Annotated[str, typer.Argument(help="Their id, or their name if it is unique.")],
    photos: Annotated[list[Path], typer.Argument(help="Reference photos of their face.")],
) -> None:
    """Add reference photos of a protected person's face (only the face's embedding is kept)."""
    from accord.server.persons.service import add_reference_photo, find_person  # noqa: PLC0415

    try:
        with local_runtime() as runtime, transaction(runtime) as session:
            found = find_person(session, person)
            for path in photos:
                add_reference_photo(session, found, path)
            typer.echo(f"added {len(photos)} reference photo(s) of {found.name}")
    except AccordError as error:
        raise fail(error.detail) from None


@person_app.command("voice")
def add_voices(
    person: Annotated[str, typer.Argument(help="Their id, or their name if it is unique.")],
    clips: Annotated[list[Path], typer.Argument(help="Recordings of them speaking alone.")],
) -> None:
    """Add reference recordings of a protected person's voice (only its embedding is kept)."""
    from accord.server.persons.service import add_reference_voice, find_person  # noqa: PLC0415

    try:
        with local_runtime() as runtime, transaction(runtime) as session:
            found = find_person(session, person)
            for path in clips:
                add_reference_voice(session, found, path, runtime.settings.media_limits)
            typer.echo(f"added {len(clips)} reference recording(s) of {found.name}")
    except AccordError as error:
        raise fail(error.detail) from None


@person_app.command("list")
def list_command() -> None:
    """Every protected person, with how many reference faces and voices each has."""
    from accord.server.persons.service import list_people, voice_counts  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        voices = voice_counts(session)
        for person, faces in list_people(session):
            _describe(person, faces, voices.get(person.id, 0))


def _describe(person: ProtectedPersonRow, faces: int, voices: int = 0) -> None:
    where = ", ".join(part for part in (person.role, person.election, person.constituency) if part)
    references = f"{faces} reference face(s)" + (f", {voices} voice(s)" if voices else "")
    typer.echo(f"{person.id}\t{person.name}\t{where or '-'}\t{references}")


PersonArgument = Annotated[str, typer.Argument(help="Their id, or their name if it is unique.")]
EmailArgument = Annotated[str, typer.Argument(help="A user's email.")]
Note = Annotated[str, typer.Option(help="Why, e.g. the request's date; not their name.")]


@person_app.command("consent")
def consent_command(person: PersonArgument) -> None:
    """Record, as you, that the person gave explicit consent to the processing of their
    face and voice (GDPR Art. 9(2)(a)); reference photos and recordings need it."""
    from accord.server.persons.service import find_person, record_consent  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            found = find_person(session, person)
            record_consent(session, found, str(session.info["actor"]))
            typer.echo(f"consent of {found.name} recorded by {found.biometric_consent_by}")
    except AccordError as error:
        raise fail(error.detail) from None


@person_app.command("withdraw-consent")
def withdraw_consent_command(person: PersonArgument) -> None:
    """Record that the person withdrew their consent, and erase their face and voice
    embeddings (from the audit log too)."""
    from accord.cli.erasure import scrub_local  # noqa: PLC0415
    from accord.server.persons.service import find_person, withdraw_consent  # noqa: PLC0415

    try:
        with local_database() as database:
            with transaction(database) as session:
                found = find_person(session, person)
                faces, voices = withdraw_consent(session, found)
                name = found.name
            scrub_local(database)
        typer.echo(f"consent of {name} withdrawn: erased {faces} face(s), {voices} voice(s)")
    except AccordError as error:
        raise fail(error.detail) from None


@person_app.command("erase")
def erase_command(person: PersonArgument, note: Note = "") -> None:
    """Erase a protected person: name, roles, face and voice embeddings (GDPR Art. 17),
    and say what was kept and why."""
    from accord.cli.erasure import erase_and_report  # noqa: PLC0415
    from accord.server.erasure.service import erase_person_data  # noqa: PLC0415

    erase_and_report(
        lambda session, by: erase_person_data(session, person, requested_by=by, note=note)
    )


@person_app.command("verify")
def verify_command(
    person: PersonArgument,
    by: Annotated[str, typer.Option(help="The election authority admin who checked.")],
) -> None:
    """Record that an election authority's admin checked who the person is."""
    from accord.server.persons.service import verify_identity  # noqa: PLC0415

    _with_person_and_user(person, by, verify_identity, "verified {person} (by {user})")


@person_app.command("link")
def link_command(person: PersonArgument, email: EmailArgument) -> None:
    """Give the person their own account (a user in the protected_person role)."""
    from accord.server.persons.service import link_account  # noqa: PLC0415

    _with_person_and_user(person, email, link_account, "{user} is {person}'s own account")


@person_app.command("authorize")
def authorize_command(person: PersonArgument, email: EmailArgument) -> None:
    """Let a representative (campaign staff) report deepfakes for the person."""
    from accord.server.persons.service import authorize_representative  # noqa: PLC0415

    _with_person_and_user(person, email, authorize_representative, "{user} may report for {person}")


@person_app.command("revoke")
def revoke_command(person: PersonArgument, email: EmailArgument) -> None:
    """Stop a representative reporting for the person."""
    from accord.server.persons.service import revoke_representative  # noqa: PLC0415

    _with_person_and_user(
        person, email, revoke_representative, "{user} no longer reports for {person}"
    )


def _with_person_and_user(
    person: str,
    email: str,
    change: Callable[[Session, ProtectedPersonRow, User], None],
    done: str,
) -> None:
    from accord.server.accounts.service import find_user  # noqa: PLC0415
    from accord.server.persons.service import find_person  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            found = find_person(session, person)
            user = find_user(session, email)
            change(session, found, user)
            typer.echo(done.format(person=found.name, user=user.email))
    except AccordError as error:
        raise fail(error.detail) from None
