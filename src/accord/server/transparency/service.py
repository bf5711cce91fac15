"""The numbers a DSA transparency report asks of notice and action (Art. 15(1)(b)-(d),
Art. 24(1)(b)) for a period: notices, actions, complaints and suspensions, with the median
times the harmonised templates of Implementing Regulation (EU) 2024/2835 ask for; and the
generation gate's figures beside them."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from accord.server.appeals.schemas import AppealStatus
from accord.server.appeals.service import appeals_received_between
from accord.server.decisions.service import (
    decided_between,
    first_decided_after,
    statements_issued_between,
)
from accord.server.guard.service import figures as generation_gate_figures
from accord.server.measures.schemas import MeasureKind
from accord.server.measures.service import imposed_between
from accord.server.notices.schemas import NotifierKind
from accord.server.notices.service import received_between

if TYPE_CHECKING:
    from accord.server.appeals.models import Appeal
    from accord.server.decisions.models import Decision
    from accord.server.measures.models import AccountMeasure
    from accord.server.notices.models import Notice

_HOUR = 3600.0


def transparency_report(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    """Counts for ``start <= moment < end``: notices by when they arrived, decisions and
    appeals by when they were taken, measures by when they were imposed."""
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "notices": _notices(session, received_between(session, start, end)),
        "decisions": _decisions(decided_between(session, start, end)),
        "statements_of_reasons": statements_issued_between(session, start, end),
        "appeals": _appeals(appeals_received_between(session, start, end)),
        "suspensions": _suspensions(imposed_between(session, start, end)),
        # The safety architecture of generation services (prompts screened and blocked,
        # bans of abusers and appeals of them): not a DSA figure, reported beside them.
        "generation_gate": generation_gate_figures(session, start, end),
    }


def _notices(session: Session, notices: Sequence[Notice]) -> dict[str, Any]:
    hours_to_decision = []
    for notice in notices:
        if notice.case_id is None:
            continue
        first = first_decided_after(session, notice.case_id, notice.received_at)
        if first is not None:
            hours_to_decision.append((first - notice.received_at).total_seconds() / _HOUR)
    return {
        "received": len(notices),
        "by_reason": dict(Counter(notice.reason for notice in notices)),
        "by_notifier": dict(Counter(notice.notifier_kind for notice in notices)),
        "from_trusted_flaggers": sum(
            notice.notifier_kind == NotifierKind.TRUSTED_FLAGGER for notice in notices
        ),
        "decided": len(hours_to_decision),
        "median_hours_to_decision": _median(hours_to_decision),
    }


def _decisions(decisions: Sequence[Decision]) -> dict[str, Any]:
    restrictive = [d for d in decisions if d.action != "no_action"]
    return {
        "taken": len(decisions),
        "by_action": dict(Counter(decision.action for decision in decisions)),
        # Art. 15(1)(b): actions on the basis of the law or of the terms and conditions.
        "restrictive_by_ground": dict(Counter(decision.ground for decision in restrictive)),
        "automated": sum(decision.reviewer_id is None for decision in decisions),
        "reversed_since": sum(decision.reversed_at is not None for decision in decisions),
    }


def _appeals(appeals: Sequence[Appeal]) -> dict[str, Any]:
    decided = [appeal for appeal in appeals if appeal.decided_at is not None]
    hours = [
        (appeal.decided_at - appeal.received_at).total_seconds() / _HOUR
        for appeal in decided
        if appeal.decided_at is not None
    ]
    late = sum(
        appeal.decided_at is not None and appeal.decided_at > appeal.due_at for appeal in appeals
    )
    return {
        "received": len(appeals),
        "by_appellant": dict(Counter(appeal.appellant_kind for appeal in appeals)),
        "decided": len(decided),
        "reversed": sum(appeal.status == AppealStatus.REVERSED for appeal in appeals),
        "upheld": sum(appeal.status == AppealStatus.UPHELD for appeal in appeals),
        "decided_after_deadline": late,
        "median_hours_to_decision": _median(hours),
    }


def _suspensions(measures: Sequence[AccountMeasure]) -> dict[str, int]:
    """Art. 24(1)(b): suspensions for manifestly illegal content (uploaders) and for
    manifestly unfounded notices (notifiers)."""
    suspended = [m for m in measures if m.kind != MeasureKind.WARNING]
    return {
        "warnings": sum(m.kind == MeasureKind.WARNING for m in measures),
        "uploaders_for_illegal_or_incompatible_content": sum(
            m.subject_kind == "uploader" for m in suspended
        ),
        "notifiers_for_unfounded_notices": sum(m.subject_kind == "notifier" for m in suspended),
    }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None
