"""A prompt made ready for rules: obfuscation undone, case and accents folded.

(Owned by the rules work: the fields are the contract the rest relies on.)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    #: The prompt as given.
    original: str
    #: What the classifier reads: zero-width characters removed, leetspeak and spaced-out
    #: letters inside words undone, whitespace collapsed; case and accents kept.
    readable: str
    #: ``readable`` casefolded, accents removed (NFKD), punctuation turned into spaces
    #: except inside numbers and dates: what rules match words and phrases in.
    folded: str
    #: ``folded`` split into words.
    words: tuple[str, ...]


def prepare(prompt: str) -> Text:
    raise NotImplementedError  # the rules work writes this
