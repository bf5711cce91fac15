"""``accord transcribe``: what a recording says, with times, offline."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.files import report_file_error
from accord.cli.local import fail
from accord.errors import AccordError, DetectorError, SpeechUnavailable

#: An en dash between a segment's start and end, as in [0:03.2 to 0:07.9].
DASH = "\u2013"
#: The languages told apart when none is given (``accord.speech.transcribe.CANDIDATES``;
#: spelled out so that the help imports no numpy, and a test checks that they agree).
DETECTED = ("en", "nl", "fr", "de")


class EngineName(StrEnum):
    whisper = "whisper"
    pocketsphinx = "pocketsphinx"


def transcribe_command(
    file: Annotated[Path, typer.Argument(help="An audio or video file.")],
    language: Annotated[
        str | None,
        typer.Option(
            help="The language spoken, as a two-letter code (ISO 639-1: en, nl, fr, de, es, "
            f"...). When omitted it is detected among {', '.join(DETECTED)} only. Unlike the "
            "server, which gives Whisper its elections' names and words to listen for, this "
            "command gives it none.",
        ),
    ] = None,
    engine: Annotated[
        EngineName, typer.Option(help="whisper (multilingual) or pocketsphinx (English).")
    ] = EngineName.whisper,
    max_seconds: Annotated[
        float,
        typer.Option(
            "--max-seconds",
            min=1.0,
            help="Seconds heard at most; a longer recording is sampled evenly.",
        ),
    ] = 120.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the transcript as JSON.")] = False,
) -> None:
    """Transcribe the speech in FILE: one line per segment, [start-end] text. Nothing is
    downloaded; the speech extra must be installed (pip install 'accord[speech]')."""
    from accord.media.file import open_media  # noqa: PLC0415 - heavy imports only when run
    from accord.speech.engines import check_language, load_engine  # noqa: PLC0415
    from accord.speech.transcribe import transcribe  # noqa: PLC0415
    from accord.speech.transcript import clock  # noqa: PLC0415

    code = language.strip().lower() if language else None
    try:
        # The engine's errors are not the file's: said without its name, before it is read.
        speech = load_engine(engine.value)
        if code is not None:
            check_language(speech, code)
    except (SpeechUnavailable, DetectorError) as error:
        raise fail(error.detail) from None
    try:
        transcript = transcribe(open_media(file), speech, language=code, max_seconds=max_seconds)
    except (SpeechUnavailable, DetectorError) as error:
        raise fail(error.detail) from None
    except (AccordError, OSError) as error:
        report_file_error(file, error, as_json=as_json)
        raise typer.Exit(code=1) from None
    if as_json:
        typer.echo(json.dumps({"file": str(file), **transcript.to_json()}, ensure_ascii=False))
        return

    def at(seconds: float) -> str:
        return clock(seconds, tenths=True)

    heard = sum(end - start for start, end in transcript.heard)
    typer.echo(
        f"{file}: {transcript.language}, {at(transcript.duration)} "
        f"({transcript.engine}, {transcript.model})"
    )
    if transcript.sampled:
        stretches = ", ".join(f"{at(s)}{DASH}{at(e)}" for s, e in transcript.heard)
        typer.echo(f"note: sampled: heard {at(heard)} of {at(transcript.duration)} ({stretches})")
    if not transcript.segments:
        typer.echo("(no speech heard)")
    for segment in transcript.segments:
        typer.echo(f"[{at(segment.start)}{DASH}{at(segment.end)}] {segment.text}")
