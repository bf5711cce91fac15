"""Run the evidence producers over a file and weigh what they found (``accord.assess``).

The file is opened and decoded once: the producers, the caller's bank lookup and the
caller itself (hashing it for a bank afterwards) share one ``OpenedFile``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import c2pa

from accord import __version__
from accord.assessment.bands import decide
from accord.assessment.evidence import AssessedFile, BankLookup, Finding, Keyframe, Producer
from accord.assessment.gallery import FaceGallery, VoiceGallery
from accord.assessment.producers import ClaimsSetup, default_producers
from accord.assessment.result import Assessment, InputFile, Skipped
from accord.claims.statements import check_text
from accord.errors import MediaError, ProducerUnavailable
from accord.media.kinds import MediaKind
from accord.media.limits import MediaLimits
from accord.media.video import iter_frames
from accord.signals.cryptographic import Md5, Sha256
from accord.signals.hashing import OpenedFile

#: Frames of a video the pixel producers look at, spread over its length.
KEYFRAMES = 6
_MIN_KEYFRAME_GAP = 0.5
_KEYFRAME_SIDE = 1280


def assess_file(
    path: Path | str | OpenedFile,
    *,
    anchors: Sequence[str] = (),
    banks: BankLookup | None = None,
    producers: Sequence[Producer] | None = None,
    limits: MediaLimits | None = None,
    detector_dir: Path | None = None,
    gallery: FaceGallery | None = None,
    voices: VoiceGallery | None = None,
    claims: ClaimsSetup | None = None,
    text: str = "",
) -> Assessment:
    """Assess the file at ``path`` (or a file the caller opened, to hash it afterwards
    without decoding it again): ``anchors`` are PEM roots trusted for Content
    Credentials, ``banks`` finds the file in a server's banks and registry,
    ``detector_dir`` holds learned detectors (ONNX models with their cards), and
    ``gallery`` and ``voices`` the faces and voices of protected people; ``claims`` how to
    screen what the file says (its sound transcribed) and ``text``, words posted with it (a
    caption, a notice's explanation), for false claims about voting: neither is read
    without it.

    Raises a ``MediaError`` when the file cannot be read at all, and ``PayloadTooLarge``
    for ``text`` over ``MAX_TEXT_CHARS`` before anything is decoded; a producer that cannot
    read the file, or cannot run here, is listed as skipped and the others still run.
    """
    check_text(text)
    opened = path if isinstance(path, OpenedFile) else OpenedFile(path, limits=limits)
    media = opened.media
    subject = AssessedFile(opened, anchors=anchors, banks=banks, text=text)
    if media.kind is MediaKind.IMAGE:
        subject.picture()  # a picture that cannot be decoded cannot be assessed at all
    chosen = (
        list(producers)
        if producers is not None
        else default_producers(detector_dir, gallery, voices, claims)
    )
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    for shown in [subject, *_keyframes(subject, chosen, skipped)]:
        for producer in chosen:
            if not producer.applies(shown):
                continue
            try:
                found = producer.produce(shown)
            except (MediaError, ProducerUnavailable) as error:
                if Skipped(producer.name, error.detail) not in skipped:  # once, not per frame
                    skipped.append(Skipped(producer.name, error.detail))
                continue
            findings += [replace(finding, at_seconds=shown.at_seconds) for finding in found]
    # The bank lookup may have computed them already.
    sha256, md5 = (signal.value for signal in opened.hash([Sha256, Md5]).signals)
    return Assessment(
        decision=decide(findings),
        findings=tuple(findings),
        input=InputFile(
            name=media.path.name,
            sha256=sha256,
            md5=md5,
            size=media.size,
            format=media.format.name,
            kind=str(media.kind),
        ),
        tools={
            "accord": __version__,
            "c2pa": getattr(c2pa, "__version__", "unknown"),
            "producers": {producer.name: producer.version for producer in chosen},
        },
        created_at=datetime.now(UTC),
        skipped=tuple(skipped),
    )


def _keyframes(
    subject: AssessedFile, producers: Sequence[Producer], skipped: list[Skipped]
) -> list[Keyframe]:
    """Up to ``KEYFRAMES`` frames spread over a video, for the producers that read pixels."""
    if subject.kind is not MediaKind.VIDEO or not any(p.pixels_only for p in producers):
        return []
    try:
        return sample_keyframes(subject)
    except MediaError as error:
        skipped.append(Skipped("keyframes", error.detail))
        return []


def sample_keyframes(subject: AssessedFile) -> list[Keyframe]:
    """Up to ``KEYFRAMES`` frames spread over a video's length (none without a picture
    track): what the pixel producers look at. MediaError when they cannot be decoded."""
    info = subject.opened.subject.video_info()  # read once, with the signals
    if not info.has_video:
        return []
    interval = max(_MIN_KEYFRAME_GAP, (info.duration or 0.0) / KEYFRAMES)
    frames = iter_frames(subject.media, interval=interval, max_side=_KEYFRAME_SIDE)
    return [
        Keyframe(subject.media, frame.pixels, round(frame.timestamp, 3))
        for frame in islice(frames, KEYFRAMES)
    ]
