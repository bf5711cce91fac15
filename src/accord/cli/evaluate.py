"""``accord eval``: assess a folder of labelled media and report how well the bands agree."""

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


def eval_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A folder with one subfolder per band (e.g. likely_ai_generated/), "
            "holding the media labelled with it."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="The figures as JSON.")] = False,
) -> None:
    """Assess every labelled file and print a confusion matrix per band, precision and
    recall per producer, coverage and calibration (ECE)."""
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
