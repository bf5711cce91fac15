"""Transcribing files: long ones sampled with true times; files without sound refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.errors import UnsupportedMedia
from accord.speech.engines import SpeechEngine
from accord.speech.transcribe import SILENCE_RMS, has_sound, transcribe
from tests.speech import speak
from tests.unit.speech.conftest import (
    RATE,
    matroska_stating,
    media,
    read_wav,
    resampled,
    write_wav,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def long_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100 s: a sentence at 2 s and one at 75 s (heard under a 60 s cap), and one at 45 s
    (in the stretch a 60 s cap leaves out)."""
    folder = tmp_path_factory.mktemp("long")
    track = np.zeros(100 * RATE, np.float32)
    for at, text in [
        (2.0, "The election has been postponed to Monday."),
        (45.0, "The ballots are counted tonight."),
        (75.0, "You can vote by text message."),
    ]:
        samples, rate = read_wav(speak(folder, f"at{at:.0f}", "en", text))
        clip = resampled(samples, rate)
        track[round(at * RATE) : round(at * RATE) + len(clip)] = clip
    return write_wav(folder / "long.wav", track)


def test_a_long_file_is_sampled_and_times_are_the_files(
    whisper: SpeechEngine, long_recording: Path
) -> None:
    transcript = transcribe(media(long_recording), whisper, max_seconds=60.0)
    assert transcript.duration == pytest.approx(100.0)
    assert transcript.heard == ((0.0, 30.0), (70.0, 100.0))
    assert transcript.sampled
    text = transcript.text.lower()
    assert "postponed" in text
    assert "text message" in text
    assert "counted" not in text  # said where nobody listened
    first, last = transcript.segments[0], transcript.segments[-1]
    assert first.start == pytest.approx(2.0, abs=1.0)
    assert last.start == pytest.approx(75.0, abs=1.0)  # shifted by its window's start
    assert all(s.start >= 70.0 and s.end <= 100.0 for s in transcript.segments if s.start > 30)


def test_a_container_that_states_less_than_it_holds_is_heard_whole(
    whisper: SpeechEngine, tmp_path: Path
) -> None:
    # It states 3 s and holds 14: the sentence at 8 s was never heard, and the transcript
    # said the whole file was.
    samples, rate = read_wav(speak(tmp_path, "late", "en", "You can vote by text message."))
    track = np.zeros(14 * RATE, np.float32)
    clip = resampled(samples, rate)
    track[8 * RATE : 8 * RATE + len(clip)] = clip
    transcript = transcribe(media(matroska_stating(tmp_path / "lie.mka", track, 3.0)), whisper)
    assert transcript.duration == pytest.approx(14.0, abs=0.05)
    assert transcript.heard == ((0.0, transcript.duration),)
    assert not transcript.sampled
    assert "text message" in transcript.text.lower()
    assert transcript.segments[0].start == pytest.approx(8.0, abs=1.0)


def test_a_short_quiet_sentence_in_a_long_silence_is_sound() -> None:
    # 0.5 s at four times the threshold in 60 s: the window's RMS is a tenth of it.
    quiet = np.zeros(60 * RATE, np.float32)
    t = np.arange(RATE // 2) / RATE
    quiet[30 * RATE : 30 * RATE + len(t)] = 4 * SILENCE_RMS * np.sqrt(2) * np.sin(880 * t)
    assert float(np.sqrt(np.mean(np.square(quiet, dtype=np.float64)))) < SILENCE_RMS
    assert has_sound(quiet)
    assert has_sound(quiet[: 30 * RATE + 1000])  # in the last, shorter frame
    assert not has_sound(np.zeros(60 * RATE, np.float32))
    hum = np.full(60 * RATE, SILENCE_RMS / 2, np.float32)  # a floor under the threshold
    assert not has_sound(hum)
    assert not has_sound(np.zeros(0, np.float32))


def test_a_file_without_sound_is_unsupported(whisper: SpeechEngine, tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "photo.png"
    Image.new("RGB", (16, 16)).save(path)
    with pytest.raises(UnsupportedMedia):
        transcribe(media(path), whisper)


def test_no_language_and_no_candidates_is_a_programming_error(
    whisper: SpeechEngine, voices: dict[str, Path]
) -> None:
    with pytest.raises(ValueError, match="language"):
        transcribe(media(voices["en"]), whisper, candidates=())


def test_the_command_prints_timed_lines(whisper: SpeechEngine, voices: dict[str, Path]) -> None:
    result = runner.invoke(app, ["transcribe", str(voices["en"]), "--language", "en"])
    assert result.exit_code == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    assert re.fullmatch(
        rf"{re.escape(str(voices['en']))}: en, 0:0\d\.\d \(whisper, whisper-base-int8\)", header
    )
    assert lines
    assert all(line.startswith("[0:0") and "\u2013" in line for line in lines)
    assert "postponed" in result.stdout.lower()


def test_the_command_says_when_it_sampled(whisper: SpeechEngine, long_recording: Path) -> None:
    result = runner.invoke(app, ["transcribe", str(long_recording), "--max-seconds", "60"])
    assert result.exit_code == 0, result.stderr
    note = "note: sampled: heard 1:00.0 of 1:40.0 (0:00.0\u20130:30.0, 1:10.0\u20131:40.0)"
    assert result.stdout.splitlines()[1] == note
    assert result.stdout.splitlines()[-1].startswith("[1:1")  # the file's time, not the window's


def test_the_command_prints_json(whisper: SpeechEngine, voices: dict[str, Path]) -> None:
    result = runner.invoke(app, ["transcribe", str(voices["fr"]), "--json", "--language", "FR"])
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["file"] == str(voices["fr"])
    assert answer["language"] == "fr"
    assert answer["sampled"] is False
    assert answer["segments"]
    assert set(answer["segments"][0]) == {"start", "end", "text"}


def test_a_bad_file_is_one_readable_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"ID3" + bytes(64))
    result = runner.invoke(app, ["transcribe", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"accord: error: {bad}: ")
    assert len(result.stderr.splitlines()) == 1
    missing = runner.invoke(app, ["transcribe", str(tmp_path / "nope.wav"), "--json"])
    assert missing.exit_code == 1
    assert json.loads(missing.stdout)["error"]["detail"] == "no such file"
