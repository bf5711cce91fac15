"""The credential card: the verify API's answer arranged for a reader.

Built from the same JSON ``POST /v1/credentials/verify`` returns, so the page and the API
never disagree. Every string in it may come from a hostile file; the templates escape it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accord.server.verify_page import words
from accord.server.verify_page.words import Origin, Source
from accord.signals.registry import describe_match

#: A record id to its thumbnail's URL, or None when the record has no picture.
ThumbnailUrl = Callable[[str], str | None]

#: c2pa reports this beside every intact signature whose signer is not trusted here; it
#: is never the reason a file is invalid.
_UNTRUSTED = "signingCredential.untrusted"

#: An original found by its watermark, which is no signal type: each type says its own
#: words (``SignalType.matched_by``).
_WATERMARK = "watermark"
_MATCHED_BY_WATERMARK = "its invisible accord watermark (the picture itself differs)"


_AGREEMENT_TONES = {"agrees": "ok", "original": "ok", "differs": "bad", "missing": "bad"}


@dataclass(frozen=True, slots=True)
class Badge:
    #: The state, also the CSS class and the icon's name.
    tone: str
    label: str
    words: str


@dataclass(frozen=True, slots=True)
class ProblemView:
    code: str
    meaning: str


@dataclass(frozen=True, slots=True)
class IngredientView:
    title: str
    relationship: str
    #: True: intact credentials of its own; False: broken ones; None: none at all.
    valid: bool | None
    validity: str
    problems: tuple[ProblemView, ...]


@dataclass(frozen=True, slots=True)
class OriginalView:
    record_id: str
    title: str
    issuer: str
    signed_on: str
    matched_by: str
    thumbnail_url: str | None
    #: Its credentials declare it made by AI: ``issuer`` is the generator.
    generated: bool = False


@dataclass(frozen=True, slots=True)
class WatermarkView:
    #: None when no mark was found, or the one found names no record here.
    record_id: str | None
    thumbnail_url: str | None
    #: What the mark names and how the credentials relate to it, in plain words.
    summary: str
    #: "agrees", "differs", ... (``accord.server.credentials.marks.Agreement``), or None
    #: when no mark was found.
    agreement: str | None = None
    #: The record's picture is already shown among the originals.
    pictured_above: bool = False

    @property
    def tone(self) -> str:
        """ok when the mark and the credentials agree, bad when they contradict."""
        return _AGREEMENT_TONES.get(self.agreement or "", "neutral")


@dataclass(frozen=True, slots=True)
class Card:
    filename: str | None
    badge: Badge
    headline: str
    has_credentials: bool
    title: str | None
    signer: str | None
    signer_certificate: str | None
    signed_at: str | None
    tool: str | None
    sources: tuple[Source, ...]
    made_by_ai: bool
    actions: tuple[str, ...]
    ingredients: tuple[IngredientView, ...]
    problems: tuple[ProblemView, ...]
    #: None when the answer says nothing about watermarks (not looked for).
    watermark: WatermarkView | None
    originals: tuple[OriginalView, ...]
    limits: str


def build_card(answer: Mapping[str, Any], filename: str | None, thumbnail: ThumbnailUrl) -> Card:
    """``answer`` is the verify API's JSON for one file."""
    credential: Mapping[str, Any] = answer.get("credential") or {}
    problems = _problems(answer.get("problems") or [])
    sources = tuple(words.source(kind) for kind in credential.get("source_types") or [])
    originals = tuple(_original(item, thumbnail) for item in answer.get("originals") or [])
    return Card(
        filename=filename,
        badge=_badge(str(answer.get("state", "none")), problems),
        headline=str(answer.get("headline", "")),
        has_credentials=bool(credential),
        title=credential.get("title"),
        signer=credential.get("signer"),
        signer_certificate=credential.get("signer_name"),
        signed_at=_when(credential.get("signed_at")),
        tool=credential.get("tool"),
        sources=sources,
        made_by_ai=any(item.origin is Origin.AI for item in sources),
        actions=tuple(words.action(str(name)) for name in credential.get("actions") or []),
        ingredients=tuple(_ingredient(item) for item in credential.get("ingredients") or []),
        problems=problems,
        watermark=_watermark(answer, thumbnail, {item.record_id for item in originals}),
        originals=originals,
        limits=str(answer.get("limits", "")),
    )


def _badge(state: str, problems: Sequence[ProblemView]) -> Badge:
    if state == "trusted":
        return Badge(state, "Trusted", "Signed by a signer trusted here, and unchanged since.")
    if state == "valid":
        return Badge(
            state,
            "Valid but unknown signer",
            "Unchanged since it was signed, but the signer is not on a trust list here.",
        )
    if state == "revoked":  # the issuer withdrew intact credentials: never "trusted"
        return Badge(
            "invalid", "Revoked", "Its issuer revoked these credentials: do not rely on them."
        )
    if state == "invalid":
        serious = [problem for problem in problems if problem.code != _UNTRUSTED]
        why = serious[0].meaning if serious else "the credentials failed validation"
        return Badge(state, "Invalid", f"Invalid: {why}.")
    if state == "remote":
        return Badge(
            state, "Not checked", "Its credentials are stored elsewhere and were not fetched."
        )
    return Badge("none", "No credentials", "This file carries no Content Credentials.")


def _problems(items: Sequence[Mapping[str, Any]]) -> tuple[ProblemView, ...]:
    """The reasons first: an untrusted signer is the least of a broken file's problems."""
    problems = [
        ProblemView(str(item.get("code", "")), str(item.get("meaning") or item.get("code", "")))
        for item in items
    ]
    return tuple(sorted(problems, key=lambda problem: problem.code == _UNTRUSTED))


def _ingredient(item: Mapping[str, Any]) -> IngredientView:
    problems = _problems(item.get("problems") or [])
    serious = [problem for problem in problems if problem.code != _UNTRUSTED]
    valid: bool | None
    if not item.get("had_credentials"):
        valid, validity = None, "It carried no Content Credentials of its own."
    elif serious:
        valid, validity = False, "Its own Content Credentials are broken."
    else:
        valid, validity = True, "Its own Content Credentials are intact."
    return IngredientView(
        title=str(item.get("title") or "Untitled"),
        relationship=words.relationship(item.get("relationship")),
        valid=valid,
        validity=validity,
        problems=problems,
    )


def _original(item: Mapping[str, Any], thumbnail: ThumbnailUrl) -> OriginalView:
    record_id = str(item.get("record_id", ""))
    signal_type = str(item.get("signal_type", ""))
    return OriginalView(
        record_id=record_id,
        title=str(item.get("title", "")),
        issuer=str(item.get("issuer", "")),
        signed_on=_when(item.get("signed_at")) or "an unknown date",
        matched_by=(
            _MATCHED_BY_WATERMARK if signal_type == _WATERMARK else describe_match(signal_type)
        ),
        thumbnail_url=thumbnail(record_id),
        generated=bool(item.get("generated")),
    )


def _watermark(
    answer: Mapping[str, Any], thumbnail: ThumbnailUrl, shown: set[str]
) -> WatermarkView | None:
    """The answer may carry ``watermark``: an object saying what the mark names, or null
    for none found. A record already shown among the originals is not pictured twice."""
    if "watermark" not in answer:
        return None
    found = answer["watermark"]
    if not isinstance(found, Mapping):
        return WatermarkView(None, None, "No accord watermark was found in this file.")
    summary = str(found.get("summary") or "")
    agreement = found.get("agreement")
    agreement = str(agreement) if agreement else None
    if not found.get("record_id"):
        return WatermarkView(None, None, summary, agreement)
    record_id = str(found["record_id"])
    above = record_id in shown
    picture = None if above else thumbnail(record_id)
    summary = summary or f"An invisible accord watermark names record {record_id}."
    return WatermarkView(record_id, picture, summary, agreement, pictured_above=above)


def _when(iso: object) -> str | None:
    """``2026-11-30T20:41:07+00:00`` reads "30 November 2026, 20:41 UTC"."""
    if not isinstance(iso, str) or not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"
