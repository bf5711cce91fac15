"""Word error rate: the fewest word substitutions, deletions and insertions that turn
what was said (the reference) into what was heard (the hypothesis), over the reference's
number of words.

Both texts are normalised first, and only so far:

- case is folded ("Monday" = "monday");
- punctuation and symbols become a space (so "8:00" is the two words "8 00", "porte-à-porte" three
  words), except an apostrophe inside a word ("don't", "l'élection" stay one word; curly
  apostrophes count as straight ones);
- numbers are left as written: "13" and "thirteen" are different words. A transcriber
  that writes numbers out where the reference has digits is charged for it; the
  evaluation set writes dates and times as a script would (digits), as Whisper mostly does.

Over many sentences, the aggregate rate is the total of edits over the total of reference
words (not the mean of the sentences' rates), so long sentences weigh more.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@dataclass(frozen=True, slots=True)
class WordErrors:
    """The edits between a reference and a hypothesis, and the reference's length."""

    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0
    reference_words: int = 0

    @property
    def edits(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float:
        """Edits over reference words; a hypothesis for an empty reference counts each
        inserted word as a whole error (the rate is then the insertions, not infinite)."""
        if self.reference_words == 0:
            return float(self.insertions)
        return self.edits / self.reference_words

    def __add__(self, other: WordErrors) -> WordErrors:
        return WordErrors(
            self.substitutions + other.substitutions,
            self.deletions + other.deletions,
            self.insertions + other.insertions,
            self.reference_words + other.reference_words,
        )


def normalise(text: str) -> list[str]:
    """The words of ``text`` as compared: case folded, punctuation removed (see above)."""
    characters = []
    for character in unicodedata.normalize("NFC", text.translate(_APOSTROPHES)).casefold():
        keep = character == "'" or not unicodedata.category(character).startswith(("P", "S"))
        characters.append(character if keep else " ")
    words = "".join(characters).split()
    return [stripped for word in words if (stripped := word.strip("'"))]


def word_errors(reference: str, hypothesis: str) -> WordErrors:
    """The fewest edits turning ``reference`` into ``hypothesis``, by kind (Levenshtein over
    normalised words; among paths of equal cost, substitutions are preferred)."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    # Each cell: (edits, substitutions, deletions, insertions) for ref[:i] -> hyp[:j].
    previous = [(j, 0, 0, j) for j in range(len(hyp) + 1)]
    for i, ref_word in enumerate(ref, start=1):
        current = [(i, 0, i, 0)]
        for j, hyp_word in enumerate(hyp, start=1):
            diagonal = previous[j - 1]
            if ref_word == hyp_word:
                best = diagonal
            else:
                up, left = previous[j], current[j - 1]
                best = min(
                    (diagonal[0] + 1, diagonal[1] + 1, diagonal[2], diagonal[3]),
                    (up[0] + 1, up[1], up[2] + 1, up[3]),
                    (left[0] + 1, left[1], left[2], left[3] + 1),
                    key=lambda cell: cell[0],
                )
            current.append(best)
        previous = current
    _, substitutions, deletions, insertions = previous[-1]
    return WordErrors(substitutions, deletions, insertions, len(ref))


def wer(reference: str, hypothesis: str) -> float:
    """The word error rate of ``hypothesis`` against ``reference``."""
    return word_errors(reference, hypothesis).rate
