"""Screening a prompt: refused input, rules before the classifier, the classifier asked only
about elections, tempered where the rules see a warning, and bounded on long prompts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date

import pytest

from accord.claims.classifier import PromptClassifier
from accord.claims.context import Context, Election, Person
from accord.claims.screen import (
    CLASSIFIER_CHARS,
    MAX_PROMPT_CHARS,
    parse_tool,
    screen_prompt,
    warm_up,
)
from accord.claims.verdicts import Category, Tool, Verdict
from accord.errors import BadRequest, PayloadTooLarge

CONTEXT = Context(
    people=(Person(id="jp", name="Jan Peeters", role="candidate for mayor", constituency="Ghent"),),
    elections=(Election("Local elections 2024", date(2024, 10, 13), ("BE",)),),
    today=date(2024, 9, 1),
)
#: A paraphrase no rule catches: voting by phone, without the words for it.
PARAPHRASE = (
    "No need to queue this year: your phone is your ballot, just reply YES to the number on "
    "the leaflet"
)
HARBOUR = "A watercolour of a quiet harbour at dawn, with boats and gulls. "


class Refusing(PromptClassifier):
    """A classifier that must not be asked."""

    def probabilities(self, texts: Sequence[str]) -> list[dict[Category, float]]:
        raise AssertionError(f"the classifier was asked about {texts!r}")


@pytest.mark.parametrize(
    ("prompt", "language", "error", "words"),
    [
        ("", None, BadRequest, "empty"),
        ("   \n", None, BadRequest, "empty"),
        ("x" * (MAX_PROMPT_CHARS + 1), None, PayloadTooLarge, "10,001 characters"),
        ("a cat", "es", BadRequest, "en, nl, fr, de"),
    ],
)
def test_bad_input_is_refused(
    prompt: str, language: str | None, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        screen_prompt(prompt, Tool.IMAGE, CONTEXT, language=language)


def test_an_unknown_tool_is_named() -> None:
    with pytest.raises(BadRequest, match="image, voice, video, text"):
        parse_tool("hologram")
    assert parse_tool(" Voice ") is Tool.VOICE


def test_the_classifier_catches_what_the_rules_miss() -> None:
    assert screen_prompt(PARAPHRASE, Tool.IMAGE, CONTEXT, rules_only=True).verdict is Verdict.ALLOW
    screening = screen_prompt(PARAPHRASE, Tool.IMAGE, CONTEXT)
    assert screening.verdict is Verdict.BLOCK
    assert [reason.source for reason in screening.reasons] == ["classifier"]
    assert screening.categories == [Category.VOTING_PROCESS]


def test_ordinary_prompts_and_rule_blocks_never_reach_the_classifier() -> None:
    for prompt in ("A cat on a skateboard, synthwave", "Een vos in de sneeuw, olieverf"):
        assert screen_prompt(prompt, Tool.IMAGE, CONTEXT, classifier=Refusing()).verdict is (
            Verdict.ALLOW
        )
    blocked = screen_prompt(
        "A realistic photo of Jan Peeters taking a bribe",
        Tool.IMAGE,
        CONTEXT,
        classifier=Refusing(),
    )
    assert blocked.verdict is Verdict.BLOCK


def test_a_warning_turns_the_classifier_s_block_into_a_review() -> None:
    warning = (
        "Warning poster: beware of a fake SMS saying your phone is your ballot this year and "
        "you should reply YES"
    )
    screening = screen_prompt(warning, Tool.IMAGE, CONTEXT)
    assert screening.verdict is Verdict.REVIEW
    assert "debunks a claim" in screening.reasons[0].explanation


def test_padding_hides_no_claim_and_the_classifier_reads_a_bounded_part() -> None:
    padded = HARBOUR * 120 + "Caption: " + PARAPHRASE + "."
    assert len(padded) > 10 * CLASSIFIER_CHARS
    started = time.perf_counter()
    screening = screen_prompt(padded, Tool.IMAGE, CONTEXT)
    assert screening.verdict is Verdict.BLOCK
    assert "your phone is your ballot" in screening.reasons[0].evidence
    # All of it embedded would take seconds (the model's time grows with the length).
    assert time.perf_counter() - started < 2.0


def test_warming_up_leaves_screening_as_it_was() -> None:
    before = screen_prompt(PARAPHRASE, Tool.TEXT, CONTEXT)
    warm_up(classifier=True)
    assert screen_prompt(PARAPHRASE, Tool.TEXT, CONTEXT) == before
