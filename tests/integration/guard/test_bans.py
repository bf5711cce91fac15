"""Strikes and bans: three blocks within the window ban a user (and only them), a banned
user's prompts are refused unscreened, a ban is lifted by an admin or a granted appeal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.claims.verdicts import Category, Verdict
from accord.errors import BadRequest, Conflict, NotFound
from accord.server.audit.models import AuditEntry
from accord.server.audit.service import install_audit_trail
from accord.server.db.base import utc_now
from accord.server.guard.models import GuardBan, GuardDecision
from accord.server.guard.service import (
    appeal_ban,
    decide_appeal,
    list_bans,
    screen_prompt_for,
    unban,
    user_status,
)
from accord.server.settings import Settings
from tests.integration.guard.conftest import ALLOWED, BLOCKED, SCREEN, ask

pytestmark = pytest.mark.usefixtures("registered")


def test_three_blocks_ban_the_user_and_no_one_else(db_session: Session, settings: Settings) -> None:
    first = ask(db_session, settings, BLOCKED)
    assert first.screening.verdict is Verdict.BLOCK
    assert first.user_status.strikes == 1
    assert not first.user_status.banned
    assert ask(db_session, settings, ALLOWED).screening.verdict is Verdict.ALLOW  # no strike
    ask(db_session, settings, BLOCKED)
    third = ask(db_session, settings, BLOCKED)
    assert third.user_status.banned
    assert third.user_status.strikes == settings.guard_ban_after == 3
    until = third.user_status.until
    assert until is not None
    assert timedelta(hours=71.9) < until - utc_now() <= timedelta(hours=72)

    fourth = ask(db_session, settings, ALLOWED)  # even a harmless prompt: not screened
    assert fourth.screening.verdict is Verdict.BLOCK
    assert [r.category for r in fourth.screening.reasons] == [Category.USER_BANNED]
    assert f"{until:%Y-%m-%d %H:%M}" in fourth.screening.reasons[0].explanation
    kept = db_session.get(GuardDecision, fourth.decision_id)
    assert kept is not None
    assert (kept.verdict, kept.category) == ("block", "user_banned")

    other = ask(db_session, settings, ALLOWED, user="u2")
    assert other.screening.verdict is Verdict.ALLOW
    assert not other.user_status.banned
    assert len(db_session.scalars(select(GuardBan)).all()) == 1


def test_blocks_outside_the_window_do_not_count(db_session: Session, settings: Settings) -> None:
    now = utc_now()
    ask(db_session, settings, BLOCKED, now=now - timedelta(hours=30))
    ask(db_session, settings, BLOCKED, now=now - timedelta(hours=25))
    answer = ask(db_session, settings, BLOCKED, now=now)
    assert not answer.user_status.banned
    assert answer.user_status.strikes == 1
    ask(db_session, settings, BLOCKED, now=now + timedelta(hours=1))
    banned = ask(db_session, settings, BLOCKED, now=now + timedelta(hours=2))
    assert banned.user_status.banned


def test_a_ban_ends_by_itself(db_session: Session, settings: Settings) -> None:
    now = utc_now() - timedelta(hours=80)
    for minute in range(3):
        ask(db_session, settings, BLOCKED, now=now + timedelta(minutes=minute))
    status = user_status(db_session, settings, "test", "u1", utc_now())
    assert not status.banned
    assert status.strikes == 0  # the served ban wiped the slate
    assert ask(db_session, settings, ALLOWED).screening.verdict is Verdict.ALLOW


def test_unban_needs_a_reason_and_is_audited(db_session: Session, settings: Settings) -> None:
    install_audit_trail()  # as every session of the server has it
    for _ in range(3):
        ask(db_session, settings, BLOCKED)
    with pytest.raises(BadRequest, match="reason"):
        unban(db_session, "u1", client="test", reason=" ", by="admin@ec.example", now=utc_now())
    ban = unban(db_session, "u1", client="test", reason="a researcher's test account",
                by="admin@ec.example", now=utc_now())  # fmt: skip
    assert ban.lifted_by == "admin@ec.example"
    assert not user_status(db_session, settings, "test", "u1", utc_now()).banned
    audited = db_session.scalars(
        select(AuditEntry).where(AuditEntry.table == "guard_bans", AuditEntry.action == "update")
    ).one()
    assert audited.reason == "a researcher's test account"
    assert audited.after is not None
    assert audited.after["lift_reason"] == "a researcher's test account"
    # The blocks before the ban do not ban them again at the next block.
    assert not ask(db_session, settings, BLOCKED).user_status.banned
    with pytest.raises(NotFound, match="not banned"):
        unban(db_session, "u1", client="test", reason="again", by="admin@ec.example", now=utc_now())


def test_a_granted_appeal_lifts_the_ban(db_session: Session, settings: Settings) -> None:
    with pytest.raises(NotFound):
        appeal_ban(db_session, "test", "u1", "I am not banned", utc_now())
    for _ in range(3):
        ask(db_session, settings, BLOCKED)
    appeal = appeal_ban(db_session, "test", "u1", "I was testing our own filter", utc_now())
    with pytest.raises(Conflict, match="pending"):
        appeal_ban(db_session, "test", "u1", "again", utc_now())
    with pytest.raises(BadRequest, match="reason"):
        decide_appeal(db_session, appeal.id, grant=True, reason="", by="a", now=utc_now())
    decide_appeal(db_session, appeal.id, grant=True, reason="a known tester", by="admin",
                  now=utc_now())  # fmt: skip
    assert appeal.status == "granted"
    assert list_bans(db_session, utc_now()) == []
    with pytest.raises(Conflict, match="granted already"):
        decide_appeal(db_session, appeal.id, grant=False, reason="x", by="admin", now=utc_now())


def test_unbanning_grants_the_pending_appeal(db_session: Session, settings: Settings) -> None:
    for _ in range(3):
        ask(db_session, settings, BLOCKED)
    appeal = appeal_ban(db_session, "test", "u1", "I was writing a debunk", utc_now())
    unban(db_session, "u1", client="test", reason="the debunk checks out", by="admin",
          now=utc_now())  # fmt: skip
    assert appeal.status == "granted"
    assert appeal.decision_reason == "the ban was lifted: the debunk checks out"
    assert appeal.decided_by == "admin"


def test_a_rejected_appeal_leaves_the_ban(db_session: Session, settings: Settings) -> None:
    for _ in range(3):
        ask(db_session, settings, BLOCKED)
    appeal = appeal_ban(db_session, "test", "u1", "please", utc_now())
    decide_appeal(db_session, appeal.id, grant=False, reason="deliberate", by="admin",
                  now=utc_now())  # fmt: skip
    assert user_status(db_session, settings, "test", "u1", utc_now()).banned


def test_a_user_is_a_clients_user_and_another_clients_namesake_is_unaffected(
    db_session: Session, settings: Settings
) -> None:
    for _ in range(3):
        ask(db_session, settings, BLOCKED, user="sam", client="imagegen")
    assert user_status(db_session, settings, "imagegen", "sam", utc_now()).banned
    namesake = ask(db_session, settings, ALLOWED, user="sam", client="voicegen")
    assert namesake.screening.verdict is Verdict.ALLOW
    assert (namesake.user_status.banned, namesake.user_status.strikes) == (False, 0)
    # Their strikes are their own too: one block of theirs is no fourth strike.
    theirs = ask(db_session, settings, BLOCKED, user="sam", client="voicegen").user_status
    assert theirs.strikes == 1
    with pytest.raises(NotFound):
        appeal_ban(db_session, "voicegen", "sam", "I am not banned", utc_now())
    appeal = appeal_ban(db_session, "imagegen", "sam", "a test", utc_now())
    assert appeal.status == "pending"
    with pytest.raises(NotFound, match="voicegen"):
        unban(db_session, "sam", client="voicegen", reason="x", by="admin", now=utc_now())
    ban = unban(db_session, "sam", client=None, reason="only one", by="admin", now=utc_now())
    assert (ban.client, ban.user) == ("imagegen", "sam")


def test_unban_without_a_client_asks_for_one_when_several_banned_the_name(
    db_session: Session, settings: Settings
) -> None:
    for client in ("imagegen", "voicegen"):
        for _ in range(3):
            ask(db_session, settings, BLOCKED, user="sam", client=client)
    with pytest.raises(BadRequest, match="'imagegen', 'voicegen'"):
        unban(db_session, "sam", client=None, reason="x", by="admin", now=utc_now())
    unban(db_session, "sam", client="voicegen", reason="x", by="admin", now=utc_now())
    assert user_status(db_session, settings, "imagegen", "sam", utc_now()).banned
    assert not user_status(db_session, settings, "voicegen", "sam", utc_now()).banned


def test_a_user_is_named_alike_at_every_door(db_session: Session, settings: Settings) -> None:
    composed, decomposed = "Zo\u00eb", "Zoe\u0308"
    for name in (composed, f"  {decomposed} ", decomposed):
        ask(db_session, settings, BLOCKED, user=name)
    assert user_status(db_session, settings, "test", f" {composed}", utc_now()).banned
    appeal_ban(db_session, "test", decomposed, "please", utc_now())
    ban = unban(db_session, decomposed, client="test", reason="x", by="admin", now=utc_now())
    assert ban.user == composed
    with pytest.raises(BadRequest, match="missing"):
        user_status(db_session, settings, "test", "   ", utc_now())
    with pytest.raises(BadRequest, match="at most 200"):
        ask(db_session, settings, ALLOWED, user="x" * 201)


def test_an_operators_trial_is_kept_but_no_strike_and_no_ban_applies(
    db_session: Session, settings: Settings
) -> None:
    for _ in range(3):
        ask(db_session, settings, BLOCKED, user="cli", client="cli")  # a user named "cli"
    for _ in range(4):
        trial = screen_prompt_for(
            db_session, settings, prompt=BLOCKED, tool="image", user=None, language="en",
            client="cli", screen=SCREEN,
        )  # fmt: skip
        assert trial.screening.verdict is Verdict.BLOCK  # screened, not refused for a ban
        assert trial.user_status is None
    kept = db_session.get(GuardDecision, trial.decision_id)
    assert kept is not None
    assert (kept.user, kept.client, kept.category) == ("", "cli", "protected_person")
    assert [ban.user for ban in list_bans(db_session, utc_now())] == ["cli"]
