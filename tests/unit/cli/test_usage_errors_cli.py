"""Usage errors (an unknown option or command, a missing argument, a bad value) read like
every other accord error: one line, naming where to look, exit status 2 as click's."""

from __future__ import annotations

import pytest

from tests.unit.cli.conftest import accord


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("hash", "--jsn", "x.jpg"),
            "no such option: --jsn; did you mean --json? (see 'accord hash --help')",
        ),
        (("hash",), "missing argument 'FILES' (see 'accord hash --help')"),
        (
            ("key", "create", "robot", "--scope", "hash", "--rate-limit", "0"),
            "invalid value for '--rate-limit': input should be greater than or equal to 1"
            " (see 'accord key create --help')",
        ),
        (
            ("verfy", "x.jpg"),
            "no such command 'verfy'; did you mean 'verify'? (see 'accord --help')",
        ),
        (
            ("bank", "lst"),
            "no such command 'lst'; did you mean 'list'? (see 'accord bank --help')",
        ),
        (("--bogus",), "no such option: --bogus (see 'accord --help')"),
    ],
)
def test_a_usage_error_is_one_line(args: tuple[str, ...], line: str) -> None:
    code, stdout, stderr = accord(*args)
    assert (code, stdout, stderr) == (2, "", f"accord: error: {line}\n")


def test_a_group_run_bare_still_shows_its_help() -> None:
    code, _, stderr = accord("bank")
    assert code == 2
    assert stderr.startswith("Usage: accord bank [OPTIONS] COMMAND")
