"""What Whisper made up: its prompt read back (echo) and decoding loops, told apart from
real sentences that share the prompt's words."""

from __future__ import annotations

from datetime import date

import pytest

from accord.claims.context import Context, Election, Person
from accord.claims.spoken import prompts_for
from accord.speech.evaluation import load_set
from accord.speech.hallucinations import Prompt, compression_ratio, loops, words

CONTEXT = Context(
    people=(Person(id="jp", name="Jan Peeters"), Person(id="sd", name="Sophie Dubois")),
    elections=(Election("Belgian local elections 2024", date(2024, 10, 13), ("BE",)),),
)
PROMPTS = prompts_for(CONTEXT)
#: The prompt helper A saw come back verbatim for 30 s of espeak French.
SEEN_ECHO = "Élection, bureaux de vote, tempête, reportée, lundi, SMS."


def test_words_are_lower_case_without_punctuation() -> None:
    assert words("L'élection, SMS!") == ["l", "élection", "sms"]


@pytest.mark.parametrize(
    ("prompt", "text"),
    [
        (SEEN_ECHO, SEEN_ECHO),
        (SEEN_ECHO, "Élection, bureaux de vote, tempête, tempête, tempête, tempête."),
        (SEEN_ECHO, "Lundi, bureaux de vote, tempête, informe, informe. Vous pumez."),  # reordered
        (PROMPTS["nl"], "Verkiezingen, stemmen, kiezers."),  # three items in a row
        (PROMPTS["en"], "Jan Peeters, Sophie Dubois. Election, elections"),
        (PROMPTS["fr"], "bureau de vote bureaux de vote électeurs"),  # without its commas
        (PROMPTS["de"], "Wahllokal, Wähler, Wahlen, Wahllokale"),  # the list's words, any order
    ],
)
def test_the_prompt_read_back_is_an_echo(prompt: str, text: str) -> None:
    assert Prompt.of(prompt).echoed_by(text)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "You can vote by SMS on Monday."),
        ("en", "you can vote by sms on monday"),
        ("en", "Belgian local elections 2024 are held on Sunday 13 October."),  # one item
        ("en", "Jan Peeters and Sophie Dubois debate tonight."),
        ("nl", "De verkiezingen zijn verplaatst naar maandag."),
        ("nl", "Stem per sms."),
        ("fr", "Les bureaux de vote ouvrent à huit heures. Vous pouvez voter par SMS."),
        ("de", "Die Wahlen sind auf Montag verschoben."),
    ],
)
def test_sentences_that_share_its_words_are_not(language: str, text: str) -> None:
    assert not Prompt.of(PROMPTS[language]).echoed_by(text)


def test_no_sentence_of_the_evaluation_set_is_taken_for_an_echo_or_a_loop() -> None:
    for sentence in load_set():
        prompt = Prompt.of(PROMPTS[sentence.language])
        assert not prompt.echoed_by(sentence.text), sentence.id
        assert not loops(sentence.text), sentence.id


def test_an_empty_prompt_or_text_echoes_nothing() -> None:
    assert not Prompt.of("").echoed_by("Election, elections, vote.")
    assert not Prompt.of(PROMPTS["en"]).echoed_by("")


def test_a_decoding_loop_is_caught_and_a_repeated_message_is_not() -> None:
    loop = "Les bureaux de portount un litum du matin f" + "m" * 150
    assert compression_ratio(loop) > 2.4
    assert loops(loop)
    # A robocall that says its message again, in one segment, is still speech.
    repeated = " ".join(["L'élection est reportée à lundi."] * 2)
    assert not loops(repeated)
    assert not loops("Vous pouvez aussi voter par SMS.")
    assert compression_ratio("") == 0.0
