"""Admission to decoding: the memory budget, the lanes and their bounded lines."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest

from accord.errors import MediaTooLarge, ServerBusy
from accord.media.kinds import MediaKind
from accord.server.decoding import (
    Admissions,
    DecodeBudget,
    Lane,
    LaneGate,
    default_decode_memory_bytes,
    lane_for,
)
from accord.server.runtime import LookupQueue

GIB = 1024**3
PICTURE, VIDEO = Path("picture.png"), Path("video.mp4")
#: Pictures over this many pixels are heavy.
LARGE = 16_000_000


def admissions(
    budget: int = 1000, *, slots: int = 1, wait: float = 0.0, shared: bool = False
) -> Admissions:
    return Admissions(
        DecodeBudget(budget),
        dict.fromkeys(Lane, slots),
        wait_seconds=wait,
        max_waiting=1,
        large_pixels=LARGE,
        shared_lane=shared,
    )


def test_each_kind_has_its_lane_and_signals_go_with_pictures() -> None:
    assert lane_for(MediaKind.IMAGE, 1_000_000, large_pixels=LARGE) is Lane.PICTURES
    assert lane_for(MediaKind.IMAGE, None, large_pixels=LARGE) is Lane.PICTURES
    assert lane_for(None, large_pixels=LARGE) is Lane.PICTURES
    assert lane_for(MediaKind.VIDEO, large_pixels=LARGE) is Lane.HEAVY
    assert lane_for(MediaKind.AUDIO, large_pixels=LARGE) is Lane.HEAVY
    assert admissions().lane_of(MediaKind.IMAGE, 80_000_000) is Lane.HEAVY
    assert admissions(shared=True).lane_of(MediaKind.VIDEO) is Lane.PICTURES
    assert admissions(shared=True).lane_of(MediaKind.IMAGE, 80_000_000) is Lane.PICTURES


def test_the_default_budget_is_a_quarter_of_memory_at_most_4_gib() -> None:
    assert 0 < default_decode_memory_bytes() <= 4 * GIB


def test_the_budget_never_holds_more_than_its_total() -> None:
    budget = DecodeBudget(100)
    budget.acquire(60, None, 1.0)
    with pytest.raises(ServerBusy) as busy:
        budget.acquire(60, 0.0, 7.0)  # a deadline already passed: no waiting
    assert busy.value.retry_after_seconds == 7.0
    budget.acquire(40, 0.0, 1.0)  # what still fits is taken at once
    assert (budget.in_use, budget.high_water) == (100, 100)
    budget.release(100)
    assert budget.in_use == 0


def test_a_file_costing_more_than_the_whole_budget_is_too_large_not_busy() -> None:
    with pytest.raises(MediaTooLarge, match="at most 100 at once"):
        DecodeBudget(100).acquire(101, None, 1.0)


def test_a_waiting_file_is_admitted_when_memory_frees_up() -> None:
    budget = DecodeBudget(100)
    budget.acquire(80, None, 1.0)
    admitted = threading.Event()

    def wait_for_memory() -> None:
        budget.acquire(50, None, 1.0)
        admitted.set()

    waiter = threading.Thread(target=wait_for_memory)
    waiter.start()
    assert not admitted.is_set()
    budget.release(80)
    waiter.join(timeout=30)
    assert admitted.is_set()
    assert budget.high_water == 80  # the two never held memory at once


def test_a_full_lane_lets_a_bounded_line_wait_and_refuses_the_rest_at_once() -> None:
    gate = LaneGate(Lane.HEAVY, slots=1, max_waiting=0)
    gate.acquire(None, 1.0)
    with pytest.raises(ServerBusy, match="heavy lane is full"):
        gate.acquire(None, 1.0)  # no room in the line: refused without waiting
    # Background work waits outside the line, as long as it takes.
    admitted = threading.Event()

    def background() -> None:
        gate.acquire(None, 1.0, queue=False)
        admitted.set()

    waiter = threading.Thread(target=background)
    waiter.start()
    gate.release()
    waiter.join(timeout=30)
    assert admitted.is_set()
    assert gate.running == 1


def test_a_full_lane_does_not_hold_up_another() -> None:
    gates = admissions(wait=0.0)
    held = threading.Event()
    done = threading.Event()

    def decode_a_video() -> None:
        with gates.admitted(Lane.HEAVY, 10, VIDEO):
            held.set()
            done.wait(timeout=30)

    video = threading.Thread(target=decode_a_video)
    video.start()
    assert held.wait(timeout=30)
    try:
        with pytest.raises(ServerBusy), gates.admitted(Lane.HEAVY, 10, Path("another.mp4")):
            pass
        with gates.admitted(Lane.PICTURES, 10, PICTURE):
            assert gates.budget.in_use == 20
    finally:
        done.set()
        video.join(timeout=30)
    assert gates.budget.in_use == 0


def test_with_one_shared_lane_a_video_holds_up_pictures() -> None:
    gates = admissions(wait=0.0, shared=True)
    with gates.admitted(Lane.HEAVY, 10, VIDEO):
        assert gates.gates[Lane.PICTURES].running == 1
        assert gates.gates[Lane.HEAVY].running == 0
        outcome = _in_another_thread(lambda: _admit(gates, Lane.PICTURES, PICTURE))
    assert isinstance(outcome, ServerBusy)


def test_work_inside_an_admission_is_already_counted() -> None:
    gates = admissions(budget=100, wait=0.0)
    with gates.admitted(Lane.ASSESSMENTS, 60, PICTURE):
        assert gates.holds(PICTURE)
        assert not gates.holds(VIDEO)
        # The assessment hashes its file, or a smaller one: no slot, no more memory.
        with gates.admitted(Lane.PICTURES, 60, PICTURE):
            assert gates.budget.in_use == 60
        with gates.admitted(Lane.PICTURES, 30, VIDEO):
            assert gates.budget.in_use == 60
        # A larger one asks for the difference only.
        with gates.admitted(Lane.PICTURES, 90, VIDEO):
            assert gates.budget.in_use == 90
            assert gates.holds(VIDEO)
        assert gates.budget.in_use == 60
        assert not gates.holds(VIDEO)
    assert gates.budget.in_use == 0
    assert not gates.holds(PICTURE)
    assert all(gate.running == 0 for gate in gates.gates.values())


def test_refused_memory_gives_the_lane_slot_back() -> None:
    gates = admissions(budget=100, wait=0.0)
    with pytest.raises(MediaTooLarge), gates.admitted(Lane.PICTURES, 101, PICTURE):
        pass
    assert gates.gates[Lane.PICTURES].running == 0
    assert gates.budget.in_use == 0


def test_each_lane_has_its_own_line_of_lookups() -> None:
    queue = LookupQueue({Lane.PICTURES: 3, Lane.HEAVY: 1, Lane.ASSESSMENTS: 1})

    async def limiters() -> tuple[float, float, bool]:
        pictures, recordings = queue.limiter(Lane.PICTURES), queue.limiter(Lane.HEAVY)
        return pictures.total_tokens, recordings.total_tokens, queue.limiter() is pictures

    assert anyio.run(limiters) == (3, 1, True)


def _admit(gates: Admissions, lane: Lane, file: Path) -> None:
    with gates.admitted(lane, 1, file):
        pass


def _in_another_thread(work: Callable[[], None]) -> BaseException | None:
    """What ``work`` raised in a thread of its own (admissions are per thread)."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            raised.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return raised[0] if raised else None


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    before = threading.active_count()
    yield
    assert threading.active_count() == before
