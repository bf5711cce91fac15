"""prepare: obfuscation undone, numbers and dates kept, fast enough for every prompt."""

from __future__ import annotations

import time

import pytest

from accord.claims.text import prepare, quote


@pytest.mark.parametrize(
    ("prompt", "folded"),
    [
        ("V0te by $m$", "vote by sms"),
        ("st3mm3n via de @pp", "stemmen via de app"),
        ("wähl3n per SMS", "wahlen per sms"),
        ("3lecti0n day", "election day"),
        ("e1ection", "election"),
        ("vote by s m s", "vote by sms"),
        ("v.o.t.e by S-M-S", "vote by sms"),
        ("v 0 t e online", "vote online"),
        ("vo\u200bte b\u200dy s\u00adms", "vote by sms"),
        ("\uff36\uff4f\uff54\uff45 by SMS", "vote by sms"),  # full-width letters
        ("v\u043ete by \u0455ms", "vote by sms"),  # Cyrillic o and s
        ("vooooote by smsss", "vote by sms"),
        ("L'élection", "l election"),
        ("Wählen Sie am 13. Oktober!", "wahlen sie am 13 oktober"),
    ],
)
def test_obfuscation_is_undone(prompt: str, folded: str) -> None:
    assert prepare(prompt).folded == folded


@pytest.mark.parametrize(
    ("prompt", "kept"),
    [
        ("vote on 13/10/2024", "13/10/2024"),
        ("am 13.10. wählen", "13.10"),
        ("send to 4455", "4455"),
        ("on 13-10-2024", "13-10-2024"),
        ("the 13th", "13th"),
        ("an A4 poster, mp3 file", "a4"),
        ("at 10:00", "10:00"),
    ],
)
def test_numbers_and_dates_are_kept(prompt: str, kept: str) -> None:
    assert kept in prepare(prompt).words


def test_readable_keeps_case_and_accents_but_not_leet() -> None:
    text = prepare("Wähl3n  per   $M$ in Liège")
    assert text.readable in {"Wählen per sMs in Liège", "Wählen per SMS in Liège"}
    assert text.words == ("wahlen", "per", "sms", "in", "liege")


def test_ordinary_text_is_left_alone() -> None:
    text = prepare("il y a un chat. J. P. Peeters, e-mail info@example.be")
    assert "il y a un chat" in text.readable
    assert "J. P. Peeters" in text.readable
    assert "info@example.be" in text.readable


def test_quote_gives_the_words_as_written() -> None:
    text = prepare("Make a poster: Vote by SMS at 4455!")
    start = text.folded.index("vote by sms")
    assert quote(text, start, start + len("vote by sms")) == "Vote by SMS"


def test_prepare_is_fast() -> None:
    prompt = (
        "Make a realistic poster for the Ghent city elections: vote on Sunday 13 October 2024 "
        "at your polling station, bring your ID card and your convocation letter. Show a crowd "
        "at a market in the old town with the belfry behind them, warm evening light, "
        "cinematic, 35mm, shallow depth of field."
    )
    prepare(prompt)
    rounds = 200
    started = time.process_time()
    for _ in range(rounds):
        prepare(prompt)
    # Target well under 1 ms; the bound leaves room for a loaded test machine.
    assert (time.process_time() - started) / rounds < 0.002
