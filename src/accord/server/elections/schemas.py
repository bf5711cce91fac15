"""The elections API's request body and the JSON it answers with."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from accord.server.elections.models import Election


class ElectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    polling_date: date
    territories: list[str] = Field(default=[], max_length=40)
    #: Record an election already held (refused otherwise, as a likely mistyped year).
    allow_past: bool = False


def election_json(election: Election) -> dict[str, Any]:
    return {
        "name": election.name,
        "polling_date": election.polling_date.isoformat(),
        "territories": election.countries,
        # What its statements of reasons name: the EU/EEA ones (empty: the instance's own).
        "statement_territories": election.territories,
    }
