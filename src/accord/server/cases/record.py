"""A case as its readers see it, gathered from the domains that keep its parts: who it is
about (``persons``) and who works on it (``accounts``), its notices (``notices``), its
decisions and what each did to every copy (``decisions``), the appeals against them
(``appeals``) and its history (``audit``). Each domain formats its own rows;
``schemas.case_summary`` and ``schemas.case_json`` put them together. The router and the
pages answer with them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.server.accounts.service import user_by_id
from accord.server.appeals.schemas import appeal_json
from accord.server.appeals.service import appeals_of_decision
from accord.server.audit.schemas import history_json
from accord.server.audit.service import history_of
from accord.server.cases.schemas import case_json, case_summary
from accord.server.cases.service import case_items
from accord.server.decisions.schemas import decision_for_reviewer
from accord.server.decisions.service import actions_of_decision, decisions_of_case
from accord.server.notices.service import notices_of_case
from accord.server.persons.service import get_person
from accord.server.webhooks.service import platforms_without_webhook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from accord.server.cases.models import Case
    from accord.server.settings import Settings


def summary_of(session: Session, case: Case) -> dict[str, Any]:
    """The case as the queue lists it."""
    return case_summary(
        case,
        person=get_person(session, case.person_id) if case.person_id else None,
        assignee=_email(session, case.assignee_id),
        notices=len(notices_of_case(session, case.id)),
    )


def case_record(
    settings: Settings, session: Session, case: Case, *, with_codes: bool = False
) -> dict[str, Any]:
    """The whole case, for reviewers, auditors and admins; ``with_codes`` adds each
    restricted copy's appeal code (for reviewers, to pass on where no webhook carried it)."""
    items = case_items(session, case)
    by_id = {item.id: item for item in items}
    decisions = decisions_of_case(session, case.id)
    shown = []
    for decision in decisions:
        actions = actions_of_decision(session, decision.id)
        shown.append(
            decision_for_reviewer(
                settings,
                decision,
                reviewer=_email(session, decision.reviewer_id),
                copies=[(a, by_id[a.item_id]) for a in actions if a.item_id in by_id],
                appeals=[appeal_json(a) for a in appeals_of_decision(session, decision.id)],
                with_codes=with_codes,
            )
        )
    history = history_of(
        session, {"cases": [str(case.id)], "decisions": [str(d.id) for d in decisions]}
    )
    return case_json(
        case,
        summary_of(session, case),
        items=items,
        notices=notices_of_case(session, case.id),
        platforms_without_webhook=platforms_without_webhook(
            session, {item.platform for item in items}
        ),
        decisions=shown,
        history=[history_json(entry) for entry in history],
    )


def _email(session: Session, user_id: int | None) -> str | None:
    user = user_by_id(session, user_id) if user_id else None
    return user.email if user else None
