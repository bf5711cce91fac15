"""The transcript as pages show it: each claim's words marked where they were said."""

from __future__ import annotations

from typing import Any

from accord.server.assessments.schemas import claim_views, transcript_view

TRANSCRIPT = {
    "language": "en",
    "engine": "whisper",
    "model": "base",
    "duration": 9.0,
    "heard": [[0.0, 9.0]],
    "sampled": False,
    "segments": [
        {"start": 0.0, "end": 3.1, "text": " Attention voters."},
        {"start": 3.1, "end": 6.0, "text": " The election has been Postponed  to Monday."},
        {"start": 6.0, "end": 9.0, "text": " Stay home on Sunday."},
    ],
}


def _claim(words: str, start: float | None, end: float | None, origin: str) -> dict[str, Any]:
    return {
        "category": "voting_process", "verdict": "block", "strength": "strong",
        "explanation": "The recording gives Monday as the voting day.", "words": words,
        "start": start, "end": end, "source": "rule", "from": origin,
    }  # fmt: skip


def _marked(view: dict[str, Any]) -> list[list[str]]:
    return [
        [piece["text"] for piece in segment["pieces"] if piece["marked"]]
        for segment in view["segments"]
    ]


def test_the_claims_words_are_marked_in_the_segment_that_says_them() -> None:
    claim = _claim("postponed to Monday", 3.1, 6.0, "speech")
    view = transcript_view({"transcript": TRANSCRIPT, "claims": [claim]})
    assert view is not None
    assert _marked(view) == [[], ["Postponed  to Monday"], []]
    pieces = view["segments"][1]["pieces"]
    assert (
        "".join(piece["text"] for piece in pieces) == "The election has been Postponed  to Monday."
    )
    assert [segment["claimed"] for segment in view["segments"]] == [False, True, False]
    assert (view["sampled"], view["duration"]) == (False, "0:09")


def test_words_quoted_with_a_gap_are_marked_part_by_part() -> None:
    claim = _claim("election has been postponed … monday", 3.1, 6.0, "speech")
    view = transcript_view({"transcript": TRANSCRIPT, "claims": [claim]})
    assert view is not None
    assert _marked(view) == [[], ["election has been Postponed", "Monday"], []]


def test_words_the_recogniser_split_differently_mark_the_segments_they_span() -> None:
    claim = _claim("postponed until Monday", 4.0, 7.0, "speech")
    view = transcript_view({"transcript": TRANSCRIPT, "claims": [claim]})
    assert view is not None
    assert _marked(view) == [
        [],
        ["The election has been Postponed  to Monday."],
        ["Stay home on Sunday."],
    ]


def test_text_claims_mark_nothing_in_the_transcript_and_say_where_they_are() -> None:
    claim = _claim("vote by SMS", None, None, "caption")
    reported = _claim("vote by SMS", None, None, "notice") | {"category": "official_impersonation"}
    answer = {"transcript": TRANSCRIPT, "claims": [claim, reported]}
    view = transcript_view(answer)
    assert view is not None
    assert _marked(view) == [[], [], []]
    shown = [(view["when"], view["label"]) for view in claim_views(answer)]
    assert shown == [
        ("in the caption", "False information about voting"),
        ("in the notice", "Impersonates an election authority"),
    ]
    spoken = claim_views({"claims": [_claim("to Monday", 63.2, 65.9, "speech")]})
    assert spoken[0]["when"] == "at 1:03 to 1:06"


def test_a_sampled_recording_says_which_stretches_were_heard() -> None:
    sampled = TRANSCRIPT | {
        "duration": 600.0, "heard": [[0.0, 30.0], [285.0, 315.0], [570.0, 600.0]],
        "sampled": True,
    }  # fmt: skip
    view = transcript_view({"transcript": sampled, "claims": []})
    assert view is not None
    assert view["sampled"]
    assert view["heard"] == "0:00 to 0:30, 4:45 to 5:15, 9:30 to 10:00"
    assert (view["heard_seconds"], view["duration"]) == (90, "10:00")
    assert transcript_view({"transcript": None, "claims": []}) is None
    long = transcript_view({"transcript": sampled | {"duration": 3725.0}, "claims": []})
    assert long is not None
    assert long["duration"] == "1:02:05"
