"""Help that reads like a Unix tool's: ``--issuer TEXT`` and ``FILES...``, not Python types.

Typer's own help names every value by its annotation (``<bool>``, ``<list[Path]>``) and its
rich panels cost a fifth of a second to import; these classes print click's plain, reflowed
help with value names a person knows.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

if TYPE_CHECKING:
    from typer._click import Context, HelpFormatter, Parameter
    from typer.models import CommandFunctionType

#: How a value is named in help, by its Python type.
VALUE_NAMES: dict[Any, str] = {
    str: "TEXT",
    int: "INTEGER",
    float: "NUMBER",
    Path: "PATH",
    datetime: "TIME",
}


class PlainCommand(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_values(self.params)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                label = argument_label(param)
                pieces.append(label if param.required else f"[{label}]")
        return pieces

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append((argument_label(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class PlainGroup(TyperGroup):
    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, summary(command.short_help or command.help or "")))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class Commands(typer.Typer):
    """A group of subcommands with plain help; its help line is in ``accord.cli.catalog``."""

    def __init__(self, **options: Any) -> None:
        super().__init__(cls=PlainGroup, no_args_is_help=True, rich_markup_mode=None, **options)

    def command(  # the same options, with PlainCommand as the default class
        self, name: str | None = None, **options: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        options.setdefault("cls", PlainCommand)
        return super().command(name, **options)


def summary(help_text: str) -> str:
    """A command's help in a list of commands: its first paragraph, on one line."""
    return " ".join(inspect.cleandoc(help_text).split("\n\n")[0].split())


def argument_label(param: TyperArgument) -> str:
    return f"{param.metavar}..." if param.nargs != 1 else str(param.metavar)


def name_values(params: list[Parameter]) -> None:
    """Give each argument and valued option a metavar: its name, or its value's kind."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.secondary_opts:
            # Not "--exact / --no-exact [default: no-exact]": a flag is off unless its help
            # says it is on by default.
            param.show_default = False
        if param.metavar is not None:
            continue
        if isinstance(param, TyperArgument):
            param.metavar = (param.name or "value").upper()
        elif isinstance(param, TyperOption) and not (param.is_flag or param.count):
            annotation: Any = param.type_descriptor.annotation
            if get_origin(annotation) is list:
                annotation = get_args(annotation)[0]
            param.metavar = VALUE_NAMES.get(annotation, "VALUE")
