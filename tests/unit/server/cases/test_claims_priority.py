"""A false claim about voting raises a case's priority (a strong one more than one to
check); a robocall (a protected person's voice or face saying it) is always urgent."""

from __future__ import annotations

from typing import Any

from accord.server.cases.queue import (
    CLAIM_POINTS,
    MODERATE_CLAIM_POINTS,
    ROBOCALL_POINTS,
    URGENT,
    priority,
)


def _claim(category: str = "voting_process", strength: str = "strong") -> dict[str, Any]:
    return {"category": category, "strength": strength, "from": "speech"}


def _points(**changes: object) -> tuple[int, list[str]]:
    arguments: dict[str, object] = {
        "protected_person": False, "band": "no_evidence_either_way", "days_to_election": None,
        "reach": 0, "trusted_flagger": False,
    } | changes  # fmt: skip
    return priority(**arguments)  # type: ignore[arg-type]


def _added_up(reasons: list[str]) -> int:
    return sum(int(reason.rsplit("+", 1)[1].rstrip(")")) for reason in reasons)


def test_a_false_claim_adds_its_points_once_with_words_a_reviewer_reads() -> None:
    plain, _ = _points()
    points, reasons = _points(claims=[_claim(), _claim()])
    assert points == plain + CLAIM_POINTS
    assert reasons[-1] == f"it says something false about voting (+{CLAIM_POINTS})"
    _, both = _points(claims=[_claim("official_impersonation"), _claim(), _claim("x", "moderate")])
    assert both[-1] == (
        "it says it comes from an election authority and it says something false about "
        f"voting (+{CLAIM_POINTS})"
    )


def test_a_claim_only_to_check_adds_less() -> None:
    plain, _ = _points()
    points, reasons = _points(claims=[_claim(strength="moderate")])
    assert points == plain + MODERATE_CLAIM_POINTS
    assert reasons[-1] == f"it may say something false about voting (+{MODERATE_CLAIM_POINTS})"


def test_a_robocall_is_urgent_whatever_else_adds_up() -> None:
    points, reasons = _points(protected_person=True, claims=[_claim()], robocall=True)
    assert points == 40 + 10 + CLAIM_POINTS + ROBOCALL_POINTS >= URGENT
    assert f"a protected person's voice or face says it (+{ROBOCALL_POINTS})" in reasons
    assert _added_up(reasons) == points
    # Its person gone from the register, far from any election: still urgent, and the
    # reasons still add up to the points.
    alone, why = _points(band="", claims=[_claim()], robocall=True)
    assert alone == URGENT
    assert why[-1] == f"a robocall is always urgent (+{URGENT - CLAIM_POINTS - ROBOCALL_POINTS})"
    assert _added_up(why) == alone


def test_no_claim_changes_nothing() -> None:
    assert _points(claims=[]) == _points()
