"""Synthetic speech and the conditions it is degraded with: rate, length, SNR, and the
same output for the same seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from accord.errors import BadRequest, ReportError
from accord.media.audio import AudioClip
from accord.speech import synthetic
from accord.speech.synthetic import (
    CONDITIONS,
    PHONE_RATE,
    SAMPLE_RATE,
    apply_condition,
    load_speech,
    snr_db,
    speak,
    write_wav,
)

SENTENCE = "Attention voters: the election has been postponed to Monday."


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> AudioClip:
    folder = tmp_path_factory.mktemp("speech")
    return load_speech(speak(SENTENCE, "en", folder / "clean.wav"))


def test_espeak_speaks_each_language_and_variant(tmp_path: Path) -> None:
    for language in ("en", "nl", "fr", "de"):
        clip = load_speech(speak("Stemmen, voter, wählen.", language, tmp_path / f"{language}.wav"))
        assert clip.sample_rate == SAMPLE_RATE
        assert 0.5 < clip.duration < 5
        assert float(np.max(np.abs(clip.samples))) > 0.1
    slow = load_speech(speak(SENTENCE, "en", tmp_path / "slow.wav", voice_variant="f3", rate=110))
    fast = load_speech(speak(SENTENCE, "en", tmp_path / "fast.wav", rate=220))
    assert slow.duration > 1.5 * fast.duration


def test_a_missing_espeak_is_one_readable_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("accord.speech.synthetic.shutil.which", lambda name: None)
    with pytest.raises(ReportError, match=r"espeak-ng is needed.*apt-get install"):
        speak(SENTENCE, "en", tmp_path / "x.wav")


def test_a_voice_espeak_does_not_know_is_one_readable_error(tmp_path: Path) -> None:
    with pytest.raises(BadRequest) as caught:
        speak(SENTENCE, "xx", tmp_path / "x.wav")
    assert caught.value.detail == (
        "espeak-ng cannot speak 'xx' with the voice 'xx': "
        "Error: The specified espeak-ng voice does not exist."
    )
    with pytest.raises(ReportError, match="espeak-ng wrote no speech to"):
        speak(SENTENCE, "en", tmp_path / "no-such-folder" / "x.wav")


@pytest.mark.parametrize("condition", CONDITIONS)
def test_every_condition_keeps_the_length_and_is_deterministic(
    clean: AudioClip, condition: str
) -> None:
    heard = apply_condition(clean, condition, seed=3)
    rate = PHONE_RATE if condition == "phone" else SAMPLE_RATE
    assert heard.sample_rate == rate
    assert heard.samples.dtype == np.float32
    assert abs(heard.duration - clean.duration) < 0.01
    assert float(np.max(np.abs(heard.samples))) <= 1.0
    again = apply_condition(clean, condition, seed=3)
    assert np.array_equal(heard.samples, again.samples)


@pytest.mark.parametrize(("condition", "snr"), [("noise", 10.0), ("music", 5.0)])
def test_added_sound_lies_at_its_snr(clean: AudioClip, condition: str, snr: float) -> None:
    mixed = apply_condition(clean, condition, seed=1).samples.astype(np.float64)
    speech = clean.samples.astype(np.float64)
    # The mix may be scaled down as a whole to avoid clipping: undo that scale first.
    scale = float(np.dot(mixed, speech) / np.dot(speech, speech))
    added = mixed / scale - speech
    assert snr_db(speech, added) == pytest.approx(snr, abs=0.5)
    other_seed = apply_condition(clean, condition, seed=2).samples
    assert (condition == "music") == np.array_equal(mixed.astype(np.float32), other_seed)


def test_pink_noise_has_more_power_low_than_high() -> None:
    noise = synthetic.pink_noise(SAMPLE_RATE * 2, seed=0)
    power = np.abs(np.fft.rfft(noise)) ** 2
    frequencies = np.fft.rfftfreq(len(noise), d=1 / SAMPLE_RATE)
    low = power[(frequencies > 100) & (frequencies < 200)].mean()
    high = power[(frequencies > 4000) & (frequencies < 4100)].mean()
    assert low > 10 * high  # 1/f: about 27 times between those bands


def test_the_phone_line_removes_what_is_outside_its_band() -> None:
    tones = AudioClip(_tones((100.0, 1000.0, 5000.0), SAMPLE_RATE, 1.0), SAMPLE_RATE)
    line = apply_condition(tones, "phone").samples.astype(np.float64)
    spectrum = np.abs(np.fft.rfft(line))
    frequencies = np.fft.rfftfreq(len(line), d=1 / PHONE_RATE)

    def level(hz: float) -> float:
        return float(spectrum[np.argmin(np.abs(frequencies - hz))])

    assert level(1000.0) > 50 * level(100.0)
    # 5 kHz cannot exist at 8 kHz; nor may it fold back to 3 kHz.
    assert level(1000.0) > 50 * level(3000.0)


def test_mp3_keeps_the_speech_in_time(clean: AudioClip) -> None:
    heard = apply_condition(clean, "mp3").samples.astype(np.float64)
    speech = clean.samples.astype(np.float64)
    # Aligned (the encoder delay is dropped) and lossy but close: SNR of the coding error.
    assert 8.0 < snr_db(speech, heard - speech) < 40.0


def test_write_wav_round_trips(clean: AudioClip, tmp_path: Path) -> None:
    phone = apply_condition(clean, "phone")
    path = write_wav(phone, tmp_path / "phone.wav")
    back = load_speech(path)  # read back at 16 kHz
    assert back.sample_rate == SAMPLE_RATE
    assert abs(back.duration - phone.duration) < 0.01


def test_an_unknown_condition_or_rate_is_refused(clean: AudioClip) -> None:
    with pytest.raises(ValueError, match="unknown condition 'radio'"):
        apply_condition(clean, "radio")
    with pytest.raises(ValueError, match="16000 Hz"):
        apply_condition(AudioClip(clean.samples, 8000), "clean")


def _tones(hz: tuple[float, ...], rate: int, seconds: float) -> NDArray[np.float32]:
    t = np.arange(int(rate * seconds)) / rate
    total = np.zeros_like(t)
    for f in hz:
        total += np.sin(2 * np.pi * f * t)
    return (total / (len(hz) + 1)).astype(np.float32)
