"""Claims in statements: what a recording says or a post reads, in the four languages;
claims split over segments, debunking speech, the classifier kept to reviews, and the
gate's own answers left word for word as they were."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from accord.claims.classifier import PromptClassifier
from accord.claims.context import Context, Election, Person
from accord.claims.screen import screen_prompt
from accord.claims.statements import (
    MAX_TEXT_CHARS,
    Claim,
    Passage,
    find_claims,
    text_passages,
)
from accord.claims.verdicts import Category, Tool, Verdict
from accord.errors import PayloadTooLarge

CONTEXT = Context(
    people=(Person(id="jp", name="Jan Peeters", role="candidate for mayor", constituency="Ghent"),),
    elections=(Election("Belgian local elections 2024", date(2024, 10, 13), ("BE",)),),
    today=date(2024, 9, 1),
)
VOTING, IMPERSONATION = Category.VOTING_PROCESS, Category.OFFICIAL_IMPERSONATION


class Refusing(PromptClassifier):
    """A classifier that must not be asked."""

    def probabilities(self, texts: Sequence[str]) -> list[dict[Category, float]]:
        raise AssertionError(f"the classifier was asked about {texts!r}")


def said(*parts: str, step: float = 3.0) -> list[Passage]:
    """Passages as a recogniser's segments: ``step`` seconds each, one after the other."""
    return [Passage(text, index * step, (index + 1) * step) for index, text in enumerate(parts)]


def blocks(claims: list[Claim]) -> list[tuple[Category, str]]:
    return [(c.category, c.words) for c in claims if c.verdict is Verdict.BLOCK]


@pytest.mark.parametrize(
    ("text", "category", "words"),
    [
        # Postponed to Monday.
        ("Attention voters: the election has been postponed to Monday.", VOTING, "postponed"),
        ("De verkiezingen zijn uitgesteld naar maandag.", VOTING, "uitgesteld"),
        ("Les élections sont reportées à lundi.", VOTING, "reportées"),
        ("Die Wahlen wurden auf Montag verschoben.", VOTING, "verschoben"),
        # Vote by SMS.
        ("This year you can vote by SMS.", VOTING, "vote by SMS"),
        ("Dit jaar kunt u stemmen per sms.", VOTING, "stemmen per sms"),
        ("Cette année, vous pouvez voter par SMS.", VOTING, "voter par SMS"),
        ("Dieses Jahr können Sie per SMS wählen.", VOTING, "per SMS wählen"),
        # Polling stations closed.
        ("Because of a strike, all polling stations in Ghent are closed.", VOTING, "closed"),
        ("Alle stembureaus in Gent zijn gesloten wegens een staking.", VOTING, "gesloten"),
        ("Tous les bureaux de vote de Liège sont fermés.", VOTING, "fermés"),
        ("Alle Wahllokale in Eupen sind geschlossen.", VOTING, "geschlossen"),
        # Official impersonation, with a lie beside it.
        ("This is a message from the Federal Public Service Interior.", IMPERSONATION, "Interior"),
        ("Bericht van de kiesraad: uw stembureau is veranderd.", IMPERSONATION, "kiesraad"),
    ],
)
def test_false_claims_are_found_in_each_language(text: str, category: Category, words: str) -> None:
    [claim] = find_claims(said(text), CONTEXT, classifier=Refusing())
    assert (claim.category, claim.verdict, claim.source) == (category, Verdict.BLOCK, "rule")
    assert words in claim.words
    assert (claim.start, claim.end) == (0.0, 3.0)
    assert claim.explanation.startswith("The recording ")
    assert "{" not in claim.explanation


def test_the_explanation_says_why_against_the_registered_polling_day() -> None:
    [claim] = find_claims(said("The election is postponed to Monday 14 October."), CONTEXT)
    assert claim.explanation == (
        "The recording says the election is moved, postponed or cancelled; the registered "
        "election is not. The recording gives another voting day than the registered polling "
        "day, Sunday 13 October 2024."
    )
    assert claim.words == "election is postponed … Monday 14 October"


@pytest.mark.parametrize(
    "speech",
    [
        ("This is the Federal Public Service Interior.", "Voting is now open by SMS."),
        ("Hier is de FOD Binnenlandse Zaken.", "De verkiezingen worden verplaatst naar maandag."),
        ("Ici le SPF Intérieur.", "Les élections sont reportées au lundi 14 octobre."),
        ("Hier spricht das Innenministerium.", "Die Wahl ist auf Montag verschoben."),
    ],
)
def test_a_voice_speaking_as_the_authority_and_lying_is_impersonation(
    speech: tuple[str, str],
) -> None:
    claims = find_claims(said(*speech), CONTEXT, classifier=Refusing())
    assert [(c.category, c.verdict, c.start) for c in claims] == [
        (IMPERSONATION, Verdict.BLOCK, 0.0),
        (VOTING, Verdict.BLOCK, 3.0),
    ]
    assert claims[0].explanation == (
        "The recording presents itself as coming from an election authority or official. It "
        "also says something false about voting."
    )


def test_the_authority_speaking_alone_is_only_a_review() -> None:
    claims = find_claims(
        said("This is the Federal Public Service Interior.", "Polls open at eight on Sunday."),
        CONTEXT,
        rules_only=True,
    )
    assert [(c.category, c.verdict) for c in claims] == [(IMPERSONATION, Verdict.REVIEW)]


@pytest.mark.parametrize(
    "speech",
    [
        "The polls open at eight on Sunday 13 October. Bring your identity card.",
        "Jan Peeters wants more bicycle lanes in Ghent and a new library.",
        "Results are expected after midnight. The count starts when the polls close.",
        "De stembureaus zijn open van acht tot vier uur op zondag 13 oktober.",
        "Les bureaux de vote ouvrent à huit heures le dimanche 13 octobre.",
        "Die Wahllokale öffnen am Sonntag, dem 13. Oktober, um acht Uhr.",
        "It is not true that you can vote by SMS. You vote in person at your polling station.",
        "Vous ne pouvez pas voter par SMS : c'est une arnaque.",
    ],
)
def test_ordinary_election_speech_and_debunking_make_no_claim(speech: str) -> None:
    assert find_claims(said(speech), CONTEXT) == []


def test_a_claim_split_over_two_segments_has_both_their_times() -> None:
    claims = find_claims(
        [
            Passage("Good evening.", 0.0, 1.2),
            Passage("The local elections have been", 1.2, 2.5),
            Passage("postponed to next week.", 2.5, 4.0),
        ],
        CONTEXT,
        classifier=Refusing(),
    )
    assert [(c.category, c.start, c.end) for c in claims] == [(VOTING, 1.2, 4.0)]


def test_a_claim_in_one_segment_keeps_that_segments_times() -> None:
    claims = find_claims(
        said("Good evening.", "All polling stations in Ghent are closed on Sunday.", "Thank you."),
        CONTEXT,
        classifier=Refusing(),
    )
    assert [(c.start, c.end) for c in claims] == [(3.0, 6.0)]


def test_a_negation_in_the_next_sentence_does_not_undo_the_claim() -> None:
    # One segment as Whisper gives it: the "not" of the last sentence is not the claim's.
    [claim] = find_claims(
        [
            Passage(
                "Attention voters. The election has been postponed to Monday. Do not go to "
                "the polling station on Sunday.",
                0.0,
                9.0,
            )
        ],
        CONTEXT,
        rules_only=True,
    )
    assert claim.verdict is Verdict.BLOCK
    assert claim.start is not None
    assert claim.end is not None
    assert 0.0 < claim.start < claim.end < 9.0  # the sentence's share of the segment


def test_a_claim_debunked_in_the_next_segment_is_only_a_review() -> None:
    [claim] = find_claims(
        said("Some people say the election is postponed.", "That is false."),
        CONTEXT,
        rules_only=True,
    )
    assert (claim.verdict, claim.start, claim.end) == (Verdict.REVIEW, 0.0, 3.0)
    assert "the words around it debunk it" in claim.explanation


def test_tomorrow_is_not_checked_against_an_unknown_recording_day() -> None:
    # Screened on 1 September, "tomorrow" would be 2 September: but when was it said?
    assert find_claims(said("Tomorrow Ghent votes."), CONTEXT, rules_only=True) == []
    [claim] = find_claims(said("Ghent votes next Monday."), CONTEXT, rules_only=True)
    assert "another weekday" in claim.explanation


def test_the_classifier_finds_a_paraphrase_as_a_review_only() -> None:
    [claim] = find_claims(
        said("No need to go out this year: your phone is your ballot, just reply YES."),
        CONTEXT,
    )
    assert (claim.category, claim.verdict, claim.source) == (VOTING, Verdict.REVIEW, "classifier")
    assert claim.explanation.startswith("The recording reads like a false claim")
    assert "never decides alone" in claim.explanation
    assert claim.to_json()["strength"] == "moderate"


def test_the_classifier_is_not_asked_off_topic_in_other_languages_or_rules_only() -> None:
    ordinary = said("A quiet harbour at dawn, with boats and gulls.")
    assert find_claims(ordinary, CONTEXT, classifier=Refusing()) == []
    paraphrase = said("No need to go out this year: your phone is your ballot, reply YES.")
    assert find_claims(paraphrase, CONTEXT, language="es", classifier=Refusing()) == []
    assert find_claims(paraphrase, CONTEXT, rules_only=True) == []


def test_where_a_rule_found_the_claim_the_classifier_is_not_asked() -> None:
    claims = find_claims(said("Vote by SMS this year."), CONTEXT, classifier=Refusing())
    assert blocks(claims) == [(VOTING, "Vote by SMS")]


def test_text_is_worded_as_text_and_has_no_times() -> None:
    claims = find_claims(
        text_passages("Big news!\n\nVote by SMS this year."), CONTEXT, subject="The text"
    )
    assert [(c.start, c.end) for c in claims] == [(None, None)]
    assert claims[0].explanation.startswith("The text says one can vote by SMS")
    assert claims[0].to_json() == {
        "category": "voting_process",
        "verdict": "block",
        "strength": "strong",
        "explanation": claims[0].explanation,
        "words": "Vote by SMS",
        "start": None,
        "end": None,
        "source": "rule",
    }


def test_text_passages_are_paragraphs_cut_between_sentences() -> None:
    assert text_passages("  \n ") == []
    assert [p.text for p in text_passages("One. Two!\n\nThree?")] == ["One. Two!", "Three?"]
    long = " ".join(["A sentence of some words."] * 60)
    pieces = text_passages(long)
    assert len(pieces) > 1
    assert all(len(piece.text) <= 600 for piece in pieces)
    assert " ".join(piece.text for piece in pieces) == long


def test_text_over_the_limit_is_refused_unless_the_caller_bounded_it() -> None:
    text = "x" * (MAX_TEXT_CHARS + 1)
    with pytest.raises(PayloadTooLarge, match="10,001 characters"):
        text_passages(text)
    assert len(text_passages(text, limit=None)) == 1


@pytest.mark.parametrize(
    ("prompt", "explanation"),
    [
        (
            "A poster: the election is postponed, vote on Monday 14 October",
            "The prompt says the election is moved, postponed or cancelled; the registered "
            "election is not.",
        ),
        (
            "A letter from the FPS Interior about the elections",
            "The prompt asks for election material presented as coming from an election "
            "authority or official.",
        ),
    ],
)
def test_the_gates_answers_keep_their_words(prompt: str, explanation: str) -> None:
    screening = screen_prompt(prompt, Tool.IMAGE, CONTEXT, rules_only=True)
    assert screening.reasons[0].explanation == explanation
    assert not any("{" in reason.explanation for reason in screening.reasons)
