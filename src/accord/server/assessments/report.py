"""The assessment as a report a fact-checker can attach to an article: one self-contained
HTML file (pictures inline, no scripts, nothing fetched; what the recording says, with
the false claims marked in its transcript), and a PDF printed from it by Chromium when
one is installed."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from PIL import Image

from accord.assessment.result import Assessment
from accord.errors import MediaError, ReportError
from accord.media.file import open_media
from accord.media.image import decode_image
from accord.media.kinds import MediaKind
from accord.server.assessments.schemas import claim_views, transcript_view

_THUMBNAIL_LONG_SIDE = 480
_PDF_SECONDS = 60
#: Where Debian's and most distributions' Chromium lives.
_CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def render_html(assessment: Assessment, assessed: Path | None = None) -> str:
    """The report; ``assessed`` (the file itself) adds a thumbnail of a picture."""
    environment = Environment(
        loader=PackageLoader("accord.server.assessments", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )
    pictures = [
        [base64.b64encode(figure.png).decode() for figure in finding.figures]
        for finding in assessment.findings
    ]
    answer = assessment.to_json()
    return environment.get_template("report.html").render(
        answer=answer,
        pictures=pictures,
        thumbnail=_thumbnail(assessed),
        claims=claim_views(answer),
        transcript=transcript_view(answer),
    )


def write_pdf(html: str, target: Path) -> None:
    """Print the report to PDF with a local headless Chromium (offline: the report has
    no outside references)."""
    browser = next((found for name in _CHROMIUM if (found := shutil.which(name))), None)
    if browser is None:
        raise ReportError("PDF reports need Chromium installed (e.g. apt install chromium)")
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "report.html"
        page.write_text(html, encoding="utf-8")
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
            f"--user-data-dir={scratch}/profile", f"--print-to-pdf={target}", page.as_uri(),
        ]  # fmt: skip
        try:
            subprocess.run(command, capture_output=True, timeout=_PDF_SECONDS, check=True)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise ReportError(f"Chromium could not print the report: {error}") from None
    if not target.exists() or target.stat().st_size == 0:
        raise ReportError("Chromium printed no PDF")


def _thumbnail(assessed: Path | None) -> str | None:
    if assessed is None:
        return None
    try:
        media = open_media(assessed)
        if media.kind is not MediaKind.IMAGE:
            return None
        pixels = decode_image(media, min_side=_THUMBNAIL_LONG_SIDE).pixels
    except MediaError:
        return None  # an unreadable picture: the report goes without
    picture = Image.fromarray(pixels)
    picture.thumbnail((_THUMBNAIL_LONG_SIDE, _THUMBNAIL_LONG_SIDE))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return base64.b64encode(buffer.getvalue()).decode()
