"""Histories of notice and action for the transparency tests, made through the real
services (notices filed and triaged, cases decided, copies decided automatically, appeals
heard) on a clock the test moves, so every event lands where the test puts it."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.server.appeals import service as appeals
from accord.server.appeals.models import Appeal
from accord.server.cases.models import Case
from accord.server.cases.service import case_items
from accord.server.db import base
from accord.server.decisions import service as decisions
from accord.server.decisions.models import ItemAction
from accord.server.notices import service as notices
from accord.server.notices.models import Notice
from accord.server.notices.schemas import NoticeDraft, Notifier
from accord.server.runtime import Runtime
from accord.server.triage.service import Findings, file_notice
from tests.integration.notice_action import PLATFORM, Staff

#: The notifier kinds a history's notices come from.
KINDS = ("public", "partner", "trusted_flagger", "protected_person")


class Clock:
    """``utc_now`` everywhere (column defaults included) reads this clock: it replaces the
    ``datetime`` that ``accord.server.db.base.utc_now`` calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        clock = self

        class _Frozen(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
                return clock.now

        monkeypatch.setattr(base, "datetime", _Frozen)

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def picture(number: int) -> bytes:
    """A small PNG of its own for each piece of content."""
    image = Image.new("RGB", (32, 32), (number * 37 % 256, number * 91 % 256, 120))
    image.putpixel((number % 32, number // 32 % 32), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass
class History:
    """Makes things happen; keeps what it made, for the steps that refer back to it."""

    runtime: Runtime
    session: Session
    staff: Staff
    files: Path
    notices: list[Notice] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)
    #: The case of each piece of content, once a notice brought it.
    cases: dict[int, Case] = field(default_factory=dict)

    def notice(self, kind: str, content: int, copy: int, reason: str = "") -> Notice:
        """A notice from a notifier of ``kind`` about copy ``copy`` of ``content``, filed in
        its case at once (as triage does); a standing decision reaches a new copy."""
        path = self.files / f"content-{content}.png"
        if not path.exists():
            path.write_bytes(picture(content))
        person_id = None
        if kind == "protected_person":
            notifier = Notifier(user=self.staff.candidate)
            reason, person_id = "deepfake_of_me", self.staff.jane.id
        elif kind in {"partner", "trusted_flagger"}:
            notifier = Notifier(key_name=kind, trusted_flagger=kind == "trusted_flagger")
        else:
            # One member of the public: their unfounded notices add up to a suspension.
            notifier = Notifier(name="A. Voter", email="voter@example.org")
        draft = NoticeDraft(
            reason=reason or "deceptive_ai_content",
            explanation="A fake picture of the candidate at a rally that never took place.",
            good_faith=True,
            person_id=person_id,
            url=f"https://{PLATFORM}.example/p/{content}-{copy}",
            platform=PLATFORM,
            platform_content_id=f"{content}-{copy}",
            uploader=f"uploader-{content}-{copy % 2}",
            media_name="picture.png",
        )
        notice, _token = notices.submit_notice(
            self.session, self.runtime.blobs, draft, notifier, path
        )
        case = file_notice(self.runtime, self.session, notice, Findings(media_kind="image"))
        self.cases[content] = case
        self.notices.append(notice)
        return notice

    def decide(
        self, content: int, action: str, ground: str = "incompatible", *, unfounded: bool = False
    ) -> None:
        case = self.cases[content]
        reviewer = self.staff.reviewer
        if case.assignee_id not in {None, reviewer.id}:
            reviewer = self.session.get(type(reviewer), case.assignee_id) or reviewer
        draft = decisions.DecisionDraft(
            action=action,
            explanation="Deceptive AI-made content about the election.",
            ground=ground,
            ground_text="Section 4.2 of the terms" if ground == "incompatible" else "Art. 12 EL",
            notices_unfounded=unfounded,
        )
        decisions.decide(self.runtime, self.session, case, reviewer, draft)

    def appeal_as_notifier(self, notice: Notice) -> None:
        self.appeals.append(
            appeals.appeal_as_notifier(
                self.runtime.settings, self.session, notice, "The decision is wrong, look again."
            )
        )

    def appeal_as_uploader(self, content: int, copy: int | None = None) -> None:
        """The uploader of copy ``copy`` of ``content`` (else of its newest restricted copy)
        appeals what was done to it last."""
        items = (
            [f"{content}-{copy}"]
            if copy is not None
            else [
                item.platform_content_id for item in case_items(self.session, self.cases[content])
            ]
        )
        codes = [
            code
            for item in items
            for code in decisions.codes_for_platform(
                self.runtime.settings, self.session, PLATFORM, platform_content_id=item
            )
        ]
        if not codes:
            raise LookupError("nothing to appeal")
        token = max(codes, key=lambda code: code.item_action.id).token
        self.appeals.append(
            appeals.appeal_as_uploader(
                self.runtime.settings, self.session, token, "My picture is a real one, really."
            )
        )

    def decide_appeal(self, number: int, *, reverse: bool) -> None:
        appeal = self.appeals[number % len(self.appeals)]
        appeals.decide_appeal(
            self.runtime,
            self.session,
            appeal,
            self.staff.senior,
            reverse_decision=reverse,
            reasons="Looked at it again with fresh eyes.",
        )


def statements_in_db(session: Session, start: datetime, end: datetime) -> int:
    """Counted without the query layer: what the figures must agree with."""
    return int(
        session.scalar(
            select(func.count(ItemAction.id)).where(
                ItemAction.statement.is_not(None),
                ItemAction.created_at >= start,
                ItemAction.created_at < end,
            )
        )
        or 0
    )


START = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)
