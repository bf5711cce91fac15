"""``accord assess``: what is known about each file, with the evidence behind it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.files import expand_files, report_file_error
from accord.cli.local import fail, local_runtime_trusting, transaction
from accord.errors import AccordError


def assess_command(
    files: Annotated[
        list[Path], typer.Argument(help="Files, or folders (their media, recursively).")
    ],
    *,
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
    text: Annotated[
        str,
        typer.Option(
            "--text",
            help=(
                "The post's text or caption (at most 10,000 characters), screened for false "
                "claims about voting."
            ),
        ),
    ] = "",
    transcript: Annotated[
        bool,
        typer.Option(
            "--transcript", help="Print what the recording says, line by line (--json has it)."
        ),
    ] = False,
) -> None:
    """Weigh each file's evidence (Content Credentials, metadata, watermarks, this
    instance's banks and registry, forensics) into a band. A file that cannot be read is
    reported and the rest are still assessed (exit status 1).

    With several files, --html report.html writes report-photo.html for photo.jpg, and so
    on; each report written is named on standard error. The false claims about voting
    found in a recording's sound (transcribed with ACCORD_SPEECH_ENGINE) or in --text are
    listed under each file; --transcript adds what it says, line by line."""
    from accord.claims.statements import check_text  # noqa: PLC0415
    from accord.server.assessments.service import (  # noqa: PLC0415
        assessment_of,
        render_html,
        write_pdf,
    )

    try:
        check_text(text)  # an argument's fault, said once, not under each file
    except AccordError as error:
        raise fail(f"--text: {error.detail}") from None
    targets = list(expand_files(files))
    several = len(targets) > 1
    failures = 0
    with local_runtime_trusting(anchors) as runtime:
        for path in targets:
            try:
                with transaction(runtime) as session:
                    assessment = assessment_of(runtime, session, path, text=text)
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
            typer.echo(json.dumps(answer) if as_json else _text(path, answer, transcript))
    if failures:
        raise typer.Exit(code=1)


def _named(target: Path, assessed: Path, *, several: bool) -> Path:
    """``report.html`` for one file; ``report-photo.html`` for ``photo.jpg`` among several."""
    if not several:
        return target
    return target.with_name(f"{target.stem}-{assessed.stem}{target.suffix}")


def _text(path: Path, answer: dict[str, Any], transcript: bool) -> str:
    from accord.server.assessments.schemas import claim_views, transcript_view  # noqa: PLC0415

    lines = [f"{path}\t{answer['band']}\t{answer['summary']}"]
    for finding in answer["findings"]:
        lines.append(
            f"  [{finding['strength']} → {finding['direction']}] {finding['code']}: "
            f"{finding['explanation']}"
        )
    lines += [f"  skipped {item['producer']}: {item['reason']}" for item in answer["skipped"]]
    if answer.get("robocall"):
        lines.append("  ROBOCALL: a protected person's voice or face says a false claim")
    for claim in claim_views(answer):
        lines.append(
            f"  claim [{claim.get('strength', 'moderate')}] {claim['category']} {claim['when']}: "
            f'"{claim["words"]}" {claim["explanation"]}'
        )
    said = transcript_view(answer) if transcript else None
    if said is not None:
        lines.append(f"  transcript ({said['language']}, {said['engine']} {said['model']}):")
        if said["sampled"]:
            lines.append(f"    sampled: only {said['heard']} of {said['duration']} heard")
        for segment in said["segments"]:
            words = "".join(
                f"[{piece['text']}]" if piece["marked"] else piece["text"]
                for piece in segment["pieces"]
            )
            lines.append(f"    {segment['at']}  {words}")
    return "\n".join(lines)
