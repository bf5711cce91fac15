"""``accord eval``: assess a folder of labelled media and report how well the bands agree;
or, with ``--speech``, measure speech recognition and the claims found in what it hears on
the shipped set of synthetic (espeak-ng) sentences."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli.files import report_file_error
from accord.cli.local import fail, local_runtime, transaction
from accord.errors import AccordError

if TYPE_CHECKING:
    from accord.assessment.evaluation import Evaluation

# Spelled out here so that parsing the options imports no numpy (the speech modules hold
# the same names; a test checks that they agree).
_ENGINES = ("whisper", "pocketsphinx")
_CONDITIONS = ("clean", "noise", "music", "phone", "mp3")
_LANGUAGES = ("en", "nl", "fr", "de")


def eval_command(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="A folder with one subfolder per band (e.g. likely_ai_generated/), "
            "holding the media labelled with it. Not with --speech."
        ),
    ] = None,
    *,
    speech: Annotated[
        bool,
        typer.Option(
            "--speech",
            help="Measure speech recognition (WER) and the claims found in transcripts on "
            "the shipped set of sentences read by espeak-ng (synthetic speech).",
        ),
    ] = False,
    engines: Annotated[
        list[str] | None,
        typer.Option(
            "--engine",
            help="With --speech: whisper or pocketsphinx (English only); repeat for both. "
            "Default: both.",
        ),
    ] = None,
    languages: Annotated[
        list[str] | None,
        typer.Option("--language", help="With --speech: en, nl, fr or de; repeatable."),
    ] = None,
    conditions: Annotated[
        list[str] | None,
        typer.Option(
            "--condition",
            help="With --speech: clean, noise, music, phone or mp3; repeatable. Default: all.",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="With --speech: at most N sentences a language."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The figures as JSON.")] = False,
) -> None:
    """Assess every labelled file and print a confusion matrix per band, precision and
    recall per producer, coverage and calibration (ECE). With --speech: word error rate,
    claim precision and recall and real-time factor per engine, language and condition."""
    if speech == (folder is not None):
        raise fail(
            "give either a FOLDER of labelled media or --speech, not both"
            if speech
            else "give a FOLDER of labelled media, or --speech"
        )
    if folder is None:
        _speech(engines, languages, conditions, limit, as_json=as_json)
        return
    if engines or languages or conditions or limit is not None:
        raise fail("--engine, --language, --condition and --limit go with --speech")
    _assess_folder(folder, as_json=as_json)


def _assess_folder(folder: Path, *, as_json: bool) -> None:
    from accord.assessment.bands import Band  # noqa: PLC0415
    from accord.assessment.evaluation import Labelled, evaluate  # noqa: PLC0415
    from accord.server.assessments.service import assessment_of  # noqa: PLC0415

    labelled = list(_labelled(folder, {str(band) for band in Band}))
    if not labelled:
        raise fail(f"{folder} holds no media in folders named after bands")
    results = []
    with local_runtime() as runtime:
        for label, path in labelled:
            try:
                with transaction(runtime) as session:
                    assessed = assessment_of(runtime, session, path)
            except (AccordError, OSError) as error:
                report_file_error(path, error, as_json=False)
                continue
            results.append(Labelled(str(path), Band(label), assessed))
    evaluation = evaluate(results)
    if as_json:
        typer.echo(json.dumps(evaluation.to_json()))
        return
    typer.echo(_table(evaluation))


def _speech(
    engines: list[str] | None,
    languages: list[str] | None,
    conditions: list[str] | None,
    limit: int | None,
    *,
    as_json: bool,
) -> None:
    from accord.claims.redteam import SHIPPED_CONTEXT, load_context  # noqa: PLC0415
    from accord.speech.evaluation import (  # noqa: PLC0415
        evaluate_speech,
        format_table,
        load_set,
        screening_for,
        select,
    )

    _check_choices("--engine", engines, _ENGINES)
    _check_choices("--language", languages, _LANGUAGES)
    _check_choices("--condition", conditions, _CONDITIONS)
    chosen = list(dict.fromkeys(engines or _ENGINES))
    sentences = select(load_set(), languages=languages, limit=limit)
    if "whisper" not in chosen and not any(s.language == "en" for s in sentences):
        raise fail("pocketsphinx knows English only: add --language en or --engine whisper")
    try:
        evaluation = evaluate_speech(
            sentences,
            screening_for(load_context(SHIPPED_CONTEXT)),
            engines=chosen,
            conditions=list(dict.fromkeys(conditions or _CONDITIONS)),
            progress=lambda line: typer.echo(line, err=True),
        )
    except AccordError as error:
        raise fail(error.detail) from None
    if as_json:
        typer.echo(json.dumps(evaluation.to_json(), ensure_ascii=False))
        return
    typer.echo(format_table(evaluation))


def _check_choices(option: str, given: list[str] | None, known: tuple[str, ...]) -> None:
    for value in given or ():
        if value not in known:
            raise fail(f"{option} {value!r} is unknown; choose from {', '.join(known)}")


def _labelled(folder: Path, bands: set[str]) -> Iterator[tuple[str, Path]]:
    if not folder.is_dir():
        raise fail(f"{folder} is not a folder")
    for sub in sorted(folder.iterdir()):
        if sub.is_dir() and sub.name in bands:
            for path in sorted(sub.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    yield sub.name, path


def _table(evaluation: Evaluation) -> str:
    bands = list(evaluation.confusion)
    lines = [f"{evaluation.files} files; rows: the label, columns: the band given"]
    lines.append(f"{'':24}" + "".join(f"{str(band).split('_')[0][:9]:>10}" for band in bands))
    for label, row in evaluation.confusion.items():
        if sum(row.values()):
            lines.append(f"{label!s:24}" + "".join(f"{row[band]:>10}" for band in bands))
    lines += ["", f"{'producer':22}{'fired':>7}{'precision':>11}{'recall':>9}"]
    for name, score in sorted(evaluation.producers.items()):
        lines.append(
            f"{name:22}{score.fired:>7}{_share(score.precision):>11}{_share(score.recall):>9}"
        )
    lines += [
        "",
        f"coverage {_share(evaluation.coverage)}, accuracy when decided "
        f"{_share(evaluation.accuracy_when_decided)}, ECE {_share(evaluation.ece)}",
    ]
    return "\n".join(lines)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
