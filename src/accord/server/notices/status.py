"""What a notifier sees of their notice: the notice, the decision that applies to it and
their appeals, gathered from the domains that keep them, for the notice's API route and
its page alike (the decisions and appeals services build on the notices service, so this
sits above all three)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.server.appeals.service import appeals_of_notice
from accord.server.decisions.service import latest_decision_for_notice
from accord.server.notices.schemas import notice_json
from accord.server.notices.service import case_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from accord.server.notices.models import Notice
    from accord.server.settings import Settings


def notice_view(
    settings: Settings, session: Session, notice: Notice, *, own: bool = True
) -> dict[str, Any]:
    """``notices.schemas.notice_json`` of ``notice``, with its case, decision and appeals."""
    case = case_of(session, notice)
    # Reversed or not: a notifier is told the decision was undone, not that none exists.
    decision = latest_decision_for_notice(session, notice)
    return notice_json(
        settings,
        notice,
        case_reference=case.reference if case is not None else None,
        decision=decision,
        appeals=appeals_of_notice(session, notice) if own else [],
        own=own,
    )
