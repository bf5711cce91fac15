"""``accord guard ...``: the generation gate from the command line. Screen prompts (one,
or a JSON-lines file of them), lift bans, list them, red-team the gate, and stamp what a
generator made (``accord guard stamp``, in ``guard_stamp``).

Prompts screened for a ``--user`` are kept and count towards bans as the API's do
(client "cli"). Without one a prompt is an operator's trial: kept with user "", never a
strike, never refused for a ban, and left out of the transparency figures.
A block is an answer, not an error: the exit status is 0 unless ``--fail-on-block``
(then 3 when any prompt was blocked); 1 is for errors (a bad line of a file among them).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

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

ToolOption = Annotated[str, typer.Option(help="What is to be made: image, voice, video or text.")]
UserOption = Annotated[
    str | None,
    typer.Option(
        help="The generation service's user: their blocks count towards a ban. Without it, "
        "the prompt is screened for no one (kept, but no strike)."
    ),
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
    user: UserOption = None,
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
        stream: BinaryIO = sys.stdin.buffer if str(file) == "-" else file.open("rb")
    except OSError as error:
        raise fail(f"{file}: {error.strerror or error}") from None
    with stream:
        # Bytes, decoded line by line: a line that is not UTF-8 is that line's error.
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                prompt = _parse_line(raw)
                answer = {"line": number, **_screen(database, prompt, defaults)}
            except AccordError as error:
                failed = True
                _print_error(number, error.detail, as_json=as_json)
                continue
            blocked = blocked or answer["verdict"] == "block"
            _print(answer, as_json=as_json)
    return blocked, failed


#: The fields a line of ``--file`` may give; each a string when given.
_LINE_FIELDS = ("prompt", "tool", "user", "language")


def _parse_line(raw: bytes) -> dict[str, str]:
    """One line of ``--file``: a JSON object with a string ``prompt`` and maybe a string
    ``tool``, ``user`` and ``language`` (absent: the command's options)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"not UTF-8: byte {error.start + 1} cannot be decoded") from None
    try:
        record = json.loads(line)
    except ValueError as error:
        raise BadRequest(f"not JSON: {error}") from None
    if not isinstance(record, dict):
        raise BadRequest("a line must hold a JSON object")
    if "prompt" not in record:
        raise BadRequest("the line has no 'prompt'")
    for name in _LINE_FIELDS:
        if name in record and not isinstance(record[name], str):
            raise BadRequest(f"{name!r} must be a string")
    return {name: record[name] for name in _LINE_FIELDS if name in record}


def _screen(
    database: LocalDatabase, prompt: dict[str, str], defaults: dict[str, Any]
) -> dict[str, Any]:
    """One prompt screened and kept, in a transaction of its own; without a user (of the
    line or ``--user``), an operator's trial."""
    from accord.server.guard.schemas import CLI_CLIENT, answer_json  # noqa: PLC0415
    from accord.server.guard.service import screen_prompt_for  # noqa: PLC0415

    fields = {name: prompt.get(name) or defaults[name] for name in defaults}
    with transaction(database) as session:
        answer = screen_prompt_for(
            session,
            database.settings,
            prompt=prompt["prompt"],
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
    if status is None:
        return
    if status["banned"]:
        typer.echo(f"  the user is banned until {_when(status['until'])}")
    else:
        typer.echo(f"  the user has {status['strikes']} of {status['ban_after']} strikes")


def _when(iso: str) -> str:
    """An ISO 8601 time from the JSON answer, the way people read it."""
    return f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M} UTC"


def _print_error(number: int, detail: str, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"line": number, "error": detail}, ensure_ascii=False))
    else:
        typer.echo(f"accord: error: line {number}: {detail}", err=True)


@guard_app.command("unban")
def unban_command(
    user: Annotated[str, typer.Argument(help="The generation service's user.")],
    *,
    client: Annotated[
        str | None,
        typer.Option(
            help="The generation service (its API key's name; cli for the command line) "
            "whose user this is; may be left out when only one has banned a user of that name."
        ),
    ] = None,
    reason: Annotated[str, typer.Option(help="Why the ban is lifted (kept in the audit log).")],
) -> None:
    """Lift a user's ban before it ends."""
    from accord.server.db.base import utc_now  # noqa: PLC0415
    from accord.server.guard.schemas import CLI_CLIENT  # noqa: PLC0415
    from accord.server.guard.service import unban  # noqa: PLC0415

    try:
        with local_database() as database, transaction(database) as session:
            by = str(session.info.get("actor", CLI_CLIENT))
            ban = unban(session, user, client=client, reason=reason, by=by, now=utc_now())
            line = (
                f"lifted the ban of {ban.user} of {ban.client} "
                f"(it ran until {ban.until:%Y-%m-%d %H:%M} UTC)"
            )
    except AccordError as error:
        raise fail(error.detail) from None
    typer.echo(line)


@guard_app.command("bans")
def bans_command(
    *,
    every: Annotated[bool, typer.Option("--all", help="Ended and lifted bans too.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Live bans, newest first: user, client, since, until, strikes."""
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
            f"{ban['user']}\t{ban['client']}\tsince {_when(ban['started_at'])}\t"
            f"until {_when(ban['until'])}\t{ban['strikes']} strikes{lifted}"
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
            "a set shipped with accord (--set)."
        ),
    ] = None,
    *,
    shipped: Annotated[
        str,
        typer.Option(
            "--set",
            help="The shipped set measured without PROMPTS: development (the rules were "
            "tuned on it), holdout or blind.",
        ),
    ] = "development",
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

    if prompts is None and shipped not in redteam.SHIPPED_SETS:
        raise fail(f"--set: {shipped!r} is none of {', '.join(redteam.SHIPPED_SETS)}")
    path = prompts or redteam.SHIPPED_SETS[shipped]
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
