"""``accord bank ...``: create, inspect, fill, export, share and disable banks."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from accord.cli.files import expand_files, os_reason, report_file_error
from accord.cli.local import fail, local_database, local_runtime, transaction, warm_indexes
from accord.cli.plain_help import Commands
from accord.errors import AccordError

if TYPE_CHECKING:
    from accord.server.banks.schemas import Marking

EnumT = TypeVar("EnumT", bound=Enum)

bank_app = Commands()

BankName = Annotated[str, typer.Argument(help="The bank's name.")]
KindOption = Annotated[
    str, typer.Option(help="deceptive, authentic, allow (known benign), watch or generated (AI).")
]
MarkingHelp = "TLP:CLEAR, GREEN, AMBER, AMBER+STRICT, RED (RED is never shared)."
LimitOption = Annotated[
    int | None,
    typer.Option(
        "--false-positive-limit",
        min=0,
        help="Disable an entry once this many distinct partners call it a false positive "
        "(0: never).",
    ),
]


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise fail(f"{what} must look like TYPE=VALUE, not {item!r}")
        found[name.strip()] = value.strip()
    return found


@bank_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="UPPER_SNAKE_CASE name.")],
    *,
    kind: KindOption = "deceptive",
    owner: Annotated[str, typer.Option(help="The owning organization.")] = "",
    description: Annotated[str, typer.Option(help="What the bank holds, for people.")] = "",
    marking: Annotated[str, typer.Option(help=MarkingHelp)] = "TLP:AMBER",
    threshold: Annotated[
        list[str] | None, typer.Option(help="Per-type threshold, e.g. pdq=20 (repeatable).")
    ] = None,
    ratio: Annotated[float, typer.Option(min=0.0, max=1.0, help="Rollout ratio.")] = 1.0,
    disabled: Annotated[bool, typer.Option(help="Create it switched off.")] = False,
    share: Annotated[
        bool, typer.Option("--share", help="Serve it to partners as a TAXII collection.")
    ] = False,
    false_positive_limit: LimitOption = None,
) -> None:
    """Create a bank."""
    from accord.server.banks.schemas import BankKind  # noqa: PLC0415
    from accord.server.banks.service import create_bank  # noqa: PLC0415

    thresholds = {k: _number(v) for k, v in _pairs(threshold, "--threshold").items()}
    with _errors(), local_database() as database, transaction(database) as session:
        bank = create_bank(
            session,
            name,
            kind=_enum(BankKind, kind),
            owner=owner,
            description=description,
            marking=_marking(marking),
            enabled=not disabled,
            enabled_ratio=ratio,
            thresholds=thresholds,
            shared=share,
            false_positive_limit=false_positive_limit or None,
        )
        shared = f", shared as the TAXII collection {bank.collection_id}" if bank.shared else ""
        typer.echo(f"created bank {bank.name} ({bank.kind}){shared}")


def _marking(text: str) -> Marking:
    """A TLP marking as typed: ``TLP:GREEN``, ``tlp:green`` or ``green``."""
    from accord.server.banks.schemas import Marking  # noqa: PLC0415

    upper = text.strip().upper()
    return _enum(Marking, upper if upper.startswith("TLP:") else f"TLP:{upper}")


@bank_app.command("update")
def update(
    name: BankName,
    *,
    rename: Annotated[str | None, typer.Option(help="A new UPPER_SNAKE_CASE name.")] = None,
    kind: Annotated[
        str | None, typer.Option(help="deceptive, authentic, allow, watch or generated.")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="The owning organization.")] = None,
    description: Annotated[str | None, typer.Option(help="What the bank holds.")] = None,
    marking: Annotated[str | None, typer.Option(help=MarkingHelp)] = None,
    false_positive_limit: LimitOption = None,
) -> None:
    """Change a bank's settings; a shared bank publishes its entries again."""
    from accord.server.banks.schemas import BankKind  # noqa: PLC0415
    from accord.server.banks.service import get_bank, update_bank  # noqa: PLC0415

    changes: dict[str, Any] = {}
    if rename is not None:
        changes["name"] = rename
    if kind is not None:
        changes["kind"] = _enum(BankKind, kind)
    if owner is not None:
        changes["owner"] = owner
    if description is not None:
        changes["description"] = description
    if marking is not None:
        changes["marking"] = _marking(marking)
    if false_positive_limit is not None:
        changes["false_positive_limit"] = false_positive_limit or None
    if not changes:
        raise fail("give at least one setting to change; see accord bank update --help")
    with _errors(), local_database() as database, transaction(database) as session:
        bank = update_bank(session, get_bank(session, name), changes)
        typer.echo(f"updated bank {bank.name}: {', '.join(sorted(changes))}")


@bank_app.command("share")
def share(
    name: BankName,
    off: Annotated[
        bool,
        typer.Option(
            "--off",
            help=(
                "Stop sharing it: partners keep what they fetched and get no updates "
                "(to withdraw entries from them, delete or disable them while it is shared)."
            ),
        ),
    ] = False,
) -> None:
    """Serve a bank to partners as a TAXII 2.1 collection (or stop, with --off)."""
    from accord.server.banks.service import get_bank, update_bank  # noqa: PLC0415

    with _errors(), local_database() as database, transaction(database) as session:
        bank = update_bank(session, get_bank(session, name), {"shared": not off})
        if off:
            typer.echo(
                f"bank {bank.name} is no longer shared; partners keep what they fetched "
                "and get no updates until it is shared again"
            )
        else:
            typer.echo(
                f"bank {bank.name} is shared as the TAXII collection {bank.collection_id} "
                f"({bank.marking})"
            )


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise fail(f"a threshold must be a number, not {text!r}") from None


def _enum(enum: type[EnumT], value: str) -> EnumT:
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(str(item.value) for item in enum)
        raise fail(f"{value!r} is not one of {known}") from None


@contextmanager
def _errors() -> Iterator[None]:
    """Accord's errors as one readable line and exit 1."""
    try:
        yield
    except AccordError as error:
        raise fail(error.detail) from None


@bank_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List banks with their kind, state and entry count."""
    from accord.server.banks.schemas import to_bank_read  # noqa: PLC0415
    from accord.server.banks.service import entry_counts, list_banks  # noqa: PLC0415

    with _errors(), local_database() as database, transaction(database) as session:
        counts = entry_counts(session)
        for bank in list_banks(session):
            read = to_bank_read(bank, counts.get(bank.id, 0))
            if as_json:
                typer.echo(read.model_dump_json())
            else:
                state = "enabled" if bank.enabled else "disabled"
                shared = "shared" if bank.shared else "not shared"
                typer.echo(
                    f"{bank.name}\t{bank.kind}\t{state}\tratio={bank.enabled_ratio:g}"
                    f"\t{bank.marking}\t{read.entries} entries\t{shared}"
                )


@bank_app.command("show")
def show(name: BankName) -> None:
    """One bank's settings as JSON."""
    from accord.server.banks.schemas import to_bank_read  # noqa: PLC0415
    from accord.server.banks.service import entry_counts, get_bank  # noqa: PLC0415

    with _errors(), local_database() as database, transaction(database) as session:
        bank = get_bank(session, name)
        read = to_bank_read(bank, entry_counts(session).get(bank.id, 0))
        typer.echo(read.model_dump_json(indent=2))


@bank_app.command("add")
def add(
    name: BankName,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Media files to bank, or folders (their media, recursively)."),
    ] = None,
    *,
    signal: Annotated[
        list[str] | None, typer.Option(help="Add one entry from signals: TYPE=VALUE (repeatable).")
    ] = None,
    note: Annotated[str, typer.Option(help="A note kept with each entry.")] = "",
    label: Annotated[list[str] | None, typer.Option(help="Repeatable.")] = None,
    url: Annotated[str | None, typer.Option(help="Where the content was found.")] = None,
    platform_id: Annotated[str | None, typer.Option(help="The platform's content id.")] = None,
    case: Annotated[str | None, typer.Option(help="Case reference.")] = None,
) -> None:
    """Add entries: one per media file (hashed here), or one from --signal values."""
    from accord.server.banks.schemas import EntryFields  # noqa: PLC0415
    from accord.server.banks.service import add_entry, get_bank  # noqa: PLC0415
    from accord.server.hashing.service import (  # noqa: PLC0415
        hash_for_bank,
        reliable_signals,
    )

    if not files and not signal:
        raise fail("give media files or --signal TYPE=VALUE")
    fields = EntryFields(
        url=url,
        platform_content_id=platform_id,
        case_reference=case,
        labels=tuple(label or ()),
        note=note,
        added_by="cli",
    )
    failures = 0
    with _errors(), local_runtime() as runtime, transaction(runtime) as session:
        bank = get_bank(session, name)
        if signal:
            entry = add_entry(
                session, bank, _pairs(signal, "--signal"), replace(fields, source="cli")
            )
            typer.echo(f"{bank.name}\t{entry.id}\tsignals")
        for path in expand_files(files or []):
            try:
                signals = reliable_signals(hash_for_bank(runtime, path))
                entry = add_entry(
                    session, bank, signals, replace(fields, source=f"file:{path.name}")
                )
            except (AccordError, OSError) as error:
                failures += 1
                report_file_error(path, error, as_json=False)
                continue
            typer.echo(f"{bank.name}\t{entry.id}\t{path}\t{','.join(signals)}")
    if failures:
        raise typer.Exit(code=1)


@bank_app.command("import")
def import_command(
    name: BankName,
    file: Annotated[
        Path, typer.Argument(help="JSON lines, CSV, or HMA's '<type> <signal>' lines.")
    ],
    file_format: Annotated[
        str | None, typer.Option("--format", help="jsonl, csv or hma (default: from the suffix).")
    ] = None,
) -> None:
    """Add entries in bulk; bad lines are reported and skipped."""
    from accord.server.banks.schemas import TransferFormat  # noqa: PLC0415
    from accord.server.banks.service import get_bank, import_entries  # noqa: PLC0415

    chosen = _enum(TransferFormat, file_format or _format_of(file))
    try:
        handle = file.open(encoding="utf-8", newline="")
    except OSError as error:
        raise fail(f"{file}: {os_reason(error)}") from None
    with handle, _errors(), local_runtime() as runtime:
        with transaction(runtime) as session:
            bank = get_bank(session, name)
            try:
                report = import_entries(
                    session, bank, handle, chosen, source=f"import:{file.name}", added_by="cli"
                )
            except UnicodeDecodeError as error:
                raise fail(f"{file} is not UTF-8 text: {error.reason}") from None
        # A large import is indexed here once and snapshotted, so servers load it, not
        # replay it, when they start.
        if report.added >= runtime.settings.index_snapshot_after_changes:
            warm_indexes(runtime)
    for problem in report.errors:
        typer.echo(f"accord: {file}:{problem['line']}: {problem['error']}", err=True)
    typer.echo(f"added {report.added} entries to {name}; rejected {report.rejected} lines")
    if report.rejected:
        raise typer.Exit(code=1)


def _format_of(path: Path) -> str:
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}.get(path.suffix.lower(), "hma")


@bank_app.command("export")
def export(
    name: BankName,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Default: stdout.")] = None,
    file_format: Annotated[str, typer.Option("--format", help="jsonl, csv or hma.")] = "jsonl",
) -> None:
    """Write every entry of a bank."""
    from accord.server.banks.schemas import TransferFormat  # noqa: PLC0415
    from accord.server.banks.service import export_entries, get_bank  # noqa: PLC0415

    chosen = _enum(TransferFormat, file_format)
    with _errors(), local_database() as database, transaction(database) as session:
        bank = get_bank(session, name)
        target = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            for chunk in export_entries(session, bank, chosen):
                target.write(chunk)
        finally:
            if output:
                target.close()


@bank_app.command("disable")
def disable(
    name: BankName,
    entry: Annotated[
        int | None, typer.Option(help="Disable one entry instead of the bank.")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(help="Only until this time (ISO 8601, with timezone).")
    ] = None,
) -> None:
    """Switch a bank, or one entry (optionally until a time), off."""
    _switch(name, entry, enabled=False, until=until)


@bank_app.command("enable")
def enable(
    name: BankName,
    entry: Annotated[int | None, typer.Option(help="Enable one entry instead of the bank.")] = None,
) -> None:
    """Switch a bank or one entry back on."""
    _switch(name, entry, enabled=True, until=None)


def _switch(name: str, entry_id: int | None, *, enabled: bool, until: datetime | None) -> None:
    from accord.server.banks.service import (  # noqa: PLC0415
        get_bank,
        get_entry,
        update_bank,
        update_entry,
    )

    if until is not None and until.tzinfo is None:
        raise fail("--until needs a timezone, e.g. 2026-12-01T00:00:00+00:00")
    if until is not None and entry_id is None:
        raise fail("--until applies to one --entry; a bank is switched off until switched on")
    with _errors(), local_database() as database, transaction(database) as session:
        bank = get_bank(session, name)
        if entry_id is None:
            update_bank(session, bank, {"enabled": enabled})
            typer.echo(f"bank {bank.name} {'enabled' if enabled else 'disabled'}")
            return
        changes: dict[str, Any] = (
            {"enabled": True, "disabled_until": until}
            if until is not None
            else {"enabled": enabled, "disabled_until": None}
        )
        update_entry(session, get_entry(session, bank, entry_id), changes)
        state = (
            f"disabled until {until.isoformat()}"
            if until
            else ("enabled" if enabled else "disabled")
        )
        typer.echo(f"entry {entry_id} of {bank.name} {state}")
