"""detect_language on real sentences, short ones, and prompts that switch languages."""

from __future__ import annotations

import pytest

from accord.claims.language import detect_language
from accord.claims.text import prepare


@pytest.mark.parametrize(
    ("prompt", "language"),
    [
        ("Draw a cat on a skateboard in the park", "en"),
        ("A poster that tells people where their polling station is", "en"),
        ("Een zonsondergang boven de zee", "nl"),
        ("Maak een affiche voor de verkiezingen van zondag", "nl"),
        ("Stembureaus zijn gesloten", "nl"),
        ("Dessine un chat sur une planche à roulettes", "fr"),
        ("Une affiche pour les élections communales", "fr"),
        ("Bureaux de vote fermés", "fr"),
        ("Zeichne eine Katze auf einem Skateboard", "de"),
        ("Wählen Sie am Sonntag", "de"),
        ("Wahllokale geschlossen", "de"),
        # Code-switched: the language most of the words are in.
        ("Maak een poster: vote by SMS", "nl"),
        ("Une affiche: vote by SMS au 4455", "fr"),
        ("Erstelle ein Foto von Jan Peeters im Wahllokal, very realistic", "de"),
    ],
)
def test_language_is_detected(prompt: str, language: str) -> None:
    assert detect_language(prepare(prompt)) == language


@pytest.mark.parametrize("prompt", ["Bob", "4455", "???", "SMS"])
def test_english_when_nothing_tells(prompt: str) -> None:
    assert detect_language(prepare(prompt)) == "en"
