"""A short excerpt of a text on one line: what a reason quotes as evidence, what a record
keeps of a prompt, what a report shows of a miss. One rule for them all."""

from __future__ import annotations

import re

#: The longest excerpt by default: room for the words that matter, never a whole essay.
EXCERPT_CHARS = 200

_SPACE = re.compile(r"\s+")


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` on one line, cut to at most ``limit`` characters (an ellipsis included),
    at a word when one ends in the second half."""
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"
