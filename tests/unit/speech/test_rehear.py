"""What Whisper made up is heard again in its own stretch only: the good segments of the
first decode stay as they are (scripted decodes here; the real echo is in test_whisper)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.speech.hallucinations import loops
from accord.speech.transcript import Segment
from accord.speech.whisper import LOOP_RETRY_PENALTY, WhisperEngine, rehear

RATE = 16000
PROMPT = "Élection, bureaux de vote, tempête, reportée, lundi, SMS."
LOOP = "informe, " * 60


def bad(segment: Segment) -> bool:
    return segment.text == "BAD"


def heard(start: float, end: float, run: Sequence[Segment]) -> list[Segment]:
    return [Segment(start, end, f"again {len(run)}")]


def test_only_runs_of_made_up_segments_are_heard_again_between_their_neighbours() -> None:
    good = [Segment(0.5, 2.0, "one"), Segment(6.0, 8.0, "two"), Segment(12.0, 13.0, "three")]
    segments = [
        Segment(0.0, 0.4, "BAD"),
        good[0],
        Segment(2.5, 4.0, "BAD"),
        Segment(4.0, 5.5, "BAD"),
        good[1],
        good[2],
        Segment(13.5, 20.0, "BAD"),
    ]
    result = rehear(segments, 20.0, made_up=bad, hear=heard)
    assert result == [
        Segment(0.0, 0.5, "again 1"),  # from the start to the first good segment
        good[0],
        Segment(2.0, 6.0, "again 2"),  # one stretch for the run of two
        good[1],
        good[2],
        Segment(13.0, 20.0, "again 1"),  # to the end of the audio
    ]
    assert all(any(kept is g for kept in result) for g in good)  # the very same segments


def test_nothing_made_up_is_nothing_heard_again() -> None:
    segments = [Segment(0.0, 1.0, "one"), Segment(1.0, 2.0, "two")]

    def never(start: float, end: float, run: Sequence[Segment]) -> list[Segment]:
        raise AssertionError("heard again")

    assert rehear(segments, 2.0, made_up=bad, hear=never) == segments
    assert rehear([], 2.0, made_up=bad, hear=never) == []


def test_overlapping_neighbours_leave_an_empty_stretch_not_a_backwards_one() -> None:
    segments = [Segment(0.0, 5.0, "one"), Segment(4.0, 6.0, "BAD"), Segment(4.5, 7.0, "two")]
    stretches: list[tuple[float, float]] = []

    def note(start: float, end: float, run: Sequence[Segment]) -> list[Segment]:
        stretches.append((start, end))
        return []

    assert [s.text for s in rehear(segments, 8.0, made_up=bad, hear=note)] == ["one", "two"]
    assert stretches == [(5.0, 5.0)]


@dataclass
class Said:
    start: float
    end: float
    text: str


class ScriptedModel:
    """faster-whisper's model, scripted: what each decode (prompt, penalty) returns, and
    what each was given."""

    supported_languages = ["en", "fr"]

    def __init__(self, script: dict[tuple[str, float], list[Said]]) -> None:
        self.script = script
        self.calls: list[tuple[float, str, float]] = []

    def transcribe(self, samples: Any, **options: Any) -> tuple[Iterator[Said], None]:
        prompt, penalty = options["initial_prompt"] or "", options["repetition_penalty"]
        self.calls.append((len(samples) / RATE, prompt, penalty))
        return iter(self.script[prompt, penalty]), None


def test_an_echo_then_a_loop_are_heard_again_alone_and_the_good_segments_kept() -> None:
    first = [
        Said(0.5, 3.0, "The polls open at eight."),
        Said(3.5, 9.0, PROMPT),  # the prompt read back
        Said(9.0, 12.0, LOOP),
        Said(12.5, 15.0, "Results come after midnight."),
    ]
    model = ScriptedModel(
        {
            (PROMPT, 1.0): first,
            # The stretch 3.0-12.5 without the prompt: it loops again, then the penalty.
            ("", 1.0): [Said(1.0, 4.0, "The election is postponed to Monday."), Said(4, 9, LOOP)],
            ("", LOOP_RETRY_PENALTY): [
                Said(1.0, 4.0, "The election is postponed to Monday."),
                Said(5.0, 10.5, "Vote by text message."),  # past its stretch: cut at 12.5
            ],
        }
    )
    engine = WhisperEngine(model)
    assert engine.languages == ("en", "fr")
    _, segments = engine.transcribe(
        np.zeros(20 * RATE, np.float32), language="fr", candidates=(), prompt=PROMPT
    )
    assert segments == [
        Segment(0.5, 3.0, "The polls open at eight."),
        Segment(4.0, 7.0, "The election is postponed to Monday."),
        Segment(8.0, 12.5, "Vote by text message."),
        Segment(12.5, 15.0, "Results come after midnight."),
    ]
    assert model.calls == [
        (20.0, PROMPT, 1.0),
        (9.5, "", 1.0),  # only the stretch between the good segments
        (9.5, "", LOOP_RETRY_PENALTY),
    ]


def test_a_loop_is_heard_again_with_the_prompt_and_the_penalty_and_dropped_if_it_loops() -> None:
    model = ScriptedModel(
        {
            (PROMPT, 1.0): [Said(0.0, 2.0, "Polling day is Sunday."), Said(2.0, 30.0, LOOP)],
            (PROMPT, LOOP_RETRY_PENALTY): [Said(0.5, 28.0, LOOP)],
        }
    )
    _, segments = WhisperEngine(model).transcribe(
        np.zeros(30 * RATE, np.float32), language="fr", candidates=(), prompt=PROMPT
    )
    assert segments == [Segment(0.0, 2.0, "Polling day is Sunday.")]
    assert model.calls == [(30.0, PROMPT, 1.0), (28.0, PROMPT, LOOP_RETRY_PENALTY)]
    assert loops(LOOP)
