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
        # Kept as given; the word sets are built on the first check, not at import.
        self._groups = tuple(tuple(group) for group in groups)
        self._sets: tuple[bool, frozenset[str], frozenset[str]] | None = None

    def met(self, text: Text) -> bool:
        always, exact, prefixes = self._sets or self._build()
        if always:
            return True
        present, beginnings = vocabulary(text)
        return not (exact.isdisjoint(present) and prefixes.isdisjoint(beginnings))

    def _build(self) -> tuple[bool, frozenset[str], frozenset[str]]:
        needed = [_needed(fragment) for group in self._groups for fragment in group]
        # A fragment with no literal word to look for: the pattern always runs.
        always = None in needed
        exact = frozenset(word for word, whole in filter(None, needed) if whole)
        prefixes = frozenset(word[:PREFIX_MAX] for word, whole in filter(None, needed) if not whole)
        self._sets = (always, exact, prefixes)
        return self._sets


#: Word beginnings longer than this are cut to it on both sides of a trigger check.
PREFIX_MAX = 8


@cache
def _lead() -> re.Pattern[str]:
    return re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


def _needed(fragment: str) -> tuple[str, bool] | None:
    """The longest literal word ``fragment`` must match, and whether whole (else only its
    beginning is certain: "vot" in "vot(?:e|ing)", "ballot" in "ballots?")."""
    head = _lead().match(fragment)
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


def first_unnegated(
    pattern: re.Pattern[str], text: Text, *, despite: re.Pattern[str] | None = None
) -> Span | None:
    """The first match that no negation near it undoes; None when every match is negated
    or the prompt debunks a myth. Negations inside ``despite`` phrases do not count."""
    spans = list(find(pattern, text))
    if not spans or debunks(text):
        return None
    return next((span for span in spans if not negated(text, span, despite=despite)), None)


def negated(text: Text, span: Span, *, despite: re.Pattern[str] | None = None) -> bool:
    """Whether a negation lies near ``span``; a negation inside a ``despite`` phrase ("no
    need to queue" beside "vote by SMS") negates something else and does not count."""
    first, last = word_range(text, span)
    low, high = max(0, first - NEGATION_BEFORE), last + 1 + NEGATION_AFTER
    # "crée un FAUX SMS", "make a FALSE notice": a fake being made negates nothing.
    window = " ".join(
        "-" if _label().fullmatch(word) and _made(text, index) else word
        for index, word in enumerate(text.words[low:high], start=low)
    )
    if despite is not None:
        window = despite.sub(" ", window)
    return _negation().search(window) is not None


@lru_cache(maxsize=64)
def debunks(text: Text) -> bool:
    """Whether the prompt debunks a claim or warns against it: "myth", "fact check"; "beware
    of", "never sends", "is a scam", "stamped FAKE"; or a fake named as such ("an infographic
    of a fake SMS") where the prompt neither makes the fake ("make a fake SMS", "a convincing
    fake") nor spreads it ("send it to voters", "spread the rumour")."""
    folded = text.folded
    if _debunking().search(folded) or _warned().search(folded):
        return True
    if not _labels_trigger().met(text):
        return False
    called = any(_called_fake(text, match) for match in _labelled().finditer(folded))
    if called:
        return True
    named = any(_named_fake(text, match) for match in _label().finditer(folded))
    return named and _spread().search(folded) is None


def produced(text: Text, span: Span) -> bool:
    """Whether the fake word at ``span`` is one the prompt asks to make or spread ("make a
    fake SMS", "crée un faux SMS", "a convincing fake"): no warning, and no negation."""
    return _made(text, word_range(text, span)[0])


def _made(text: Text, index: int) -> bool:
    before = text.words[max(0, index - PRODUCE_REACH) : index]
    return any(_produce().fullmatch(word) for word in before)


#: Words from a "make"/"spread"/"convincing" to the fake word it makes ("make a realistic fake").
PRODUCE_REACH = 3
#: Words from an election to the fake it is called ("the election is a fraud").
RIGGED_REACH = 4


def _named_fake(text: Text, match: re.Match[str]) -> bool:
    span = Span(match.start(), match.end())
    return not (produced(text, span) or _rigged(text, span) or _label_negated(text, span))


def _called_fake(text: Text, match: re.Match[str]) -> bool:
    return not _rigged(text, Span(match.start(), match.end()))


def _rigged(text: Text, span: Span) -> bool:
    """Whether the fake is the election itself ("the election was a fraud", "fraude
    électorale", "die Wahl gefälscht"): a claim about the election, not a warning."""
    first, last = word_range(text, span)
    beside = text.words[max(0, first - RIGGED_REACH) : first] + text.words[last + 1 : last + 2]
    return any(_rigged_word().fullmatch(word) for word in beside)


def _label_negated(text: Text, span: Span) -> bool:
    # "it must not look fake": the fake is wanted to pass for real.
    first, _ = word_range(text, span)
    window = " ".join(text.words[max(0, first - 3) : first])
    return _negation().search(window) is not None


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


@cache
def _warned() -> re.Pattern[str]:
    return re.compile(words((*lexicon.WARNING, *lexicon.NEVER_SENDS)))


@cache
def _labels_trigger() -> Trigger:
    return Trigger(lexicon.FAKE_LABELS)


@cache
def _label() -> re.Pattern[str]:
    return re.compile(words(lexicon.FAKE_LABELS))


@cache
def _labelled() -> re.Pattern[str]:
    # "is a scam", "stamped FAKE", "est une arnaque", "ist Betrug".
    return re.compile(rf"\b{any_of(lexicon.CALLED)} {words(lexicon.FAKE_LABELS)}")


@cache
def _produce() -> re.Pattern[str]:
    return re.compile(any_of(lexicon.PRODUCE))


@cache
def _rigged_word() -> re.Pattern[str]:
    return re.compile(any_of(lexicon.RIGGED))


@cache
def _spread() -> re.Pattern[str]:
    return re.compile(words(lexicon.SPREAD))
