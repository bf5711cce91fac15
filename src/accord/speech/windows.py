"""Which stretches of a recording to listen to.

A recording up to the cap is heard whole. A longer one is sampled, not cut: stretches of
``STRETCH_SECONDS`` spread evenly from its first second to its last, as many as the cap
holds, so a message placed at the end of a long file (where a robocall's "do not vote"
may sit) is heard as surely as one at the start.
"""

from __future__ import annotations

import math

#: The length of one sampled stretch: Whisper's own window, long enough for a sentence
#: or two to be heard whole.
STRETCH_SECONDS = 30.0

Window = tuple[float, float]


def listening_plan(duration: float, max_seconds: float) -> tuple[Window, ...]:
    """The (start, end) stretches, in seconds, to transcribe of a recording this long.

    ``duration <= max_seconds``: the whole recording, one window (none when it is empty).
    Longer: ``n = max(1, floor(max_seconds / 30))`` stretches of 30 s (of ``max_seconds``
    when the cap is under 30 s), the first at 0, the last ending at the end (when n > 1),
    the others evenly between; together they last at most ``max_seconds``.
    """
    if not max_seconds > 0:
        raise ValueError("max_seconds must be positive")
    if not math.isfinite(duration) or duration < 0:
        raise ValueError("duration must be a finite number of seconds, not negative")
    if duration == 0:
        return ()
    if duration <= max_seconds:
        return ((0.0, float(duration)),)
    stretch = min(STRETCH_SECONDS, max_seconds)
    count = max(1, math.floor(max_seconds / stretch))
    if count == 1:
        return ((0.0, float(stretch)),)
    step = (duration - stretch) / (count - 1)
    return tuple((i * step, i * step + stretch) for i in range(count))
