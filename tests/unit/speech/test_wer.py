"""Word error rate, on cases counted by hand."""

from __future__ import annotations

import pytest

from accord.speech.wer import WordErrors, normalise, wer, word_errors


def test_normalising_folds_case_and_drops_punctuation_but_not_numbers() -> None:
    assert normalise("Vote on MONDAY, 14 October!") == ["vote", "on", "monday", "14", "october"]
    # Apostrophes inside a word keep it whole (curly or straight); hyphens and colons split.
    assert normalise("Don\u2019t: l'élection porte-à-porte 8:00") == [
        "don't",
        "l'élection",
        "porte",
        "à",
        "porte",
        "8",
        "00",
    ]
    # Numbers are left as written: digits and words differ.
    assert normalise("13 thirteen") == ["13", "thirteen"]
    assert normalise(" ... ") == []


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        # identical up to case and punctuation
        ("The polls open at 8.", "the polls open at 8", WordErrors(0, 0, 0, 5)),
        # one word dropped: 1 deletion of 6
        ("the cat sat on the mat", "the cat sat on mat", WordErrors(0, 1, 0, 6)),
        # two words added around the reference: 2 insertions of 3
        ("vote on sunday", "please vote on sunday morning", WordErrors(0, 0, 2, 3)),
        # one word changed, one dropped: 1 + 1 of 4
        ("postponed to monday morning", "postponed on monday", WordErrors(1, 1, 0, 4)),
        # nothing heard: every reference word deleted
        ("vote by sms", "", WordErrors(0, 3, 0, 3)),
        # a number written out is a substitution, not a match
        ("polls open at 8", "polls open at eight", WordErrors(1, 0, 0, 4)),
        # a word split in two: one substitution and one insertion
        ("stembureau open", "stem bureau open", WordErrors(1, 0, 1, 2)),
    ],
)
def test_edits_by_kind(reference: str, hypothesis: str, expected: WordErrors) -> None:
    assert word_errors(reference, hypothesis) == expected


def test_rates() -> None:
    assert wer("the cat sat on the mat", "the cat sat on mat") == pytest.approx(1 / 6)
    # More inserted words than reference words: the rate passes 1.
    assert wer("yes", "no no no") == pytest.approx(3.0)
    assert wer("", "") == 0.0
    assert wer("", "thank you") == 2.0


def test_aggregate_is_total_edits_over_total_words_not_a_mean_of_rates() -> None:
    short = word_errors("vote", "boat")  # 1 of 1
    long = word_errors("polls open at eight on sunday morning", "polls open at eight on sunday")
    total = short + long
    assert total == WordErrors(1, 1, 0, 8)
    assert total.rate == pytest.approx(2 / 8)
    assert total.rate != pytest.approx((short.rate + long.rate) / 2)
