"""The speech evaluation: the shipped set, slicing it, counting (with a scripted engine),
and a small real slice (English, clean, Whisper) whose figures must be sane."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from accord.claims.redteam import SHIPPED_CONTEXT, load_context
from accord.claims.verdicts import LANGUAGES, Category
from accord.errors import BadRequest
from accord.speech.engines import Samples, SpeechEngine
from accord.speech.evaluation import (
    ALL,
    CATEGORIES,
    SHIPPED_SET,
    Screening,
    Sentence,
    SpeechEvaluation,
    combine,
    evaluate_speech,
    format_table,
    load_set,
    screening_for,
    select,
)
from accord.speech.transcript import Segment
from accord.speech.wer import normalise


@pytest.fixture(scope="module")
def screening() -> Screening:
    return screening_for(load_context(SHIPPED_CONTEXT))


def test_the_set_speaks_the_claims_layers_words() -> None:
    assert set(CATEGORIES) <= {category.value for category in Category}
    assert {sentence.language for sentence in load_set()} == set(LANGUAGES)


def test_the_shipped_set_is_balanced_and_labelled() -> None:
    sentences = load_set()
    assert len({s.id for s in sentences}) == len(sentences)
    by_language = Counter(s.language for s in sentences)
    assert set(by_language) == {"en", "nl", "fr", "de"}
    assert min(by_language.values()) >= 24
    for language in by_language:
        labels = Counter(s.label for s in sentences if s.language == language)
        assert labels["lie"] == labels["ordinary"], language
    for sentence in sentences:
        assert (sentence.category is not None) == sentence.lie, sentence.id
        assert len(sentence.text.split()) <= 30, sentence.id  # short clips: <= ~10 s
    categories = Counter(s.category for s in sentences if s.lie)
    assert categories[Category.OFFICIAL_IMPERSONATION.value] >= 8


def test_a_bad_line_is_named(tmp_path: Path) -> None:
    good = SHIPPED_SET.read_text(encoding="utf-8").splitlines()[0]
    bad = json.dumps({"id": "x", "language": "en", "text": "hello", "label": "lie"})
    path = tmp_path / "set.jsonl"
    path.write_text(f"{good}\n\n{bad}\n", encoding="utf-8")
    with pytest.raises(BadRequest, match=r"line 3: a lie names its category"):
        load_set(path)
    path.write_text(f"{good}\n{{not json\n", encoding="utf-8")
    with pytest.raises(BadRequest, match=r"line 2: not JSON"):
        load_set(path)


def test_a_slice_keeps_both_labels() -> None:
    chosen = select(load_set(), languages=["fr", "en"], limit=3)
    assert [s.language for s in chosen] == ["en"] * 3 + ["fr"] * 3
    assert [s.label for s in chosen[:3]] == ["lie", "ordinary", "lie"]
    assert len(select(load_set(), languages=["de"])) == 24


class Scripted:
    """An engine that 'hears' the next text of a script, whatever it is played."""

    name = "scripted"
    model = "script"
    languages: tuple[str, ...] | None = None

    def __init__(self, script: Sequence[str]) -> None:
        self._script: Iterator[str] = iter(script)

    def detect_language(self, samples: Samples, candidates: Sequence[str]) -> str:
        return "en"

    def transcribe(
        self, samples: Samples, *, language: str | None, candidates: Sequence[str], prompt: str
    ) -> tuple[str, list[Segment]]:
        text = next(self._script)
        return language or "en", [Segment(0.0, 1.0, text)] if text else []


def postponed(words: Sequence[str]) -> list[dict[str, Any]]:
    """A claim wherever 'postponed' is said: a block when it ends a sentence, else a review."""
    return [
        {"category": "voting_process", "verdict": "block" if "postponed." in text else "review"}
        for text in words
        if "postponed" in text.lower()
    ]


SCRIPTED_SCREENING = Screening(
    spoken=lambda segments, language: postponed([s.text for s in segments]),
    written=lambda text, language: postponed([text]),
    prompts={},
    context="context: none",
)


def test_figures_are_counted_per_language_and_condition() -> None:
    lie, ordinary = select(load_set(), languages=["en"], limit=2)
    assert "postponed" in lie.text
    assert "postponed" not in ordinary.text
    # Played in order: lie clean, lie mp3, ordinary clean, ordinary mp3.
    script = [lie.text, "", "The election is postponed.", ordinary.text]
    engine = Scripted(script)

    def load(name: str) -> SpeechEngine:
        return engine

    evaluation = evaluate_speech(
        [lie, ordinary],
        SCRIPTED_SCREENING,
        engines=["scripted"],
        conditions=["clean", "mp3"],
        load=load,
    )
    clean, mp3 = (evaluation.cells["scripted", "en", c] for c in ("clean", "mp3"))
    assert (clean.clips, mp3.clips) == (2, 2)
    # The ordinary sentence heard as four other words (each of its words an edit)...
    assert clean.errors.substitutions == 4
    assert clean.errors.edits == len(normalise(ordinary.text))
    assert clean.errors.reference_words == len(normalise(lie.text)) + len(normalise(ordinary.text))
    assert mp3.errors.deletions == len(normalise(lie.text))  # ...and the lie not at all
    assert mp3.errors.edits == mp3.errors.deletions
    # clean: the lie found (TP), a claim in ordinary speech (FP); mp3: the lie missed (FN).
    assert (clean.claims.true_positives, clean.claims.false_positives) == (1, 1)
    assert clean.claims.precision == 0.5
    assert clean.claims.recall == 1.0
    assert (mp3.claims.false_negatives, mp3.claims.true_negatives) == (1, 1)
    assert mp3.claims.recall == 0.0
    assert mp3.claims.precision is None
    # Strong claims only: the ordinary sentence's "postponed." is a block too, the lie's a
    # review ("have been postponed to Monday").
    assert (clean.strong.true_positives, clean.strong.false_positives) == (0, 1)
    assert clean.language_share == 1.0
    assert clean.rtf is not None
    assert clean.rtf > 0
    # One language only: "all" rows would repeat it and are left out.
    assert ("scripted", ALL, "clean") not in evaluation.cells
    # The text's upper bound: the lie found, nothing in the ordinary sentence.
    assert evaluation.reference["en"].recall == 1.0
    assert evaluation.reference["en"].precision == 1.0
    assert evaluation.reference_strong["en"].recall == 0.0
    figures = evaluation.to_json()
    assert figures["engines"]["scripted"]["en"]["mp3"]["claims"]["recall"] == 0.0
    assert [clip["condition"] for clip in figures["clips"]] == ["clean", "mp3"] * 2
    table = format_table(evaluation)
    assert table.startswith("**Synthetic speech (espeak-ng), not real speech.**")
    assert "| scripted | en | clean | 2 | " in table


def test_runs_over_parts_combine_into_one() -> None:
    en = select(load_set(), languages=["en"], limit=2)
    fr = select(load_set(), languages=["fr"], limit=2)

    def run(sentences: list[Sentence], script: list[str]) -> SpeechEvaluation:
        engine = Scripted(script)
        return evaluate_speech(
            sentences, SCRIPTED_SCREENING, engines=["scripted"], conditions=["clean"],
            load=lambda name: engine,
        )  # fmt: skip

    whole = combine([run(en, [en[0].text, ""]), run(fr, ["reporté", "postponed"])])
    assert len(whole.sentences) == 4
    assert [key[1] for key in whole.cells] == ["en", "fr", ALL]
    every = whole.cells["scripted", ALL, "clean"]
    assert every.clips == 4
    assert (every.claims.true_positives, every.claims.false_positives) == (1, 1)
    assert every.claims.false_negatives == 1
    assert whole.reference[ALL].recall == 0.5  # the French lie has no "postponed"
    with pytest.raises(ValueError, match="nothing to combine"):
        combine([])


def test_an_unknown_condition_is_refused() -> None:
    with pytest.raises(BadRequest, match="unknown condition 'radio'"):
        evaluate_speech([], SCRIPTED_SCREENING, engines=[], conditions=["radio"])


def test_a_real_slice_gives_sane_figures(whisper: SpeechEngine, screening: Screening) -> None:
    sentences = select(load_set(), languages=["en"], limit=4)
    figures = evaluate_speech(sentences, screening, engines=["whisper"], conditions=["clean"])
    assert "polling day Sunday 2024-10-13" in figures.context_line
    cell = figures.cells["whisper", "en", "clean"]
    assert cell.clips == 4
    assert cell.language_share == 1.0  # detected among en, nl, fr, de
    assert cell.errors.rate < 0.35  # espeak-ng English is clear to Whisper
    assert cell.claims.recall is not None
    assert cell.claims.recall >= 0.5
    assert cell.rtf is not None
    assert cell.rtf > 0  # no upper bound: a loaded CI machine is slow (the benchmark times it)
    assert figures.reference["en"].recall == 1.0  # both lies found in the text
    for heard in figures.heard:
        assert heard.text
        assert heard.audio_seconds > 1
        for claim in heard.claims:
            assert claim["category"] in CATEGORIES
            assert 0 <= claim["start"] <= claim["end"] <= heard.audio_seconds + 0.5
