"""What is kept of a decision: never the prompt, only its digest and a redacted excerpt;
and what retention does with old decisions (tallied, deleted, figures unchanged)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.claims.verdicts import Category, Reason, Verdict
from accord.server.db.base import utc_now
from accord.server.guard.models import GuardDecision, GuardTally
from accord.server.guard.redaction import EXCERPT_CHARS, excerpt, redact
from accord.server.guard.service import figures, purge_expired, record_decision
from accord.server.settings import Settings
from accord.server.transparency.service import figures_for, period_between
from tests.integration.guard.conftest import ALLOWED, BLOCKED, ask


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("mail jan.peeters@gent.example now", "mail «email» now"),
        ("call +32 470 12 34 56 or (02) 123 45 67", "call «phone» or «phone»"),
        ("see https://vote.example/x?id=9 and www.vote.example", "see «url» and «url»"),
        ("card 4111111111111111, id 123456", "card «phone», id «number»"),
        ("vote on 13.10.2024 or 2024-10-13: text VOTE to 4455", None),
    ],
)
def test_personal_details_are_redacted(text: str, kept: str | None) -> None:
    assert redact(text) == (kept if kept is not None else text)


def test_an_excerpt_is_short_and_redacted_before_it_is_cut() -> None:
    long = "word " * 60 + "write to someone.with.a.long.address@example.org " + "x" * 500
    cut = excerpt(long)
    assert len(cut) <= EXCERPT_CHARS
    assert cut.endswith("…")
    assert "@" not in cut
    assert "example.org" not in excerpt("a" * 190 + " someone@example.org")


def test_a_decision_keeps_a_digest_and_an_excerpt_never_the_prompt(db_session: Session) -> None:
    prompt = "Jan Peeters saying 'vote by SMS', call me on 0470 12 34 56 " + "more " * 100
    reason = Reason(Category.VOTING_PROCESS, "no SMS voting", "0470 12 34 56", Verdict.BLOCK)
    decision = record_decision(
        db_session, kind="prompt", user="u1", client="test", tool="image", language="en",
        verdict=Verdict.BLOCK, reasons=[reason], prompt=prompt,
    )  # fmt: skip
    assert decision.prompt_sha256 == hashlib.sha256(prompt.encode()).hexdigest()
    assert decision.excerpt.startswith("Jan Peeters saying 'vote by SMS', call me on «phone»")
    assert len(decision.excerpt) <= EXCERPT_CHARS
    assert decision.category == "voting_process"
    assert decision.reasons[0]["evidence"] == "«phone»"
    assert prompt not in str(
        db_session.execute(select(GuardDecision.__table__)).all()  # every column of every row
    )


@pytest.mark.usefixtures("registered")
def test_old_decisions_are_tallied_then_deleted_and_figures_stay(
    db_session: Session, settings: Settings
) -> None:
    now = utc_now()
    old = now - timedelta(days=settings.guard_retention_days + 3)
    ask(db_session, settings, BLOCKED, now=old)
    ask(db_session, settings, ALLOWED, now=old)
    ask(db_session, settings, ALLOWED, now=old + timedelta(minutes=1))
    ask(db_session, settings, BLOCKED, now=now)
    start = datetime.combine(old.date() - timedelta(days=1), datetime.min.time(), UTC)
    before = figures(db_session, start, now + timedelta(seconds=1))
    assert before["prompts_screened"] == 4
    assert before["prompts_by_verdict"] == {"allow": 2, "review": 0, "block": 2}
    assert before["prompts_blocked_by_category"] == {"protected_person": 2}

    assert purge_expired(db_session, settings, now) == 3
    assert db_session.scalar(select(func.count(GuardDecision.id))) == 1
    tallies = {(t.verdict, t.blocked_for): t.count for t in db_session.scalars(select(GuardTally))}
    assert tallies == {("allow", ""): 2, ("block", "protected_person"): 1}
    assert figures(db_session, start, now + timedelta(seconds=1)) == before
    assert purge_expired(db_session, settings, now) == 0


def test_reasons_are_kept_as_short_redacted_excerpts(db_session: Session) -> None:
    prompt = "Jan Peeters says polls close early, call 0470 12 34 56. " * 160  # ~9,000
    assert len(prompt) > 8_900
    reasons = [
        Reason(Category.VOTING_PROCESS, f"a false claim: {prompt}", prompt, Verdict.BLOCK),
        Reason(Category.PROTECTED_PERSON, "names Jan Peeters", prompt, Verdict.BLOCK, "classifier"),
    ]
    decision = record_decision(
        db_session, kind="prompt", user="u1", client="test", tool="image", language="en",
        verdict=Verdict.BLOCK, reasons=reasons, prompt=prompt,
    )  # fmt: skip
    for kept in decision.reasons:
        assert len(kept["explanation"]) <= EXCERPT_CHARS
        assert len(kept["evidence"]) <= EXCERPT_CHARS
        assert "0470" not in kept["evidence"] + kept["explanation"]
    assert decision.reasons[1]["source"] == "classifier"
    row = str(db_session.execute(select(GuardDecision.__table__)).all())
    assert prompt not in row
    assert prompt[: EXCERPT_CHARS + 1] not in row


def test_figures_count_a_block_once_per_category_and_leave_out_trials(
    db_session: Session, settings: Settings
) -> None:
    def keep(user: str, *categories: Category) -> None:
        reasons = [Reason(category, "why", "", Verdict.BLOCK) for category in categories]
        reasons.append(Reason(Category.OFFICIAL_IMPERSONATION, "maybe", "", Verdict.REVIEW))
        record_decision(
            db_session, kind="prompt", user=user, client="test", tool="image", language="en",
            verdict=Verdict.BLOCK, reasons=reasons, prompt="p",
        )  # fmt: skip

    keep("u1", Category.PROTECTED_PERSON, Category.VOTING_PROCESS)
    keep("u2", Category.VOTING_PROCESS)
    keep("", Category.VOTING_PROCESS)  # an operator's trial
    now = utc_now()
    counted = figures(db_session, now - timedelta(hours=1), now + timedelta(seconds=1))
    assert counted["prompts_screened"] == 2
    assert counted["prompts_by_verdict"]["block"] == 2
    # official_impersonation was only a review reason: the prompts were not blocked for it.
    assert counted["prompts_blocked_by_category"] == {"protected_person": 1, "voting_process": 2}
    today = now.date()
    days = period_between(today - timedelta(days=1), today + timedelta(days=1), ZoneInfo("UTC"))
    report = figures_for(db_session, settings, days)
    assert report.generation_gate == figures(db_session, days.start, days.end) == counted

    later = now + timedelta(days=settings.guard_retention_days + 1)
    assert purge_expired(db_session, settings, later) == 3  # the trial goes untallied
    start = now - timedelta(days=1)
    assert figures(db_session, start, later) == counted
