"""How a recording is sampled when it is over the cap."""

from __future__ import annotations

import itertools

import pytest

from accord.speech.windows import STRETCH_SECONDS, listening_plan


@pytest.mark.parametrize("duration", [0.5, 60.0, 120.0])
def test_a_recording_up_to_the_cap_is_heard_whole(duration: float) -> None:
    assert listening_plan(duration, 120.0) == ((0.0, duration),)


def test_an_empty_recording_has_nothing_to_hear() -> None:
    assert listening_plan(0.0, 120.0) == ()


def test_a_long_recording_is_sampled_evenly_from_start_to_end() -> None:
    plan = listening_plan(7200.0, 120.0)
    assert len(plan) == 4
    assert plan[0] == (0.0, STRETCH_SECONDS)
    assert plan[-1] == (7200.0 - STRETCH_SECONDS, 7200.0)
    assert all(end - start == pytest.approx(STRETCH_SECONDS) for start, end in plan)
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(plan)]
    assert gaps == pytest.approx([gaps[0]] * 3)
    assert sum(end - start for start, end in plan) <= 120.0


def test_just_over_the_cap_the_stretches_do_not_overlap() -> None:
    plan = listening_plan(121.0, 120.0)
    assert len(plan) == 4
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(plan))
    assert plan[-1][1] == 121.0


def test_a_cap_under_one_stretch_hears_the_start() -> None:
    assert listening_plan(50.0, 20.0) == ((0.0, 20.0),)


def test_a_cap_of_one_stretch_and_a_half_hears_one() -> None:
    assert listening_plan(300.0, 45.0) == ((0.0, STRETCH_SECONDS),)


@pytest.mark.parametrize(("duration", "cap"), [(10.0, 0.0), (10.0, -1.0), (-1.0, 10.0)])
def test_bad_arguments_are_refused(duration: float, cap: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        listening_plan(duration, cap)


def test_infinity_is_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        listening_plan(float("inf"), 10.0)
