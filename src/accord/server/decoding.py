"""Admission to decoding: one memory budget per process, and lanes so heavy work never
starves picture lookups.

Every path that decodes an uploaded file (hashing, matching, banks, HMA, assessments,
credentials verification, the Verify page, triage) runs its decoding inside
``Admissions.admitted``, which takes two things before the decoding starts:

- a slot in the file's lane: ``pictures`` (images, and lookups by signals), ``heavy``
  (video, audio, and pictures over ``ACCORD_SANDBOX_IMAGE_PIXELS``) or ``assessments``
  (any file, assessed), each with its own number of slots. A lane's slots bound how
  many of its files decode at once, so four clients posting long videos (or 80-megapixel
  pictures) fill the heavy lane and the pictures lane stays free;
- the file's share of the memory budget: the bytes its decoding takes at its peak
  (``accord.media.cost``). The files decoding at once never hold more than the budget.

Both are waited for in the request's worker thread, for at most ``wait_seconds`` in
all; past that the request is answered 503 with ``Retry-After`` (``ServerBusy``). A lane
lets only ``max_waiting`` requests wait at once and answers the rest 503 at once, so
waiting for a busy lane cannot take every worker thread from the others. A file that
alone costs more than the whole budget could never be admitted: ``MediaTooLarge`` (413).

Admission is per thread and taken once: work done inside an admitted block (an
assessment that hashes its file, a lookup that hashes twice) is already counted, and
asks only for the memory its own file costs beyond what is held.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from accord.errors import MediaTooLarge, ServerBusy
from accord.media.kinds import MediaKind

GIB = 1024**3
#: An assessment holds more than a hash of the same file: the picture's forensic maps and
#: the producers' copies beside the decoded pixels. Measured by
#: ``benchmarks/decode_memory.py``: an 80-megapixel PNG's assessment peaked 2.50 GiB over
#: the idle server, where its hash, which ``accord.media.cost`` prices, takes 1.45.
ASSESSMENT_COST_SCALE = 1.8


class Lane(StrEnum):
    PICTURES = "pictures"
    #: Videos, sound, and pictures so large that decoding one takes seconds.
    HEAVY = "heavy"
    ASSESSMENTS = "assessments"


def lane_for(kind: MediaKind | None, pixels: int | None = None, *, large_pixels: int) -> Lane:
    """The lane a lookup or hash of media of ``kind`` waits in: videos, sound and pictures
    of more than ``large_pixels`` (``pixels``, where known) are heavy; None (signals, or a
    file not recognised yet) is as light as a picture."""
    if kind in (MediaKind.VIDEO, MediaKind.AUDIO):
        return Lane.HEAVY
    return Lane.HEAVY if pixels is not None and pixels > large_pixels else Lane.PICTURES


def default_decode_memory_bytes() -> int:
    """A quarter of the machine's memory, at most 4 GiB: room for two 80-megapixel
    pictures at once, and for the rest of the process beside them."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):  # not every system says
        return 4 * GIB
    return min(4 * GIB, memory // 4)


def _deadline_passed(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


class _Line:
    """Requests waiting for something a condition guards, counted as they wait."""

    def __init__(self) -> None:
        self.waiting = 0
        self._changed = threading.Condition()

    def wait_for_waiting(self, count: int, timeout: float) -> bool:
        """Whether ``count`` requests are waiting, within ``timeout`` seconds (for health
        checks, and tests that must know a request is waiting before going on)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.waiting >= count, timeout)

    def _wait(self, ready: Callable[[], bool], deadline: float | None) -> bool:
        """Wait, holding the lock, until ``ready()``; False once ``deadline`` passes."""
        self.waiting += 1
        self._changed.notify_all()  # for ``wait_for_waiting``
        try:
            while not ready():
                if _deadline_passed(deadline):
                    return False
                self._changed.wait(_remaining(deadline))
            return True
        finally:
            self.waiting -= 1


class DecodeBudget(_Line):
    """Bytes of decoding memory, shared by every file this process decodes at once."""

    def __init__(self, total: int) -> None:
        super().__init__()
        self.total = total
        self.in_use = 0
        #: The most ever held at once: what tests and operators check the bound by.
        self.high_water = 0

    def acquire(self, cost: int, deadline: float | None, retry_after: float) -> None:
        """Take ``cost`` bytes, waiting until ``deadline`` (None: for as long as it takes)."""
        if cost > self.total:
            msg = (
                f"decoding the file would take about {cost:,} bytes of memory; this server "
                f"decodes at most {self.total:,} at once"
            )
            raise MediaTooLarge(msg)
        with self._changed:
            # Whoever fits goes first: a large file must not hold up the small ones queued
            # behind it, and it waits no longer than the deadline.
            if not self._wait(lambda: self.in_use + cost <= self.total, deadline):
                msg = "the server is decoding all the media it can hold; try again shortly"
                raise ServerBusy(msg, retry_after)
            self.in_use += cost
            self.high_water = max(self.high_water, self.in_use)

    def release(self, cost: int) -> None:
        with self._changed:
            self.in_use -= cost
            self._changed.notify_all()


class LaneGate(_Line):
    """One lane's slots, and the bounded line of requests waiting for one."""

    def __init__(self, lane: Lane, slots: int, max_waiting: int) -> None:
        super().__init__()
        self.lane = lane
        self.slots = slots
        self.max_waiting = max_waiting
        self.running = 0

    def acquire(self, deadline: float | None, retry_after: float, *, queue: bool = True) -> None:
        """Take a slot, waiting until ``deadline``; ``queue=False`` waits outside the
        bounded line (background work, which holds no request's thread)."""
        busy = f"the server's {self.lane} lane is full; try again shortly"
        with self._changed:
            if self.running >= self.slots and queue and self.waiting >= self.max_waiting:
                raise ServerBusy(busy, retry_after)
            if not self._wait(lambda: self.running < self.slots, deadline):
                raise ServerBusy(busy, retry_after)
            self.running += 1

    def release(self) -> None:
        with self._changed:
            self.running -= 1
            self._changed.notify_all()


@dataclass(frozen=True, slots=True)
class _Held:
    """What this thread's admission holds: its lane, bytes, and the files counted."""

    lane: Lane
    cost: int
    files: frozenset[Path]


class Admissions:
    """The lanes and the budget of one process."""

    def __init__(
        self,
        budget: DecodeBudget,
        slots: Mapping[Lane, int],
        *,
        wait_seconds: float,
        max_waiting: int,
        large_pixels: int,
        shared_lane: bool = False,
    ) -> None:
        self.budget = budget
        self.wait_seconds = wait_seconds
        #: Pictures over this many pixels decode in the heavy lane (and in a worker
        #: process: the same ``ACCORD_SANDBOX_IMAGE_PIXELS``).
        self.large_pixels = large_pixels
        #: Every kind in the pictures lane: one line for all, as before lanes existed
        #: (for comparing with it; ``ACCORD_DECODE_SHARED_LANE``).
        self.shared_lane = shared_lane
        self.gates = {lane: LaneGate(lane, slots[lane], max_waiting) for lane in Lane}
        self._held = threading.local()

    def lane_of(self, kind: MediaKind | None, pixels: int | None = None) -> Lane:
        if self.shared_lane:
            return Lane.PICTURES
        return lane_for(kind, pixels, large_pixels=self.large_pixels)

    def holds(self, file: Path) -> bool:
        """Whether this thread's admission already counts ``file``."""
        held: _Held | None = getattr(self._held, "value", None)
        return held is not None and file in held.files

    @contextmanager
    def admitted(
        self, lane: Lane, cost: int, file: Path, *, patient: bool = False
    ) -> Iterator[None]:
        """Run the block, which decodes ``file``, with a slot in ``lane`` (the pictures
        lane, when every kind shares it) and ``cost`` bytes of the budget; ``patient`` work
        (background, not a request) waits as long as it takes. Raises ``ServerBusy`` or
        ``MediaTooLarge``."""
        held: _Held | None = getattr(self._held, "value", None)
        if held is not None:
            yield from self._beyond(held, cost, file)
            return
        if self.shared_lane:
            lane = Lane.PICTURES
        gate = self.gates[lane]
        retry_after = max(1.0, self.wait_seconds)
        deadline = None if patient else time.monotonic() + self.wait_seconds
        gate.acquire(deadline, retry_after, queue=not patient)
        try:
            self.budget.acquire(cost, deadline, retry_after)
            try:
                self._held.value = _Held(lane, cost, frozenset({file}))
                yield
            finally:
                self._held.value = None
                self.budget.release(cost)
        finally:
            gate.release()

    def _beyond(self, held: _Held, cost: int, file: Path) -> Iterator[None]:
        """Inside an admitted block, another file (a signed copy, its parent): only the
        memory it needs beyond what is held is asked for."""
        extra = max(0, cost - held.cost)
        if extra:
            retry_after = max(1.0, self.wait_seconds)
            self.budget.acquire(extra, time.monotonic() + self.wait_seconds, retry_after)
        try:
            self._held.value = _Held(held.lane, held.cost + extra, held.files | {file})
            yield
        finally:
            self._held.value = held
            if extra:
                self.budget.release(extra)
