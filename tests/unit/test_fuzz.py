"""The fuzz targets run briefly in every ``make test``; ``make fuzz`` runs them longer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fuzz.__main__ import NAMES
from fuzz.targets import TARGETS, Harness, Unforeseen

from accord.errors import CorruptMedia
from accord.media.boundary import decoding

REPO = Path(__file__).resolve().parents[2]
#: Inputs per target: the seeds and a few hundred mutations, seconds in all.
RUNS = 400


def test_every_parser_has_a_target() -> None:
    assert set(TARGETS) == set(NAMES)
    assert set(NAMES) == {
        "sniff", "structure", "image", "audio", "video", "metadata", "credentials"
    }  # fmt: skip


def test_the_harness_fails_on_any_exception_but_accord_errors(tmp_path: Path) -> None:
    def refuses(_path: Path) -> None:
        raise CorruptMedia("refused")

    def crashes(_path: Path) -> None:
        raise IndexError("out of range")

    def contained(_path: Path) -> None:
        with decoding("image"):
            raise AttributeError("a decoder's bug the boundary hides")

    Harness(refuses)(b"data")  # the contract holds
    with pytest.raises(IndexError):
        Harness(crashes)(b"data")
    with pytest.raises(Unforeseen, match="AttributeError"):
        Harness(contained)(b"data")


@pytest.mark.slow
def test_every_target_holds_the_contract_for_a_few_hundred_inputs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fuzz", "--runs", str(RUNS), "--workdir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name in NAMES:
        assert f"{name}: ok" in done.stdout
        assert any((tmp_path / name / "seeds").iterdir())  # seeds made, corpus or not
