"""What of a prompt is kept: its SHA-256 and a short excerpt with the personal details
cut out. The prompt itself is never stored; the excerpt is enough for an admin to see
what a block was about, and the digest finds a prompt someone reports again."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from accord.claims.excerpts import EXCERPT_CHARS
from accord.claims.excerpts import excerpt as shared_excerpt

#: "13.10.2024", "2024-10-13", "13/10/2024": the dates voting-process blocks are about.
_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")


def _phone(found: re.Match[str]) -> str:
    return found[0] if _DATE.fullmatch(found[0]) else "«phone»"


# Order matters: a URL may hold an address or digits, an address digits; each is
# replaced whole before the next pattern could cut it into pieces.
_PATTERNS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"(?i)\b(?:https?://|www\.)\S+"), "«url»"),
    (re.compile(r"(?i)[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "«email»"),
    # A phone number: an optional +, then at least 8 digits, maybe grouped by spaces,
    # dots, slashes, dashes or a bracketed area code ("+32 470 12 34 56", "(02) 123 45 67").
    (re.compile(r"(?<![\w+])\+?\(?\d(?:[\s./()-]{0,2}\d){7,}\b"), _phone),
    # What is left of long numbers: account, ID and card numbers. Four digits (a year,
    # an SMS short code) stay: they are what a voting-process block is about.
    (re.compile(r"\d{5,}"), "«number»"),
)
_SPACE = re.compile(r"\s+")

__all__ = ["EXCERPT_CHARS", "excerpt", "prompt_digest", "redact"]


def prompt_digest(prompt: str) -> str:
    return hashlib.sha256(prompt.encode("utf-8")).hexdigest()


def redact(text: str) -> str:
    """``text`` on one line with addresses, URLs, phone numbers and long numbers replaced."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _SPACE.sub(" ", text).strip()


def excerpt(text: str) -> str:
    """``text`` redacted, then cut at a word to at most ``EXCERPT_CHARS`` characters.

    Redacted before it is cut, so that half an address never survives the cut."""
    return shared_excerpt(redact(text), EXCERPT_CHARS)
