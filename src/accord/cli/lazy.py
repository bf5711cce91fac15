"""A command group that imports a command's module only when that command runs.

``accord --help`` lists every command from ``accord.cli.catalog`` alone, so it starts in a
tenth of a second instead of importing numpy, SQLAlchemy and C2PA for commands not run.
"""

from __future__ import annotations

import importlib
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any

import typer
from typer._click.exceptions import UsageError
from typer.main import get_command_from_info, get_group
from typer.models import CommandInfo

from accord.cli.catalog import CATALOG, Entry
from accord.cli.plain_help import PlainCommand, PlainGroup
from accord.cli.usage import one_line_usage_errors

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter

_ENTRIES = {entry.name: entry for entry in CATALOG}


class LazyGroup(PlainGroup):
    # The root group: every usage error, in it or in a subcommand, passes through these
    # two, and leaves as one line.
    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any
    ) -> Context:
        with one_line_usage_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:
        with one_line_usage_errors():
            return super().invoke(ctx)

    def list_commands(self, ctx: Context) -> list[str]:  # noqa: ARG002 - click's signature
        return list(_ENTRIES)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:  # noqa: ARG002
        entry = _ENTRIES.get(cmd_name)
        if entry is None:
            return None
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load(entry)
        return self.commands[cmd_name]

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:  # noqa: ARG002
        # From the catalog: listing the commands must not import them.
        with formatter.section("Commands"):
            formatter.write_dl([(entry.name, entry.help) for entry in CATALOG])

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as error:
            close = get_close_matches(args[0], list(_ENTRIES)) if args else []
            if close:
                error.message = f"{error.message.rstrip('.')}. Did you mean {close[0]!r}?"
            raise


def load(entry: Entry) -> Command:
    """The click command for a catalog entry, its module imported now."""
    module_name, _, attribute = entry.target.partition(":")
    target = getattr(importlib.import_module(module_name), attribute)
    if isinstance(target, typer.Typer):
        command: Command = get_group(target)
    else:
        info = CommandInfo(name=entry.name, cls=PlainCommand, callback=target)
        command = get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=None)
    command.short_help = entry.help
    command.help = command.help or entry.help
    return command
