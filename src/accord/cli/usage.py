"""Usage errors in accord's one-line form, not click's three lines.

``accord: error: no such option: --jsn; did you mean --json? (see 'accord hash --help')``
reads like every other accord error, where click would print the usage line, a hint and
``Error: ...`` on three; the exit status stays click's 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

import typer
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)

if TYPE_CHECKING:
    from typer._click import Context


class OneLineUsageError(ClickException):
    exit_code = 2

    def __init__(self, line: str) -> None:
        super().__init__(line)

    def show(self, file: IO[Any] | None = None) -> None:  # noqa: ARG002 - always stderr
        typer.echo(self.message, err=True)


@contextmanager
def one_line_usage_errors() -> Iterator[None]:
    """Turn the usage errors raised within into one-line ones."""
    try:
        yield
    except NoArgsIsHelpError:  # a group run bare: its help is the answer
        raise
    except UsageError as error:
        raise OneLineUsageError(one_line(error)) from None


def one_line(error: UsageError) -> str:
    message = _message(error).rstrip(".").replace(". Did you mean", "; did you mean")
    message = message[:1].lower() + message[1:]
    return f"accord: error: {message} (see '{command_path(error.ctx)} --help')"


def _message(error: UsageError) -> str:
    if isinstance(error, NoSuchOption) and error.possibilities:
        # Not click's "(Possible options: --json)": a question, like a mistyped command's.
        return f"{error.message}; did you mean {' or '.join(sorted(error.possibilities))}?"
    if isinstance(error, BadParameter):  # "...: Input should be", mid-line
        error.message = error.message[:1].lower() + error.message[1:]
    return error.format_message()


def command_path(ctx: Context | None) -> str:
    """``accord bank add``, whatever name the program was started by."""
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["accord", *reversed(names)])
