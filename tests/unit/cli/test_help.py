"""Every command's ``--help`` reads cleanly: value names, not Python types; no RST markup;
paragraphs reflowed, not broken where the docstring's lines were."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer._click import Context
from typer.core import TyperGroup

from accord.cli.catalog import CATALOG
from accord.cli.main import app
from accord.cli.signing import SOURCE_TYPES
from accord.provenance.signing import SourceType
from tests.unit.cli.conftest import accord

#: How Typer names values by their Python type: ``<bool>``, ``<list[Path]>``, ``<int range>``.
PYTHON_TYPES = re.compile(r"<(bool|str|int|float|path|datetime|list\[)")
SECTIONS = ("Arguments:", "Options:", "Commands:")


def every_command() -> list[tuple[str, ...]]:
    root = typer.main.get_command(app)
    context = Context(root)
    found: list[tuple[str, ...]] = [()]
    for entry in CATALOG:
        command = root.get_command(context, entry.name)  # type: ignore[attr-defined]
        found.append((entry.name,))
        if isinstance(command, TyperGroup):
            found += [(entry.name, name) for name in command.list_commands(context)]
    return found


COMMANDS = every_command()


def description(help_text: str) -> list[list[str]]:
    """The paragraphs between the usage line and the first section, as lists of lines."""
    lines = help_text.splitlines()
    end = next((i for i, line in enumerate(lines) if line in SECTIONS), len(lines))
    paragraphs = "\n".join(lines[1:end]).strip().split("\n\n")
    return [paragraph.splitlines() for paragraph in paragraphs if paragraph]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "accord")
def test_help_reads_cleanly(command: tuple[str, ...]) -> None:
    code, stdout, stderr = accord(*command, "--help")
    assert (code, stderr) == (0, "")
    assert not PYTHON_TYPES.search(stdout), stdout
    assert "``" not in stdout
    assert "{" not in stdout.splitlines()[0]  # "FILES...", not "{files}..."
    for paragraph in description(stdout):
        for line in paragraph[:-1]:
            # A reflowed line is cut near the width (78); one cut far shorter was broken
            # where the docstring's line ended.
            assert len(line) > 60, f"a line broken mid-sentence: {line!r}\n{stdout}"


def test_the_command_list_is_the_catalog_one_line_each() -> None:
    code, stdout, _ = accord("--help")
    assert code == 0
    listed = stdout.split("Commands:\n")[1].splitlines()
    assert [line.split()[0] for line in listed] == [entry.name for entry in CATALOG]
    for entry, line in zip(CATALOG, listed, strict=True):
        assert line.split(None, 1)[1] == entry.help
        assert entry.help.endswith((".", "...")), entry.name


def test_flags_are_named_without_a_type_and_values_by_their_kind() -> None:
    _, stdout, _ = accord("bank", "create", "--help")
    assert "Usage: accord bank create [OPTIONS] NAME" in stdout
    assert re.search(r"\n  --disabled / --no-disabled +Create it switched off\.\n", stdout)
    assert "  --ratio NUMBER " in stdout
    assert "  --threshold TEXT " in stdout
    _, stdout, _ = accord("verify", "--help")
    assert "Usage: accord verify [OPTIONS] FILES..." in stdout
    assert "  --anchors PATH " in stdout


def test_a_mistyped_command_gets_a_suggestion() -> None:
    code, _, stderr = accord("verfy", "x.jpg")
    assert code == 2
    assert "no such command 'verfy'; did you mean 'verify'?" in stderr


def test_the_source_types_in_signs_help_are_the_real_ones() -> None:
    assert SOURCE_TYPES.split(", ") == [kind.name.lower() for kind in SourceType]
