"""``accord``: hash media, run the service, manage its database.

Commands are listed in ``accord.cli.catalog`` and imported only when run, so that
``accord --help`` stays fast.
"""

from __future__ import annotations

import sys

import typer

from accord.cli.lazy import LazyGroup

app = typer.Typer(
    name="accord",
    cls=LazyGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def accord() -> None:
    """Defend elections against deceptive AI content."""


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
