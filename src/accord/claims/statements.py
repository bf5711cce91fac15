"""False claims in what a recording says or a post's text reads: the gate's rules and
classifier (``rules``, ``classifier``; one model) run over statements instead of prompts.

A statement is not a request: it is the claim itself ("the election is postponed to
Monday"). Each claim found says where (times in a recording), the words, the category, why
it is false (against the registered elections), and how sure (block: strong; review:
moderate).

Naming a candidate is what election speech does, so the protected-person rules of the gate
do not run here: only the voting-process and impersonation rules (with one for statements:
a voice speaking as the authority, "This is the FPS Interior"), and the classifier.

The rules read sentence by sentence (a recogniser's segment may hold several, and a "Do not
go on Sunday" must not negate the "postponed to Monday" before it) and each pair of
neighbours (a claim cut where a segment ends): a claim is kept with the narrowest times it
was found in, and becomes a review where the words around it debunk it or give the right
polling day. The classifier was fitted on prompts; on statements it also rates ordinary
announcements as claims, so it reads whole passages only, where the rules found nothing,
and its reads are reviews, never blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from accord.claims.classifier import PromptClassifier, load_classifier, scored_reasons
from accord.claims.context import Context
from accord.claims.impersonation import impersonation_reasons, speaking_as_authority
from accord.claims.rules import on_topic, tempers_classifier
from accord.claims.screen import CLASSIFIER_CHARS, MAX_PROMPT_CHARS
from accord.claims.text import Text, prepare
from accord.claims.verdicts import (
    LANGUAGES,
    SUBJECT,
    Category,
    Reason,
    Verdict,
    Wording,
    strongest,
)
from accord.claims.voting import MISHEARD_NOTE, voting_reasons
from accord.errors import PayloadTooLarge

#: The most characters of text screened at once, as for a prompt.
MAX_TEXT_CHARS = MAX_PROMPT_CHARS
#: Passages shorter than this many words are not worth the classifier's time ("Yes.").
CLASSIFIER_MIN_WORDS = 4
#: Said after a claim that the words beside it undo, when that makes it a review.
_UNDONE = " (a review, not a block: the words around it debunk it or give the right polling day)"
#: Said after the classifier's read of a statement.
_CLASSIFIER_ALONE = " (a review: the classifier, fitted on prompts, never decides alone here)"
#: Said after a self-presented authority's words when they also lie about voting.
_WITH_FALSE_CLAIM = " It also says something false about voting."


@dataclass(frozen=True, slots=True)
class Passage:
    """Words to screen: a transcript segment (with times) or a paragraph of text (without)."""

    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    category: Category
    #: BLOCK (only a rule gives one, where nothing around the claim undoes it) or REVIEW
    #: (a rule's softer finding, a claim the words around it undo, a wrong voting day in a
    #: transcript, and every read of the classifier).
    verdict: Verdict
    #: Why it is false, e.g. "The recording gives Monday as the voting day; the registered
    #: polling day is Sunday 13 October 2024."
    explanation: str
    #: The words that carry the claim, as said or written.
    words: str
    #: Where: seconds from the start of the recording; None for text.
    start: float | None
    end: float | None
    #: "rule" or "classifier".
    source: str

    @property
    def strength(self) -> str:
        """How sure: "strong" for a block, "moderate" for a review."""
        return "strong" if self.verdict is Verdict.BLOCK else "moderate"

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "verdict": self.verdict.value,
            "strength": self.strength,
            "explanation": self.explanation,
            "words": self.words,
            "start": None if self.start is None else round(self.start, 2),
            "end": None if self.end is None else round(self.end, 2),
            "source": self.source,
        }


def find_claims(
    passages: Sequence[Passage],
    context: Context,
    *,
    language: str | None = None,
    subject: str = "The recording",
    classifier: PromptClassifier | None = None,
    rules_only: bool = False,
    transcribed: bool = False,
) -> list[Claim]:
    """The false claims about voting and the impersonations of election authorities in
    ``passages`` (a transcript's segments, or a text's paragraphs, in order), in the order
    said. ``subject`` names what explanations speak of ("The recording", "The text").
    ``language`` is the passages' when known (a transcript's): the classifier, fitted on
    English, Dutch, French and German, is asked only in those (the rules look for every
    language's words whatever it is). ``rules_only`` leaves the classifier out.
    ``transcribed``: the passages are a speech recogniser's, so a wrong voting day alone
    is a review (it mishears dates), not a block."""
    groups = [_sentences(passage) for passage in passages if passage.text.strip()]
    sentences = [sentence for group in groups for sentence in group]
    windows = list(_rule_windows(sentences))
    rules = _Rules(context, dates_decide=not transcribed)
    found = _kept(claim for window in windows for claim in _rule_claims(window, rules))
    found = [_undone_by_neighbours(claim, windows, rules) for claim in found]
    found = _with_false_claims(found)
    if not rules_only and (language is None or language in LANGUAGES):
        asked = [
            window
            for window in _classifier_windows(groups)
            if _for_classifier(window, found, context)
        ]
        model = classifier or load_classifier()
        found += _kept(_classifier_claims(model, asked, context), around=found)
    wording = Wording.statement(subject)
    said = sorted(found, key=lambda p: (p.window.first, p.window.last, p.reason.category.value))
    return [_claim(placed, sentences, wording) for placed in said]


def check_text(text: str, limit: int = MAX_TEXT_CHARS) -> None:
    """``PayloadTooLarge`` when ``text`` is longer than ``limit`` characters."""
    if len(text) > limit:
        msg = f"the text has {len(text):,} characters; at most {limit:,} are screened"
        raise PayloadTooLarge(msg)


def text_passages(text: str, *, limit: int | None = MAX_TEXT_CHARS) -> list[Passage]:
    """A post's caption or a notice's explanation as passages without times: its
    paragraphs, long ones cut between sentences into pieces the classifier reads whole
    (``CLASSIFIER_CHARS``); none for blank text. ``PayloadTooLarge`` beyond ``limit``
    characters (None: the caller bounded it), as for a prompt."""
    if limit is not None:
        check_text(text, limit)
    passages: list[Passage] = []
    for paragraph in _paragraph_end().split(text):
        piece = ""
        for sentence in _sentence_end().split(paragraph.strip()):
            if piece and len(piece) + 1 + len(sentence) > CLASSIFIER_CHARS:
                passages.append(Passage(piece))
                piece = ""
            piece = f"{piece} {sentence}".strip()
        if piece:
            passages.append(Passage(piece))
    return passages


@cache
def _paragraph_end() -> re.Pattern[str]:
    return re.compile(r"\n\s*\n")  # "\r\n\r\n" too: \s takes the "\r"


@cache
def _sentence_end() -> re.Pattern[str]:
    return re.compile(r"(?<=[.!?])\s+|\n+")


def _sentences(passage: Passage) -> list[Passage]:
    """A passage's sentences, each timed by its share of the characters (an estimate): a
    recogniser's segment may hold several, and a negation in the next sentence ("Do not go
    on Sunday") must not undo a claim in this one ("postponed to Monday")."""
    parts = [part.strip() for part in _sentence_end().split(passage.text) if part.strip()]
    if len(parts) < 2:  # noqa: PLR2004 -- one sentence: the passage itself
        return [replace(passage, text=passage.text.strip())]
    if passage.start is None or passage.end is None:
        return [Passage(part) for part in parts]
    total = sum(len(part) for part in parts)
    span = passage.end - passage.start
    timed, done = [], 0
    for part in parts:
        start = passage.start + span * done / total
        done += len(part)
        timed.append(Passage(part, round(start, 2), round(passage.start + span * done / total, 2)))
    return timed


# -- Windows: what the rules and the classifier read at once ------------------------------


@dataclass(frozen=True, slots=True)
class _Window:
    #: Indices of the first and last sentence read.
    first: int
    last: int
    text: Text

    @property
    def width(self) -> int:
        return self.last - self.first + 1

    def overlaps(self, first: int, last: int) -> bool:
        return self.first <= last and first <= self.last


def _rule_windows(sentences: Sequence[Passage]) -> Iterator[_Window]:
    """What the rules read: each sentence alone, then each pair of neighbours (a claim
    split where a segment ends), narrowest first."""
    for index, sentence in enumerate(sentences):
        yield _Window(index, index, prepare(sentence.text))
    for index in range(len(sentences) - 1):
        pair = f"{sentences[index].text} {sentences[index + 1].text}"
        yield _Window(index, index + 1, prepare(pair))


def _classifier_windows(groups: Sequence[Sequence[Passage]]) -> Iterator[_Window]:
    """What the classifier reads: each passage whole (a segment as the recogniser heard
    it: the classifier judges a short sentence alone poorly), and a passage with the next
    where it stops mid-sentence (no full stop: cut where the speaker paused)."""
    first = 0
    for index, group in enumerate(groups):
        last = first + len(group) - 1
        yield _Window(first, last, prepare(" ".join(sentence.text for sentence in group)))
        following = groups[index + 1] if index + 1 < len(groups) else ()
        if following and _ends_sentence().search(group[-1].text) is None:
            joined = " ".join(sentence.text for sentence in (*group, *following))
            yield _Window(first, last + len(following), prepare(joined))
        first = last + 1


@cache
def _ends_sentence() -> re.Pattern[str]:
    return re.compile(r"[.!?…]\W*$")


@dataclass(frozen=True, slots=True)
class _Placed:
    """A reason (its explanation still carrying the wording placeholders) and the window
    it was found in."""

    reason: Reason
    window: _Window
    #: For the classifier: its probability, to keep the likelier of two overlapping finds.
    score: float = 1.0


def _kept(candidates: Iterator[_Placed], around: Sequence[_Placed] = ()) -> list[_Placed]:
    """Each claim once: of those of one category whose passages overlap, the narrowest
    (then the likeliest) one. ``around``: claims already kept, that new ones must not
    overlap whatever their category."""
    kept: list[_Placed] = []
    ordered = sorted(candidates, key=lambda placed: (placed.window.width, -placed.score))
    for placed in ordered:
        window = placed.window
        if any(other.window.overlaps(window.first, window.last) for other in around):
            continue
        if any(
            other.reason.category is placed.reason.category
            and other.window.overlaps(window.first, window.last)
            for other in kept
        ):
            continue
        kept.append(placed)
    return kept


# -- Rules ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rules:
    """What the rules read statements against."""

    context: Context
    #: Whether a wrong voting day alone blocks (not in a transcript: see ``find_claims``).
    dates_decide: bool


def _rule_reasons(text: Text, rules: _Rules) -> list[Reason]:
    context = rules.context
    if not on_topic(text, context):
        return []
    reasons = voting_reasons(text, context, undated=True, dates_decide=rules.dates_decide)
    reasons += impersonation_reasons(text)
    if not any(reason.category is Category.OFFICIAL_IMPERSONATION for reason in reasons):
        reasons += speaking_as_authority(text)
    return reasons


def _rule_claims(window: _Window, rules: _Rules) -> Iterator[_Placed]:
    """One claim per category the rules find in the window: a sentence may give several
    reasons of one kind ("postponed to Monday": moved, and the wrong day)."""
    reasons = _rule_reasons(window.text, rules)
    for category in dict.fromkeys(reason.category for reason in reasons):
        alike = [reason for reason in reasons if reason.category is category]
        yield _Placed(_merged(alike), window)


def _merged(reasons: list[Reason]) -> Reason:
    verdict = strongest(reasons)
    explanations = list(
        dict.fromkeys(
            # A misheard date is no reason to doubt a claim that blocks on other words.
            reason.explanation.removesuffix(MISHEARD_NOTE)
            if verdict is Verdict.BLOCK
            else reason.explanation
            for reason in reasons
        )
    )
    evidence = list(dict.fromkeys(reason.evidence for reason in reasons))
    # "postponed" inside "postponed to Monday" is said once.
    evidence = [
        words
        for words in evidence
        if not any(words != other and words in other for other in evidence)
    ]
    return replace(
        reasons[0],
        explanation=" ".join(explanations),
        evidence=" … ".join(evidence),
        verdict=verdict,
    )


def _undone_by_neighbours(placed: _Placed, windows: Sequence[_Window], rules: _Rules) -> _Placed:
    """A claim found in one passage that the pair around it no longer makes (the next
    segment debunks it, "don't believe" before it) is a review: segments are cut where a
    speaker paused, not where a thought ends."""
    if placed.reason.verdict is not Verdict.BLOCK or placed.window.width != 1:
        return placed
    index = placed.window.first
    for window in windows:
        if window.width == 1 or not window.overlaps(index, index):
            continue
        # A negation across sentences ("postponed to Monday. Do not go on Sunday.") does
        # not undo a claim; a debunking or the right polling day does.
        if not tempers_classifier(window.text, rules.context):
            continue
        wider = _rule_reasons(window.text, rules)
        if not any(reason.category is placed.reason.category for reason in wider):
            reason = replace(
                placed.reason,
                verdict=Verdict.REVIEW,
                explanation=placed.reason.explanation + _UNDONE,
            )
            return replace(placed, reason=reason)
    return placed


def _with_false_claims(found: list[_Placed]) -> list[_Placed]:
    """An authority's voice that lies about voting is impersonation: its review becomes a
    block when a false claim about voting is made too."""
    lies = any(
        placed.reason.category is Category.VOTING_PROCESS and placed.reason.verdict is Verdict.BLOCK
        for placed in found
    )
    if not lies:
        return found
    return [
        replace(
            placed,
            reason=replace(
                placed.reason,
                verdict=Verdict.BLOCK,
                explanation=placed.reason.explanation + _WITH_FALSE_CLAIM,
            ),
        )
        if placed.reason.category is Category.OFFICIAL_IMPERSONATION
        and placed.reason.verdict is Verdict.REVIEW
        and placed.reason.source == "rule"
        else placed
        for placed in found
    ]


# -- The classifier -------------------------------------------------------------------------


def _for_classifier(window: _Window, found: Sequence[_Placed], context: Context) -> bool:
    """Whether to ask the classifier: a window about elections, long enough to say
    something, where the rules found nothing."""
    if len(window.text.words) < CLASSIFIER_MIN_WORDS:
        return False
    if any(placed.window.overlaps(window.first, window.last) for placed in found):
        return False
    return on_topic(window.text, context)


def _classifier_claims(
    model: PromptClassifier, windows: Sequence[_Window], context: Context
) -> Iterator[_Placed]:
    """The classifier's reads, each a review at most: it was fitted on prompts, and on
    statements it also rates ordinary announcements ("voting is compulsory: go to your
    polling station on Sunday") as claims, so it never decides alone. Where the rules see
    a debunking or the right polling day, it says nothing."""
    if not windows:
        return
    read = [window.text.readable[:CLASSIFIER_CHARS] for window in windows]
    for window, text, scores in zip(windows, read, model.probabilities(read), strict=True):
        if tempers_classifier(window.text, context):
            continue
        for reason in scored_reasons(scores, text, context.policy):
            said = replace(
                reason,
                verdict=Verdict.REVIEW,
                explanation=f"{SUBJECT} {reason.explanation}{_CLASSIFIER_ALONE}",
            )
            yield _Placed(said, window, score=scores[reason.category])


# -- Claims ---------------------------------------------------------------------------------


def _claim(placed: _Placed, passages: Sequence[Passage], wording: Wording) -> Claim:
    reason = placed.reason.worded_for(wording)
    explanation = reason.explanation
    if not explanation.endswith("."):
        explanation += "."
    return Claim(
        category=reason.category,
        verdict=reason.verdict,
        explanation=explanation,
        words=reason.evidence,
        start=passages[placed.window.first].start,
        end=passages[placed.window.last].end,
        source=reason.source,
    )
