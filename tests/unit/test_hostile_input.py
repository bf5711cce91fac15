"""Hostile and broken files: the right error, fast, in bounded memory, library and CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import pytest

from accord.errors import AccordError
from accord.signals.hashing import hash_file

HOSTILE = [
    "riff_bomb_1000.wav",
    "nested_moov_1000.mp4",
    "id3v23_compression_underflow.mp3",
    "sample3.invalid.wav",
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


@pytest.mark.parametrize("name", HOSTILE)
def test_cli_answers_in_bounded_time_and_memory(hostile_files: dict[str, Any], name: str) -> None:
    hostile = hostile_files[name]
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "accord", "hash", str(hostile.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    assert process.stdout is not None
    assert process.stderr is not None
    stdout, stderr = process.stdout.read().decode(), process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == 1
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"accord: error: {hostile.path}: ")
    assert hostile.reason.lower() in lines[0].lower()
    # Interpreter start-up included; ru_maxrss is in kilobytes on Linux.
    assert elapsed < MAX_SECONDS + 1.0
    assert usage.ru_maxrss * 1024 < MAX_PEAK_BYTES
