"""The generation gate's API bodies, its answers, and the JSON they are written as."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from accord.claims.verdicts import Screening

if TYPE_CHECKING:
    from accord.server.guard.models import GuardAppeal, GuardBan, GuardDecision

#: Who lifts a ban from the command line (``GuardBan.lifted_by``).
CLI_CLIENT = "cli"
#: The client a decision names when API keys are optional and none was sent.
ANONYMOUS_CLIENT = "api"
#: ``Reason.source`` of the reason a banned user's prompt is refused for.
BAN_SOURCE = "ban"


class PromptIn(BaseModel):
    """``POST /v1/guard/prompt``. ``prompt`` and ``tool`` are checked by the service, so
    that an empty or overlong prompt and an unknown tool get their own clear answers."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(description="The prompt, as the user typed it (at most 10,000 characters)")
    tool: str = Field(description="What is to be made: image, voice, video or text")
    user: str = Field(
        min_length=1, max_length=200, description="The generation service's user, as it names them"
    )
    language: str | None = Field(
        default=None, max_length=16, description="en, nl, fr or de; detected when omitted"
    )


class AppealIn(BaseModel):
    """``POST /v1/guard/appeals``: a banned user's appeal, forwarded by the service."""

    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1, max_length=200)
    statement: str = Field(min_length=1, max_length=5000, description="Why the ban is wrong")


@dataclass(frozen=True, slots=True)
class UserStatus:
    banned: bool
    until: datetime | None
    #: Blocked prompts that count towards the next ban (within the window, since the
    #: last ban began).
    strikes: int
    ban_after: int


@dataclass(frozen=True, slots=True)
class GuardAnswer:
    """A screened (or, for a banned user, refused) prompt and where its user stands."""

    screening: Screening
    #: None when screened for no one (an operator trying prompts on the command line).
    user_status: UserStatus | None
    decision_id: int


def status_json(status: UserStatus) -> dict[str, Any]:
    return {
        "banned": status.banned,
        "until": status.until.isoformat() if status.until else None,
        "strikes": status.strikes,
        "ban_after": status.ban_after,
    }


def answer_json(answer: GuardAnswer) -> dict[str, Any]:
    screening = answer.screening
    return {
        "verdict": screening.verdict.value,
        "language": screening.language,
        "categories": [category.value for category in screening.categories],
        "reasons": [reason.to_json() for reason in screening.reasons],
        "user_status": status_json(answer.user_status) if answer.user_status else None,
        "decision_id": answer.decision_id,
    }


def decision_json(decision: GuardDecision) -> dict[str, Any]:
    return {
        "id": decision.id,
        "at": decision.created_at.isoformat(),
        "user": decision.user,
        "client": decision.client,
        "kind": decision.kind,
        "tool": decision.tool,
        "language": decision.language,
        "verdict": decision.verdict,
        "category": decision.category,
        "reasons": decision.reasons,
        "prompt_sha256": decision.prompt_sha256,
        "excerpt": decision.excerpt,
    }


def ban_json(ban: GuardBan) -> dict[str, Any]:
    return {
        "id": ban.id,
        "client": ban.client,
        "user": ban.user,
        "started_at": ban.started_at.isoformat(),
        "until": ban.until.isoformat(),
        "strikes": ban.strikes,
        "lifted_at": ban.lifted_at.isoformat() if ban.lifted_at else None,
        "lifted_by": ban.lifted_by or None,
        "lift_reason": ban.lift_reason or None,
    }


def appeal_json(appeal: GuardAppeal) -> dict[str, Any]:
    return {
        "id": appeal.id,
        "ban_id": appeal.ban_id,
        "statement": appeal.statement,
        "submitted_at": appeal.submitted_at.isoformat(),
        "status": appeal.status,
        "decided_at": appeal.decided_at.isoformat() if appeal.decided_at else None,
        "decision_reason": appeal.decision_reason or None,
    }


@dataclass(frozen=True, slots=True)
class StampRequest:
    #: An issuer registered with ``accord issuer add``: the generator.
    issuer: str
    #: The generation service's user.
    user: str
    prompt: str | None = None
    #: The API key's name, or "cli".
    client: str = ""
    #: The file's name as the generator gave it (an upload's); default: the path's.
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Stamped:
    record_id: str
    #: The issuer's organisation, as the Content Credentials name the generator.
    generator: str
    #: The stamped file.
    data: bytes
    #: ``NAME.stamped.SUFFIX``, with only characters safe in a header.
    file_name: str
    media_type: str


def stamped_name(name: str) -> str:
    """``<stem>.stamped<suffix>``, with only characters that are safe in a header: the one
    name a stamped copy gets, from the API and the command line alike."""
    safe = Path(re.sub(r"[^A-Za-z0-9._-]", "_", Path(name or "file").name)[-100:])
    return f"{safe.stem}.stamped{safe.suffix}"
