"""Every command that takes files takes folders too, and reports a file it could not read
the same way: one plain line on stderr, and under ``--json`` one ``{"file", "error"}`` line."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from accord.cli.progress import with_progress
from tests.unit.cli.conftest import accord

BRIDGE = Path("pdq") / "bridge-mods"
#: The commands with ``--json`` that take files.
JSON_FILE_COMMANDS = ("hash", "match", "verify", "assess")


@pytest.fixture
def folder(corpus: Path, tmp_path: Path) -> Path:
    """A photo, a recording in a subfolder, and files that are not media."""
    inbox = tmp_path / "inbox"
    (inbox / "audio").mkdir(parents=True)
    shutil.copy(corpus / BRIDGE / "aaa-orig.jpg", inbox / "photo.jpg")
    shutil.copy(corpus / "c2pa" / "sample1.wav", inbox / "audio" / "speech.wav")
    (inbox / "notes.txt").write_text("not media")
    (inbox / "._photo.jpg").write_bytes(b"\x00\x05\x16\x07 a macOS resource fork")
    return inbox


def file_of(answer: dict[str, Any]) -> str:
    """The file an answer is about: in "file", or in an assessment's "input"."""
    return str(answer["file"] if "file" in answer else answer["input"]["name"])


@pytest.mark.parametrize("command", JSON_FILE_COMMANDS)
def test_a_folder_is_its_media_files_recursively(command: str, folder: Path) -> None:
    code, stdout, stderr = accord(command, "--json", folder)
    assert code == 0, stderr
    answers = [json.loads(line) for line in stdout.splitlines()]
    assert [file_of(answer) for answer in answers] == [
        str(folder / "photo.jpg"),
        str(folder / "audio" / "speech.wav"),
    ]


@pytest.mark.parametrize("command", JSON_FILE_COMMANDS)
def test_one_error_shape_for_every_json_command(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "gone.jpg"
    code, stdout, stderr = accord(command, "--json", missing)
    assert code == 1
    assert json.loads(stdout) == {
        "file": str(missing),
        "error": {"code": "file.unreadable", "detail": "no such file"},
    }
    assert stderr == f"accord: error: {missing}: no such file\n"


def test_sign_reports_a_missing_file_in_one_plain_line(corpus: Path, tmp_path: Path) -> None:
    assert accord("issuer", "create", "ec", "--organization", "EC")[0] == 0
    photo, missing = tmp_path / "photo.jpg", tmp_path / "gone.jpg"
    shutil.copy(corpus / BRIDGE / "aaa-orig.jpg", photo)
    code, stdout, stderr = accord("sign", missing, photo, "--issuer", "ec")
    assert code == 1
    assert stderr == f"accord: error: {missing}: no such file\n"  # no blank line, no [Errno 2]
    assert [line.split("\t")[:2] for line in stdout.splitlines()] == [
        [str(photo), str(tmp_path / "photo.signed.jpg")]
    ]  # results only: no progress bar among them


def test_sign_names_an_unknown_issuer_once(corpus: Path) -> None:
    photos = [corpus / BRIDGE / "aaa-orig.jpg", corpus / BRIDGE / "blur-a-little.jpg"]
    code, stdout, stderr = accord("sign", *photos, "--issuer", "nobody")
    assert (code, stdout, stderr) == (1, "", "accord: error: no issuer named nobody\n")


def test_several_html_reports_are_named(corpus: Path, tmp_path: Path) -> None:
    photos = [corpus / "c2pa" / "XCA.jpg", corpus / "c2pa" / "C.jpg"]
    report = tmp_path / "r.html"
    code, _, stderr = accord("assess", *photos, "--html", report)
    assert code == 0, stderr
    assert stderr.splitlines() == [
        f"{photos[0]}: report written to {tmp_path / 'r-XCA.html'}",
        f"{photos[1]}: report written to {tmp_path / 'r-C.html'}",
    ]
    assert not report.exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_progress_shows_on_stderr_only_when_results_go_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for stdout, shown in ((Terminal(), False), (Pipe(), True)):
        stderr = Terminal()
        monkeypatch.setattr(sys, "stdout", stdout)
        monkeypatch.setattr(sys, "stderr", stderr)
        assert list(with_progress([1, 2, 3], "signing")) == [1, 2, 3]
        assert ("signing" in stderr.getvalue()) is shown
        assert stdout.getvalue() == ""
    log = Pipe()
    monkeypatch.setattr(sys, "stderr", log)
    assert list(with_progress([1], "signing")) == [1]
    assert log.getvalue() == ""  # nobody watches a log file fill


def test_a_folder_without_media_among_files_is_a_warning(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not media")
    photo = corpus / BRIDGE / "aaa-orig.jpg"
    code, stdout, stderr = accord("hash", "--json", tmp_path, photo)
    assert code == 0
    assert [json.loads(line)["file"] for line in stdout.splitlines()] == [str(photo)]
    assert stderr == f"accord: warning: {tmp_path}: no media files in this folder\n"


def test_only_folders_without_media_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("not media")
    code, stdout, stderr = accord("hash", tmp_path / "a", tmp_path / "b")
    assert (code, stdout) == (1, "")
    assert stderr == f"accord: error: no media files in {tmp_path / 'a'}, {tmp_path / 'b'}\n"
