"""Speech recognition's cost: the real-time factor on one core of Whisper base (int8,
faster-whisper) beside pocketsphinx (the peer: small, English only, weak) on the same
English clips, each engine's load time and peak memory, the time the spoken-claims
producer adds to assessing a short video, and the cap on what is heard (a 10-minute file
is sampled to ``--max-seconds``, so it costs about what a 2-minute one does).

Every measurement runs in its own child process pinned to CPU 0 with one OpenMP thread
(``taskset``, ``OMP_NUM_THREADS=1``), so peak RSS (``getrusage``) is that engine's alone.

- RTF: ``accord.speech.transcribe.transcribe`` (decode included, language given as
  English, the election prompts of the red-team context) over ``--clips`` English clips
  of about 30 s, each six sentences of the speech evaluation set read by espeak-ng;
  after one warm-up pass, the median over ``--runs`` passes of (seconds spent / seconds of
  audio). The ratio is Whisper's RTF over pocketsphinx's.
- Load: seconds from nothing loaded to the engine ready (``load_engine``), and the
  process's peak RSS at the end, beside an interpreter that imported the same modules.
- Video: a 10 s MP4 (H.264, AAC; espeak-ng speech over generated frames) assessed with
  ``assess_file`` with and without the claims producers (``claims=ClaimsSetup(...)``);
  median of ``--runs`` after a warm-up (models loaded), and the difference.
- Cap: ``transcribe`` of a 2-minute and a 10-minute recording (sentences and pauses
  looped) with ``max_seconds`` 120; one timed pass each after the warm-up.

The speech is synthetic (espeak-ng): real recordings are denser and noisier.

Run: ``python benchmarks/speech.py [--runs 3] [--clips 3] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

from one_core import on_one_core

REPO = Path(__file__).resolve().parents[1]
SAMPLE_RATE = 16_000
#: Seconds of silence between sentences in the clips.
PAUSE = 0.4
VIDEO_SECONDS = 10.0
CAP_SECONDS = 120.0


# --- media ----------------------------------------------------------------------------


def english_sentences() -> list[str]:
    from accord.speech.evaluation import load_set

    return [s.text for s in load_set() if s.language == "en"]


def speech_track(sentences: list[str], folder: Path, seconds: float | None = None) -> Any:
    """The sentences read by espeak-ng with pauses between them, looped to ``seconds``."""
    from accord.media.audio import AudioClip
    from accord.speech.synthetic import load_speech, speak

    pause = np.zeros(int(PAUSE * SAMPLE_RATE), dtype=np.float32)
    parts: list[np.ndarray] = []
    for index, text in enumerate(sentences):
        clip = load_speech(speak(text, "en", folder / f"s{index}.wav"))
        parts += [clip.samples, pause]
    samples = np.concatenate(parts)
    if seconds is not None:
        repeats = int(np.ceil(seconds * SAMPLE_RATE / len(samples)))
        samples = np.tile(samples, repeats)[: int(seconds * SAMPLE_RATE)]
    return AudioClip(samples, SAMPLE_RATE)


def make_clips(folder: Path, count: int) -> list[Path]:
    from accord.speech.synthetic import write_wav

    sentences = english_sentences()
    return [
        write_wav(speech_track(sentences[6 * i : 6 * i + 6], folder), folder / f"clip{i}.wav")
        for i in range(count)
    ]


def make_video(folder: Path) -> Path:
    """An MP4 of ``VIDEO_SECONDS``: a lie read by espeak-ng over moving colour frames."""
    import av

    speech = speech_track(
        [
            "Attention voters: the local elections of Sunday 13 October have been "
            "postponed to Monday 14 October.",
            "This year you can vote by SMS.",
        ],
        folder,
    )
    samples = np.zeros(int(VIDEO_SECONDS * SAMPLE_RATE), dtype=np.float32)
    samples[: min(len(samples), len(speech.samples))] = speech.samples[: len(samples)]
    path = folder / "robocall.mp4"
    fps = 25
    with av.open(str(path), mode="w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        audio = container.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        for index in range(int(VIDEO_SECONDS * fps)):
            pixels = np.zeros((240, 320, 3), dtype=np.uint8)
            pixels[:, :, 0] = (index * 3) % 256
            pixels[60:180, (index * 4) % 200 : (index * 4) % 200 + 120, 1] = 200
            for packet in video.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        step = 1024
        for start in range(0, len(samples), step):
            frame = av.AudioFrame.from_ndarray(
                samples[np.newaxis, start : start + step], format="flt", layout="mono"
            )
            frame.sample_rate = SAMPLE_RATE
            frame.pts = start
            for packet in audio.encode(frame):
                container.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode(None):
                container.mux(packet)
    return path


# --- measurements (each in a child) ---------------------------------------------------


def child(task: str, *args: Any) -> dict[str, Any]:
    """Run ``task(*args)`` of this module in a child pinned to one CPU; its JSON answer."""
    return on_one_core("speech", task, *args)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rtf_task(engine_name: str, clips: list[str], runs: int) -> dict[str, Any]:
    from accord.claims.redteam import SHIPPED_CONTEXT, load_context
    from accord.claims.spoken import prompts_for
    from accord.media.file import open_media
    from accord.speech.engines import load_engine
    from accord.speech.transcribe import transcribe

    prompts = prompts_for(load_context(SHIPPED_CONTEXT))
    media = [open_media(Path(clip)) for clip in clips]
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    engine = load_engine(engine_name)
    load_seconds = time.perf_counter() - started

    def one_pass() -> tuple[float, float]:
        spent = audio = 0.0
        for item in media:
            begun = time.perf_counter()
            transcript = transcribe(item, engine, language="en", prompts=prompts)
            spent += time.perf_counter() - begun
            audio += transcript.duration
        return spent, audio

    one_pass()  # warm-up: first-call allocations, caches
    passes = [one_pass() for _ in range(runs)]
    return {
        "engine": engine_name,
        "model": engine.model,
        "audio_seconds": round(passes[0][1], 1),
        "rtf_median": median(spent / audio for spent, audio in passes),
        "rtf_runs": [round(spent / audio, 4) for spent, audio in passes],
        "load_seconds": load_seconds,
        "rss_before_load_mib": rss_before,
        "peak_rss_mib": peak_rss_mib(),
    }


def assess_task(video: str, runs: int) -> dict[str, Any]:
    from accord.assessment.pipeline import assess_file
    from accord.assessment.producers import ClaimsSetup
    from accord.claims.redteam import SHIPPED_CONTEXT, load_context

    setup = ClaimsSetup(load_context(SHIPPED_CONTEXT), engine="whisper")

    def timed(claims: ClaimsSetup | None) -> tuple[float, Any]:
        begun = time.perf_counter()
        assessment = assess_file(Path(video), claims=claims)
        return time.perf_counter() - begun, assessment

    _, plain_first = timed(None)
    _, with_claims = timed(setup)  # warm-up: the Whisper model and the classifier load
    plain = [timed(None)[0] for _ in range(runs)]
    spoken = [timed(setup)[0] for _ in range(runs)]
    claims = with_claims.to_json().get("claims", [])
    return {
        "without_claims_median": median(plain),
        "with_claims_median": median(spoken),
        "added_median": median(spoken) - median(plain),
        "claims_found": [claim["category"] for claim in claims],
        "band": str(plain_first.band),
    }


def cap_task(short: str, long: str, max_seconds: float) -> dict[str, Any]:
    from accord.media.file import open_media
    from accord.speech.engines import load_engine
    from accord.speech.transcribe import transcribe

    engine = load_engine("whisper")
    answer: dict[str, Any] = {"max_seconds": max_seconds}
    for name, path in (("short", short), ("long", long)):
        media = open_media(Path(path))
        begun = time.perf_counter()
        transcript = transcribe(media, engine, language="en", max_seconds=max_seconds)
        answer[name] = {
            "seconds": time.perf_counter() - begun,
            "duration": transcript.duration,
            "heard": sum(end - start for start, end in transcript.heard),
            "windows": len(transcript.heard),
            "sampled": transcript.sampled,
        }
    return answer


# --- the run --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed passes (median)")
    parser.add_argument("--clips", type=int, default=3, help="English clips of ~30 s")
    parser.add_argument("--max-seconds", type=float, default=CAP_SECONDS)
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    args = parser.parse_args()
    if args.runs < 3:  # a median of fewer says little
        sys.exit("--runs must be at least 3")

    from accord.speech.synthetic import write_wav

    with tempfile.TemporaryDirectory(prefix="accord-speech-bench-") as scratch:
        folder = Path(scratch)
        clips = [str(path) for path in make_clips(folder, args.clips)]
        engines = {name: child("rtf_task", name, clips, args.runs) for name in ENGINES}
        video = child("assess_task", str(make_video(folder)), args.runs)
        sentences = english_sentences()
        short = write_wav(speech_track(sentences, folder, 120.0), folder / "two.wav")
        long = write_wav(speech_track(sentences, folder, 600.0), folder / "ten.wav")
        cap = child("cap_task", str(short), str(long), args.max_seconds)
    figures = {
        "engines": engines,
        "rtf_ratio_whisper_over_pocketsphinx": engines["whisper"]["rtf_median"]
        / engines["pocketsphinx"]["rtf_median"],
        "video": video,
        "cap": cap,
        "speech": "synthetic (espeak-ng), not real speech",
    }
    if args.json:
        print(json.dumps(figures))
        return
    print_table(figures, args.runs)


ENGINES = ("whisper", "pocketsphinx")


def print_table(figures: dict[str, Any], runs: int) -> None:
    engines = figures["engines"]
    audio = engines["whisper"]["audio_seconds"]
    print(f"One core, {audio:.0f} s of English espeak-ng speech, median of {runs} passes")
    print(f"{'engine':14}{'model':26}{'RTF':>8}{'load s':>9}{'peak RSS MiB':>14}{'before':>8}")
    for name, r in engines.items():
        print(
            f"{name:14}{r['model']:26}{r['rtf_median']:8.3f}{r['load_seconds']:9.2f}"
            f"{r['peak_rss_mib']:14.0f}{r['rss_before_load_mib']:8.0f}"
        )
    print(f"Whisper's RTF / pocketsphinx's: {figures['rtf_ratio_whisper_over_pocketsphinx']:.1f}x")
    video = figures["video"]
    print()
    print(f"Assessing a {VIDEO_SECONDS:.0f} s video (one core, median of {runs}, models loaded)")
    print(f"  without the claims producers {video['without_claims_median']:.2f} s")
    print(f"  with them (Whisper)          {video['with_claims_median']:.2f} s")
    print(
        f"  added                        {video['added_median']:.2f} s; claims found: "
        f"{', '.join(video['claims_found']) or 'none'}"
    )
    cap = figures["cap"]
    print()
    print(f"The cap: max_seconds {cap['max_seconds']:.0f}")
    for name in ("short", "long"):
        r = cap[name]
        print(
            f"  {r['duration'] / 60:4.0f} min file: heard {r['heard']:.0f} s in {r['windows']}"
            f" stretch(es), {r['seconds']:.1f} s to transcribe"
        )
    ratio = cap["long"]["seconds"] / cap["short"]["seconds"]
    print(f"  10 min / 2 min: {ratio:.2f}x the time")


if __name__ == "__main__":
    main()
