"""What an assessment's JSON says about words, as pages show it: the transcript with each
claim's words marked, the claims with where they are, and whether the recording was
sampled. The report (``report``) and the reviewer's case page (``cases.pages``) show the
same thing.

Pieces of text come out as ``{"text", "marked"}`` for the template to wrap in ``<mark>``:
the words themselves stay plain strings, so the template's autoescaping covers them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from accord.claims.verdicts import claim_words
from accord.speech.transcript import Transcript, clock

__all__ = ["claim_views", "transcript_view"]

#: Where a claim is, when it has no times: by where its words came from ("from").
_WHERE = {"caption": "in the caption", "notice": "in the notice"}


def claim_views(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The assessment's claims, each with its category in words and where it is (``when``:
    "at 0:03 to 0:07" in the recording, "in the caption", "in the notice")."""
    shown = []
    for claim in answer.get("claims") or []:
        start, end = claim.get("start"), claim.get("end")
        if start is not None:
            when = f"at {clock(start)} to {clock(end if end is not None else start)}"
        else:
            when = _WHERE.get(str(claim.get("from")), "in the recording")
        label = claim_words(str(claim.get("category", ""))).label
        shown.append(dict(claim) | {"label": label, "when": when})
    return shown


def transcript_view(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    """The transcript, if the recording was transcribed: its segments in pieces with the
    spoken claims' words marked, and which stretches were heard."""
    if not answer.get("transcript"):
        return None
    transcript = Transcript.from_json(answer["transcript"])
    spoken = [claim for claim in answer.get("claims") or [] if claim.get("from") == "speech"]
    said = [(s.start, s.end, s.text.strip()) for s in transcript.segments]
    spans: list[list[tuple[int, int]]] = [[] for _ in said]
    for claim in spoken:
        here = [i for i, (start, end, _) in enumerate(said) if _overlaps(claim, start, end)]
        found = {i: _spans(said[i][2], str(claim.get("words", ""))) for i in here}
        anywhere = any(found.values())
        for i in here:
            # Words the recogniser split over segments differently: the segment is marked.
            spans[i] += found[i] if anywhere else [(0, len(said[i][2]))]
    segments = [
        {
            "start": start,
            "end": end,
            "at": clock(start),
            "claimed": bool(spans[i]),
            "pieces": _pieces(text, spans[i]),
        }
        for i, (start, end, text) in enumerate(said)
    ]
    heard = transcript.heard
    return {
        "language": transcript.language,
        "engine": transcript.engine,
        "model": transcript.model,
        "duration": clock(transcript.duration),
        "sampled": transcript.sampled,
        "heard": ", ".join(f"{clock(a)} to {clock(b)}" for a, b in heard),
        "heard_seconds": round(sum(b - a for a, b in heard)),
        "segments": segments,
    }


def _overlaps(claim: Mapping[str, Any], start: float, end: float) -> bool:
    said_from, said_to = claim.get("start"), claim.get("end")
    if said_from is None:
        return False
    said_to = said_from if said_to is None else said_to
    # Rounded times (to 0.01 s) touch where the segments meet: a claim ending at a
    # segment's start is not in it.
    return float(said_from) < end and float(said_to) > start


def _spans(text: str, words: str) -> list[tuple[int, int]]:
    """Where ``words`` are in ``text``, whatever the case and spacing; words quoted with a
    gap ("postponed … Monday") are found part by part."""
    spans: list[tuple[int, int]] = []
    for part in re.split(r"…|\.\.\.", words):
        pattern = r"\s+".join(re.escape(word) for word in part.split())
        if pattern:
            spans += [found.span() for found in re.finditer(pattern, text, flags=re.IGNORECASE)]
    return spans


def _pieces(text: str, spans: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """``text`` cut into pieces, those within ``spans`` marked."""
    pieces, at = [], 0
    for start, end in _merged(spans):
        if start > at:
            pieces.append({"text": text[at:start], "marked": False})
        pieces.append({"text": text[start:end], "marked": True})
        at = end
    if at < len(text) or not pieces:
        pieces.append({"text": text[at:], "marked": False})
    return pieces


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
