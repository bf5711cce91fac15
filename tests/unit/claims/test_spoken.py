"""The languages a recording about the elections is listened for, and the prompts that
help speech recognition spell their words."""

from __future__ import annotations

from datetime import date

import pytest

from accord.claims.context import Context, Election, Person
from accord.claims.spoken import NAMES_CHARS, prompts_for, spoken_languages
from accord.claims.statements import Passage, find_claims
from tests.unit.claims.rules_context import context


def elections(*countries: tuple[str, ...]) -> Context:
    return Context(
        elections=tuple(
            Election(f"Election {i}", date(2024, 10, 13), where)
            for i, where in enumerate(countries)
        )
    )


@pytest.mark.parametrize(
    ("countries", "languages"),
    [
        ((("BE",),), ("nl", "fr", "de", "en")),  # English too: see spoken_languages
        ((("NL",),), ("nl", "en")),
        ((("FR",),), ("fr", "en")),
        ((("at",),), ("de", "en")),
        ((("LU",),), ("fr", "de", "en")),
        ((("CH",),), ("de", "fr", "en")),
        ((("GB",), ("IE",)), ("en",)),
        ((("NL",), ("FR",)), ("nl", "fr", "en")),
        ((("IT",),), ("en", "nl", "fr", "de")),  # none of the four: listen for all
        (((),), ("en", "nl", "fr", "de")),  # an election that says nowhere
        ((), ("en", "nl", "fr", "de")),
    ],
)
def test_languages_come_from_the_elections_territories(
    countries: tuple[tuple[str, ...], ...], languages: tuple[str, ...]
) -> None:
    assert spoken_languages(elections(*countries)) == languages


def test_each_language_gets_its_words_and_the_instances_names() -> None:
    context = Context(
        people=(Person(id="jp", name="Jan  Peeters"), Person(id="sd", name="Sophie Dubois")),
        elections=(Election("Gemeenteraadsverkiezingen 2024", date(2024, 10, 13), ("BE",)),),
    )
    prompts = prompts_for(context)
    assert set(prompts) == {"en", "nl", "fr", "de"}
    for prompt in prompts.values():
        assert prompt.startswith("Gemeenteraadsverkiezingen 2024, Jan Peeters, Sophie Dubois.")
    assert prompts["nl"].endswith("FOD Binnenlandse Zaken, gemeente.")
    assert "stembureau" in prompts["nl"]
    assert "bureau de vote" in prompts["fr"]
    assert prompts["de"].endswith("Innenministerium, Gemeinde.")
    assert prompts["en"].endswith("returning officer, electoral commission.")


@pytest.mark.parametrize(
    "word",
    [
        "postponed",
        "uitgesteld",
        "reportées",
        "verschoben",
        "sms",
        "monday",
        "maandag",
        "lundi",
        "montag",
        "sunday",
        "zondag",
        "dimanche",
        "sonntag",
    ],
)
def test_no_prompt_holds_a_word_that_makes_a_claim(word: str) -> None:
    # Whisper can read its prompt back as the transcript (accord.speech.hallucinations).
    for prompt in prompts_for(context()).values():
        assert word not in prompt.casefold().replace(",", " ").replace(".", " ").split()


def test_a_prompt_read_back_whole_is_no_claim() -> None:
    for language, prompt in prompts_for(context()).items():
        assert find_claims([Passage(prompt, 0.0, 10.0)], context(), language=language) == [], (
            language
        )


def test_many_names_are_capped_and_the_election_words_kept() -> None:
    people = tuple(Person(id=str(i), name=f"Candidate Number {i}") for i in range(200))
    prompts = prompts_for(Context(people=people))
    names = prompts["en"].split(". Election,")[0]
    assert len(names) <= NAMES_CHARS
    assert prompts["en"].endswith("electoral commission.")
    assert prompts_for(Context())["fr"].startswith("Élections, voter")
