"""``accord hash bad.mp3 good.jpg``: the bad file is one line, the good one still hashed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from accord.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize("length", range(3, 10))
def test_a_cut_id3_header_is_one_line_and_the_next_file_is_hashed(
    tmp_path: Path, corpus: Path, length: int
) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00"[:length])
    good = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    result = runner.invoke(app, ["hash", "--json", str(bad), str(good)])
    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["file"] == str(bad)
    assert first["error"]["code"] == "media.corrupt"
    assert second["file"] == str(good)
    assert "pdq" in second["signals"]
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"accord: error: {bad}: corrupt or truncated media: ")


def test_an_unforeseen_decoder_error_is_one_line_too(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a decoder raises, the command reports it and goes on: no traceback."""
    real_open = Image.open
    bad = tmp_path / "bad.png"
    bad.write_bytes((corpus / "c2pa" / "libpng-test.png").read_bytes())

    def open_except_the_bad(path: object, *args: object, **kwargs: object) -> Image.Image:
        if Path(str(path)) == bad:
            raise IndexError("tuple index out of range")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Image, "open", open_except_the_bad)
    good = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    result = runner.invoke(app, ["hash", str(bad), str(good)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"accord: error: {bad}: corrupt or truncated media: the png image cannot be decoded "
        "(IndexError in its decoder)\n"
    )
    assert f"{good}\timage (jpeg)" in result.stdout


#: ``accord hash`` in a process of its own, with Pillow failing on the file named first.
BROKEN_DECODER = """
import sys
from PIL import Image
from accord.cli.main import main
real_open, bad = Image.open, sys.argv[2]
def broken(path, *args, **kwargs):
    if str(path) == bad:
        raise IndexError("tuple index out of range")
    return real_open(path, *args, **kwargs)
Image.open = broken
main()
"""


def test_a_real_process_prints_no_traceback(tmp_path: Path, corpus: Path) -> None:
    """Without logging configured, Python prints an error record's traceback to stderr;
    the decode boundary's record must not land over the command's one line."""
    bad = tmp_path / "bad.png"
    bad.write_bytes((corpus / "c2pa" / "libpng-test.png").read_bytes())
    good = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    done = subprocess.run(
        [sys.executable, "-c", BROKEN_DECODER, "hash", str(bad), str(good)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"accord: error: {bad}: corrupt or truncated media: "
        "the png image cannot be decoded (IndexError in its decoder)"
    ]
    assert done.stdout.startswith(f"{good}\timage (jpeg)")
