"""``accord guard ...``: the generation gate from the command line. Screen prompts (one,
or a JSON-lines file of them), lift bans, list them, red-team the gate, and stamp what a
generator made (``accord guard stamp``, in ``guard_stamp``).

Prompts screened here are kept and count towards bans as the API's do (client "cli").
A block is an answer, not an error: the exit status is 0 unless ``--fail-on-block``
(then 3 when any prompt was blocked); 1 is for errors (a bad line of a file among them).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from accord.cli.guard_stamp import stamp_command
from accord.cli.local import fail, local_database, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError, BadRequest

if TYPE_CHECKING:
    from accord.claims.context import Context
    from accord.cli.local import LocalDatabase

guard_app = Commands()

#: The exit status of ``--fail-on-block`` when a prompt was blocked.
BLOCKED_EXIT = 3
#: Who the command line screens for unless ``--user`` (or a line's ``user``) says.
DEFAULT_USER = "cli"

ToolOption = Annotated[str, typer.Option(help="What is to be made: image, voice, video or text.")]
UserOption = Annotated[
    str, typer.Option(help="The generation service's user: their blocks count towards a ban.")
]
LanguageOption = Annotated[
    str | None, typer.Option(help="en, nl, fr or de (detected when omitted).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (one line per prompt).")]


@guard_app.command("prompt")
def prompt_command(
    text: Annotated[str | None, typer.Argument(help="The prompt to screen.")] = None,
    *,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help='JSON lines {"prompt", "tool"?, "user"?, "language"?} ("-": standard input); '
            "one answer per line, in order.",
        ),
    ] = None,
    tool: ToolOption = "image",
    user: UserOption = DEFAULT_USER,
    language: LanguageOption = None,
    as_json: JsonOption = False,
    fail_on_block: Annotated[
        bool, typer.Option("--fail-on-block", help="Exit with status 3 when a prompt is blocked.")
    ] = False,
) -> None:
    """Screen a prompt before generating: allow, review or block, and why."""
    if (text is None) == (file is None):
        raise fail("give a prompt, or --file with JSON lines of prompts (one of them)")
    defaults = {"tool": tool, "user": user, "language": language}
    with local_database() as database:
        if file is None:
            assert text is not None  # noqa: S101 - checked above
            try:
                answer = _screen(database, {"prompt": text}, defaults)
            except AccordError as error:
                raise fail(error.detail) from None
            _print(answer, as_json=as_json)
            blocked = answer["verdict"] == "block"
            failed = False
        else:
            blocked, failed = _screen_lines(database, file, defaults, as_json=as_json)
    if failed:
        raise typer.Exit(code=1)
    if blocked and fail_on_block:
        raise typer.Exit(code=BLOCKED_EXIT)


def _screen_lines(
    database: LocalDatabase, file: Path, defaults: dict[str, Any], *, as_json: bool
) -> tuple[bool, bool]:
    """Answer each line of ``file`` in order; (any blocked, any failed)."""
    blocked = failed = False
    try:
        stream: TextIO = sys.stdin if str(file) == "-" else file.open(encoding="utf-8")
    except OSError as error:
        raise fail(f"{file}: {error.strerror or error}") from None
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                answer = {"line": number, **_screen(database, _record(line), defaults)}
            except AccordError as error:
                failed = True
                _print_error(number, error.detail, as_json=as_json)
                continue
            blocked = blocked or answer["verdict"] == "block"
            _print(answer, as_json=as_json)
    return blocked, failed


def _record(line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except ValueError as error:
        raise BadRequest(f"not JSON: {error}") from None
    if not isinstance(record, dict):
        raise BadRequest("a line must hold a JSON object")
    for name in ("prompt", "tool", "user", "language"):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise BadRequest(f"{name!r} must be a string")
    if "prompt" not in record:
        raise BadRequest("the line has no 'prompt'")
    return record


def _screen(
    database: LocalDatabase, record: dict[str, Any], defaults: dict[str, Any]
) -> dict[str, Any]:
    """One prompt screened and kept, in a transaction of its own."""
    from accord.server.guard.schemas import CLI_CLIENT, answer_json  # noqa: PLC0415
    from accord.server.guard.service import screen_prompt_for  # noqa: PLC0415

    fields = {name: record.get(name) or defaults[name] for name in defaults}
    with transaction(database) as session:
        answer = screen_prompt_for(
            session,
            database.settings,
            prompt=record["prompt"],
            tool=fields["tool"],
            user=fields["user"],
            language=fields["language"],
            client=CLI_CLIENT,
        )
        return answer_json(answer)


def _print(answer: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(answer, ensure_ascii=False))
        return
    where = f"line {answer['line']}: " if "line" in answer else ""
    language = answer["language"] or "not screened"
    typer.echo(f"{where}{answer['verdict']} ({language})")
    for reason in answer["reasons"]:
        evidence = f" [{reason['evidence']}]" if reason["evidence"] else ""
        typer.echo(f"  {reason['category']}: {reason['explanation']}{evidence}")
    status = answer["user_status"]
    if status["banned"]:
        typer.echo(f"  the user is banned until {status['until']}")
    else:
        typer.echo(f"  the user has {status['strikes']} of {status['ban_after']} strikes")


def _print_error(number: int, detail: str, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"line": number, "error": detail}, ensure_ascii=False))
    else:
        typer.echo(f"accord: error: line {number}: {detail}", err=True)


@guard_app.command("unban")
def unban_command(
    user: Annotated[str, typer.Argument(help="The generation service's user.")],
    *,
    reason: Annotated[str, typer.Option(help="Why the ban is lifted (kept in the audit log).")],
) -> None:
    """Lift a user's ban before it ends."""
    from accord.server.db.base import utc_now  # noqa: PLC0415
    from accord.server.guard.schemas import CLI_CLIENT  # noqa: PLC0415
    from accord.server.guard.service import unban  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            by = str(session.info.get("actor", CLI_CLIENT))
            ban = unban(session, user, reason=reason, by=by, now=utc_now())
            line = f"lifted the ban of {ban.user} (it ran until {ban.until:%Y-%m-%d %H:%M} UTC)"
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(line)


@guard_app.command("bans")
def bans_command(
    *,
    every: Annotated[bool, typer.Option("--all", help="Ended and lifted bans too.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Live bans, newest first: user, since, until, strikes."""
    from accord.server.db.base import utc_now  # noqa: PLC0415
    from accord.server.guard.schemas import ban_json  # noqa: PLC0415
    from accord.server.guard.service import list_bans  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        bans = [ban_json(ban) for ban in list_bans(session, utc_now(), live_only=not every)]
    if as_json:
        typer.echo(json.dumps({"bans": bans}, ensure_ascii=False))
        return
    if not bans:
        typer.echo("no one is banned")
    for ban in bans:
        lifted = f"\tlifted by {ban['lifted_by']}: {ban['lift_reason']}" if ban["lifted_at"] else ""
        typer.echo(
            f"{ban['user']}\tsince {ban['started_at']}\tuntil {ban['until']}\t"
            f"{ban['strikes']} strikes{lifted}"
        )


@guard_app.command("purge")
def purge_command() -> None:
    """Tally and delete decisions older than ACCORD_GUARD_RETENTION_DAYS (the server does
    this daily)."""
    from accord.server.db.base import utc_now  # noqa: PLC0415
    from accord.server.guard.service import purge_expired  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        purged = purge_expired(session, database.settings, utc_now())
    days = database.settings.guard_retention_days
    typer.echo(f"{purged} decision(s) older than {days} days tallied and deleted")


@guard_app.command("redteam")
def redteam_command(
    prompts: Annotated[
        Path | None,
        typer.Argument(
            help="JSON lines {prompt, tool, expect, language, category}; default: "
            "the set shipped with accord."
        ),
    ] = None,
    *,
    context: Annotated[
        Path | None,
        typer.Option(
            help="The people, elections and day the prompts refer to (JSON); default: the "
            "shipped set's own, or this instance's people and elections for another file."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Measure the gate on prompts with known answers: block rate and false-block rate
    per category and language, and the misses. Nothing is kept and no one is banned."""
    from accord.claims import redteam  # noqa: PLC0415
    from accord.claims.screen import screen_prompt  # noqa: PLC0415

    path = prompts or redteam.SHIPPED_CASES
    try:
        cases, errors = redteam.load_cases(path)
        if context is not None:
            chosen = redteam.load_context(context)
        elif prompts is None:
            chosen = redteam.load_context(redteam.SHIPPED_CONTEXT)
        else:
            chosen = _instance_context()
    except OSError as error:
        raise fail(f"{error.filename}: {error.strerror or error}") from None
    except AccordError as error:
        raise fail(error.detail) from None
    for problem in errors:
        typer.echo(f"accord: error: {path} line {problem.line}: {problem.error}", err=True)
    report = redteam.run(
        cases,
        chosen,
        lambda prompt, tool, language: screen_prompt(prompt, tool, chosen, language=language),
    )
    if as_json:
        typer.echo(json.dumps(redteam.report_json(report), ensure_ascii=False))
    else:
        typer.echo(redteam.format_table(report))
    if errors:
        raise typer.Exit(code=1)


def _instance_context() -> Context:
    from accord.server.db.base import utc_now  # noqa: PLC0415
    from accord.server.guard.service import guard_context  # noqa: PLC0415

    with local_database() as database, transaction(database) as session:
        return guard_context(session, database.settings, utc_now().date())


guard_app.command("stamp")(stamp_command)
