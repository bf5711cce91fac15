"""How the rules find words in a prompt: alternations of lexicon fragments matched on whole
words of ``Text.folded``, "A within n words of B", and whether a match is negated.

Matching runs on ``folded`` (single spaces, no punctuation), so a claim split over
sentences ("polling stations. Are closed.") reads as one run of words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from accord.claims import lexicon
from accord.claims.text import Text

#: Words either side of a match in which a negation ("not", "geen", "pas", "nicht") undoes it.
NEGATION_BEFORE = 6
NEGATION_AFTER = 5


@dataclass(frozen=True, slots=True)
class Span:
    """Where a match lies in ``Text.folded`` (character offsets)."""

    start: int
    end: int


def any_of(fragments: Iterable[str]) -> str:
    """One non-capturing alternation, longest first so that "polling stations" wins over
    "polling"."""
    return "(?:" + "|".join(sorted(set(fragments), key=len, reverse=True)) + ")"


def words(fragments: Iterable[str]) -> str:
    """``fragments`` as whole words."""
    return rf"\b{any_of(fragments)}\b"


def near(first: str, second: str, gap: int, *, reverse_gap: int | None = None) -> str:
    """``first`` then at most ``gap`` words then ``second``; or the other way round with at
    most ``reverse_gap`` words between (``gap`` unless given; no reverse order when < 0)."""
    forward = rf"\b{first}\b(?: \S+){{0,{gap}}} {second}\b"
    back = gap if reverse_gap is None else reverse_gap
    if back < 0:
        return forward
    return rf"{forward}|\b{second}\b(?: \S+){{0,{back}}} {first}\b"


class Trigger:
    """A cheap necessary condition for a pattern built from lexicon fragments: one of the
    words it must contain (or one of their beginnings) is in the prompt. Checked with set
    intersections before the regular expression runs: most prompts fail it."""

    def __init__(self, *groups: Iterable[str]) -> None:
        needed = [_needed(fragment) for group in groups for fragment in group]
        #: A fragment with no literal word to look for: the pattern always runs.
        self.always = None in needed
        self.exact = frozenset(word for word, whole in filter(None, needed) if whole)
        self.prefixes = frozenset(
            word[:PREFIX_MAX] for word, whole in filter(None, needed) if not whole
        )

    def met(self, text: Text) -> bool:
        if self.always:
            return True
        present, beginnings = vocabulary(text)
        return not (self.exact.isdisjoint(present) and self.prefixes.isdisjoint(beginnings))


#: Word beginnings longer than this are cut to it on both sides of a trigger check.
PREFIX_MAX = 8
_LEAD = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


def _needed(fragment: str) -> tuple[str, bool] | None:
    """The longest literal word ``fragment`` must match, and whether whole (else only its
    beginning is certain: "vot" in "vot(?:e|ing)", "ballot" in "ballots?")."""
    head = _LEAD.match(fragment)
    if head is None:
        return None
    rest = fragment[head.end() :]
    *complete, last = head.group(0).split(" ")
    if rest[:1] in ("?", "*", "{"):
        last = last[:-1]  # its last letter is optional
    options = [(word, True) for word in complete]
    if last:
        options.append((last, not rest or rest[0] == " "))
    # The longest word, the later one on a tie ("app" rather than "the" in "the app").
    return max(reversed(options), key=lambda option: len(option[0]), default=None)


@lru_cache(maxsize=64)
def vocabulary(text: Text) -> tuple[frozenset[str], frozenset[str]]:
    """The words of ``text``, and every beginning of them (up to ``PREFIX_MAX`` letters)."""
    present = frozenset(text.words)
    beginnings = frozenset(
        word[:size] for word in present for size in range(1, min(len(word), PREFIX_MAX) + 1)
    )
    return present, beginnings


def find(pattern: re.Pattern[str], text: Text) -> Iterator[Span]:
    for match in pattern.finditer(text.folded):
        yield Span(match.start(), match.end())


def first_unnegated(pattern: re.Pattern[str], text: Text) -> Span | None:
    """The first match that no negation near it undoes; None when every match is negated
    or the prompt debunks a myth."""
    spans = list(find(pattern, text))
    if not spans or debunks(text):
        return None
    return next((span for span in spans if not negated(text, span)), None)


def negated(text: Text, span: Span) -> bool:
    first, last = word_range(text, span)
    window = " ".join(text.words[max(0, first - NEGATION_BEFORE) : last + 1 + NEGATION_AFTER])
    return _negation().search(window) is not None


def debunks(text: Text) -> bool:
    return _debunking().search(text.folded) is not None


def word_range(text: Text, span: Span) -> tuple[int, int]:
    """The indices in ``text.words`` of the first and last word of ``span``."""
    first = text.folded.count(" ", 0, span.start)
    return first, first + text.folded.count(" ", span.start, max(span.start, span.end - 1))


@cache
def _negation() -> re.Pattern[str]:
    return re.compile(words(lexicon.NEGATIONS))


@cache
def _debunking() -> re.Pattern[str]:
    return re.compile(words(lexicon.DEBUNKING))
