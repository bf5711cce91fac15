"""Hostile and broken files: the right error, fast, in bounded memory, library and CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from accord.errors import AccordError
from accord.signals.hashing import hash_file

HOSTILE = [
    "riff_bomb_1000.wav",
    "nested_moov_1000.mp4",
    "id3v23_compression_underflow.mp3",
    "sample3.invalid.wav",
    "short-id3.mp3",
    "no-stsd.mp4",
    "pixel-bomb.png",
    "truncated.jpg",
    "empty.jpg",
    "random.bin",
]
MAX_SECONDS = 2.0
MAX_PEAK_BYTES = 500 * 1024 * 1024


@pytest.mark.parametrize("name", HOSTILE)
def test_library_raises_the_right_error(hostile_files: dict[str, Any], name: str) -> None:
    hostile = hostile_files[name]
    started = time.monotonic()
    with pytest.raises(AccordError) as raised:
        hash_file(hostile.path)
    assert time.monotonic() - started < MAX_SECONDS
    assert raised.value.code == hostile.code
    assert hostile.reason.lower() in raised.value.detail.lower()


#: Runs a command and writes its exit code and peak memory to a file. Linux carries the
#: peak RSS across fork and exec, so a child forked straight from a large pytest process
#: would report pytest's memory; forking from this small launcher measures the command.
LAUNCHER = """
import json, os, sys
report, command = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execv(command[0], command)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as out:
    json.dump([os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024], out)
"""


@pytest.mark.parametrize("name", HOSTILE)
def test_cli_answers_in_bounded_time_and_memory(
    hostile_files: dict[str, Any], name: str, tmp_path: Path
) -> None:
    hostile = hostile_files[name]
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "accord", "hash", str(hostile.path)]
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(report), *command],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.monotonic() - started
    exit_code, peak_bytes = json.loads(report.read_text())
    assert exit_code == 1
    assert finished.stdout == ""
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1, finished.stderr
    assert lines[0].startswith(f"accord: error: {hostile.path}: ")
    assert hostile.reason.lower() in lines[0].lower()
    # Two interpreter start-ups are included in the time (importing numpy and typer takes
    # over a second on a loaded two-core runner).
    assert elapsed < MAX_SECONDS + 3.0
    assert peak_bytes < MAX_PEAK_BYTES
