"""The appeals API's request bodies, an appeal and an appeal code as JSON, and the
vocabulary other domains name appeals by."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.server.appeals.models import APPEAL_STATUS_LABELS, APPELLANT_LABELS, AppealStatus
from accord.server.decisions.schemas import appeal_deadline

if TYPE_CHECKING:
    from accord.server.appeals.models import Appeal
    from accord.server.decisions.appeal_codes import AppealCode
    from accord.server.settings import Settings

#: The enum and its words live beside the table that stores its values; other domains
#: name them from here.
__all__ = [
    "APPEAL_STATUS_LABELS",
    "APPELLANT_LABELS",
    "AppealDecisionIn",
    "AppealStatus",
    "UploaderAppealIn",
    "appeal_json",
    "code_json",
]


class UploaderAppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(max_length=200)
    reason: str = Field(max_length=5000)
    #: Where to send the outcome; the platform hears it in any case.
    contact_email: str = Field(default="", max_length=320)


class AppealDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["upheld", "reversed"]
    reasons: str = Field(max_length=5000)


def appeal_json(appeal: Appeal) -> dict[str, Any]:
    return {
        "reference": appeal.reference,
        "status": appeal.status,
        "appellant": appeal.appellant_kind,
        "reason": appeal.reason,
        "received_at": appeal.received_at.isoformat(),
        "due_at": appeal.due_at.isoformat(),
        "reasons": appeal.reasons,
        "decided_at": appeal.decided_at.isoformat() if appeal.decided_at else None,
    }


def code_json(settings: Settings, code: AppealCode) -> dict[str, Any]:
    """A restricted copy and the code its uploader appeals with, as a platform fetches it."""
    until = appeal_deadline(settings, code.decision)
    return {
        "puid": code.item_action.puid,
        "case": code.case_reference,
        "decision": code.decision.id,
        "action": code.decision.action,
        "automated": code.decision.reviewer_id is None,
        "item": {
            "url": code.item.url,
            "platform_content_id": code.item.platform_content_id,
            "uploader": code.item.uploader,
        },
        "appeal": {"token": code.token, "until": until.isoformat()},
        "reversed": code.decision.reversed_at is not None,
    }
