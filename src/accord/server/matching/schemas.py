"""How a lookup is asked for (``MatchOptions``, and the API bodies that carry it) and the
JSON of the bank entries it finds."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from accord.claims.statements import MAX_TEXT_CHARS

if TYPE_CHECKING:
    from accord.server.banks.models import BankEntry


@dataclass(frozen=True, slots=True)
class MatchOptions:
    #: Only these banks (by name); None means all.
    banks: Collection[str] | None = None
    #: Ignore bank rollout ratios (HMA's ``bypass_coinflip``).
    bypass_coinflip: bool = False
    #: Seeds the per-request rollout coin, so a client gets a stable answer.
    seed: int | str | None = None
    #: Also return disabled banks and entries (HMA's ``raw_lookup``).
    include_disabled: bool = False
    second_stage: bool = True
    #: Tell the publishers of fetched entries that content matched them (each exchange
    #: that reports sightings queues one); False where the lookup only shows matches
    #: already seen (a case page), so looking twice does not count twice.
    report_sightings: bool = True


class MatchOptionsIn(BaseModel):
    """How to look up: which banks, rollout handling, the second stage."""

    model_config = ConfigDict(extra="forbid")

    banks: list[str] | None = Field(default=None, description="Only these banks")
    bypass_coinflip: bool = Field(default=False, description="Ignore bank rollout ratios")
    seed: int | None = Field(default=None, description="Seeds the rollout coin")
    second_stage: bool = Field(default=True, description="Search crops and screenshots")

    def options(self) -> MatchOptions:
        return MatchOptions(
            banks=self.banks,
            bypass_coinflip=self.bypass_coinflip,
            seed=self.seed,
            second_stage=self.second_stage,
        )


class MatchRequest(MatchOptionsIn):
    """Signals to look up, and how; the post's text, if any, to screen."""

    signals: dict[str, str] = Field(min_length=1, max_length=16)
    #: Checked against ``MAX_TEXT_CHARS`` by the route (``answers.check_text``), which
    #: answers 422 beyond it as for a form field: not here, where ``parse_body`` makes
    #: every problem a 400.
    text: str = Field(
        default="",
        description=(
            f"The post's text or caption (at most {MAX_TEXT_CHARS} characters), screened "
            "for false claims about voting and impersonations of election authorities"
        ),
    )


def entry_json(entry: BankEntry) -> dict[str, Any]:
    """A matched entry as ``POST /v1/match`` answers it."""
    return {
        "id": entry.id,
        "source": entry.source,
        "url": entry.url,
        "platform_content_id": entry.platform_content_id,
        "case_reference": entry.case_reference,
        "labels": list(entry.labels),
        "note": entry.note,
        "metadata": dict(entry.extra),
        "added_by": entry.added_by,
        "added_at": entry.added_at.isoformat(),
        "enabled": entry.enabled,
        "disabled_until": entry.disabled_until.isoformat() if entry.disabled_until else None,
        "origin": origin_json(entry),
    }


def origin_json(entry: BankEntry) -> dict[str, Any] | None:
    """Where an entry fetched from an exchange came from, as the fetch wrote it
    (``banks/remote.py``: the exchange's name, the publishing organisation, the TLP
    marking it was shared under, the publisher's case reference, the version applied)
    with the publisher's indicator id; None for an entry added here."""
    if entry.remote_id is None:
        return None
    return {**(entry.origin or {}), "remote_id": entry.remote_id}
