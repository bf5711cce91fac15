"""``accord assess``: what is known about each file, with the evidence behind it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.files import expand_files, report_file_error
from accord.cli.local import local_runtime_trusting, transaction
from accord.errors import AccordError


def assess_command(
    files: Annotated[
        list[Path], typer.Argument(help="Files, or folders (their media, recursively).")
    ],
    anchors: Annotated[
        list[Path] | None,
        typer.Option("--anchors", help="More trust anchors: a PEM file (repeatable)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One assessment (JSON) per line.")
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option(help="Write an HTML report (several files: one per file, named after it)."),
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option(help="Write a PDF report too (needs Chromium installed).")
    ] = None,
) -> None:
    """Weigh each file's evidence (Content Credentials, metadata, watermarks, this
    instance's banks and registry, forensics) into a band. A file that cannot be read is
    reported and the rest are still assessed (exit status 1).

    With several files, --html report.html writes report-photo.html for photo.jpg, and so
    on; each report written is named on standard error."""
    from accord.server.assessments.service import (  # noqa: PLC0415
        assessment_of,
        render_html,
        write_pdf,
    )

    targets = list(expand_files(files))
    several = len(targets) > 1
    failures = 0
    with local_runtime_trusting(anchors) as runtime:
        for path in targets:
            try:
                with transaction(runtime) as session:
                    assessment = assessment_of(runtime, session, path)
                answer = assessment.to_json()
                answer["input"]["name"] = str(path)
                if html or pdf:
                    page = render_html(assessment, path)
                    if html:
                        written = _named(html, path, several=several)
                        written.write_text(page, "utf-8")
                        typer.echo(f"{path}: report written to {written}", err=True)
                    if pdf:
                        written = _named(pdf, path, several=several)
                        write_pdf(page, written)
                        typer.echo(f"{path}: report written to {written}", err=True)
            except (AccordError, OSError) as error:
                failures += 1
                report_file_error(path, error, as_json=as_json)
                continue
            typer.echo(json.dumps(answer) if as_json else _text(path, answer))
    if failures:
        raise typer.Exit(code=1)


def _named(target: Path, assessed: Path, *, several: bool) -> Path:
    """``report.html`` for one file; ``report-photo.html`` for ``photo.jpg`` among several."""
    if not several:
        return target
    return target.with_name(f"{target.stem}-{assessed.stem}{target.suffix}")


def _text(path: Path, answer: dict[str, Any]) -> str:
    lines = [f"{path}\t{answer['band']}\t{answer['summary']}"]
    for finding in answer["findings"]:
        lines.append(
            f"  [{finding['strength']} → {finding['direction']}] {finding['code']}: "
            f"{finding['explanation']}"
        )
    lines += [f"  skipped {item['producer']}: {item['reason']}" for item in answer["skipped"]]
    return "\n".join(lines)
