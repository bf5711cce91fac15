"""Segments Whisper made up rather than heard: its prompt read back, and decoding loops.

Claims are screened on transcripts, so a made-up segment can invent a claim nobody said.

- An echo: Whisper sometimes returns its ``initial_prompt`` (the instance's names and
  election words) as the transcript of a window it finds hard, e.g. 30 s of espeak French
  came back as "Élection, bureaux de vote, tempête, reportée, lundi, SMS.". The prompt is
  a list of items separated by commas; speech says one item at a time, in sentences, so a
  segment that reads three whole items of the list in a row, in any order ("Verkiezingen,
  stemmen, kiezers"; "Lundi, bureaux de vote, tempête"), or is almost all the list's words
  is the prompt, not speech. "You can vote by SMS on
  Monday" shares words with an English prompt but never three items in a row, and a
  multi-word item said in a sentence ("Belgian local elections 2024 are on Sunday", the
  election's own name) is one item: both stay.
- A loop: greedy decoding that repeats a token ("fmmmmmm…") or a phrase until the window
  ends. Whisper judges a decode failed when its text compresses more than 2.4 times
  (zlib); faster-whisper gives that ratio per 30-s window, which also condemns a correct
  transcript of a message said several times (a robocall repeats itself), so it is taken
  here per segment.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

#: Whisper's own "failed decode" threshold (``compression_ratio_threshold``).
MAX_COMPRESSION_RATIO = 2.4
#: A segment that reads this many items of the prompt's list in a row is an echo.
ECHO_ITEMS = 3
#: ... as is one of at least ``ECHO_MIN_WORDS`` words of which this share are the prompt's.
ECHO_WORD_SHARE = 0.8
ECHO_MIN_WORDS = 4

_WORD = re.compile(r"\w+")
#: What separates the prompt's items: "Jan Peeters, Sophie Dubois. Verkiezingen, stemmen".
_ITEM_END = re.compile(r"[,.;:]")


def words(text: str) -> list[str]:
    """Lower-case words, punctuation and apostrophes dropped ("l'élection" → l, élection)."""
    return _WORD.findall(text.casefold())


@dataclass(frozen=True, slots=True)
class Prompt:
    """A prompt as its list of items, each item's words: "Jan Peeters, stemmen." →
    (jan, peeters), (stemmen)."""

    items: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, prompt: str) -> Prompt:
        items = (tuple(words(item)) for item in _ITEM_END.split(prompt))
        # Longest first: "bureaux de vote" is one item, not "vote" after two other words.
        return cls(tuple(sorted({item for item in items if item}, key=len, reverse=True)))

    def echoed_by(self, text: str) -> bool:
        """Whether ``text`` reads the prompt back rather than says something."""
        said = words(text)
        if not said or not self.items:
            return False
        vocabulary = {word for item in self.items for word in item}
        share = sum(word in vocabulary for word in said) / len(said)
        if len(said) >= ECHO_MIN_WORDS and share >= ECHO_WORD_SHARE:
            return True
        return self._items_in_a_row(said) >= ECHO_ITEMS

    def _items_in_a_row(self, said: list[str]) -> int:
        """The most whole items of the prompt ``said`` holds one after another, in any
        order (Whisper reorders them: "Lundi, bureaux de vote, tempête")."""
        best = run = at = 0
        while at < len(said):
            item = next((i for i in self.items if tuple(said[at : at + len(i)]) == i), None)
            if item is None:
                run, at = 0, at + 1
            else:
                run, at = run + 1, at + len(item)
                best = max(best, run)
        return best


def compression_ratio(text: str) -> float:
    """How many times zlib shrinks ``text`` (UTF-8), as Whisper measures its decodes."""
    data = text.encode()
    return len(data) / len(zlib.compress(data)) if data else 0.0


def loops(text: str) -> bool:
    """Whether ``text`` is a decoding loop (it compresses more than Whisper allows)."""
    return compression_ratio(text) > MAX_COMPRESSION_RATIO
