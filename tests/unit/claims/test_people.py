"""Protected people named by name, alias, initials, misspelling, or role and place."""

from __future__ import annotations

import pytest

from accord.claims.people import named_people, people_index
from accord.claims.text import prepare
from tests.unit.claims.rules_context import context


def names(prompt: str) -> list[str]:
    return [named.person.name for named in named_people(prepare(prompt), context())]


@pytest.mark.parametrize(
    "prompt",
    [
        "a photo of Jan Peeters",
        "a photo of J. Peeters at the market",
        "Peeters at the market",  # the surname alone
        "a photo of Jan Peetrs",  # misspelt
        "a photo of Jan Peeterss",
        "#JanPeeters",
        "J@n P33ters",  # leet
        "the Ghent mayor candidate at a bar",
        "de burgemeesterskandidaat van Gent",
        "le candidat bourgmestre de Gand",
        "der Genter Bürgermeisterkandidat",
    ],
)
def test_jan_peeters_is_named(prompt: str) -> None:
    assert names(prompt) == ["Jan Peeters"]


@pytest.mark.parametrize(
    "prompt",
    [
        "a photo of Jan the baker",
        "a portrait of Peter",
        "the mayor of Ghent",  # Jan Peeters is a candidate, not the mayor
        "the Ghent council candidate",  # another office
        "the Geneva mayor candidate",  # Genf/Geneva is not Ghent
        "the Genk mayor candidate",
        "a fictional mayor named Bob Fantasy",
    ],
)
def test_no_one_else_is_taken_for_a_protected_person(prompt: str) -> None:
    assert names(prompt) == []


def test_returning_officer_by_role_and_place_in_each_language() -> None:
    for prompt in (
        "the returning officer of Liège",
        "de voorzitter van het hoofdstembureau in Luik",
        "le président du bureau principal de Liège",
        "der Wahlleiter von Lüttich",
    ):
        assert names(prompt) == ["Sophie Dubois"], prompt


def test_evidence_says_what_matched_whom() -> None:
    [named] = named_people(prepare("a photo of Jan Peetrs"), context())
    assert named.evidence == "'Peetrs' ≈ Jan Peeters (candidate for mayor, Ghent)"


def test_the_index_is_built_once_per_context() -> None:
    first = context()
    assert people_index(first) is people_index(first)
    assert people_index(context()) is people_index(first)  # an equal Context
