"""A prompt made ready for rules: obfuscation undone, case and accents folded.

The fields are the contract the rest of ``accord.claims`` relies on. ``prepare`` runs on
every prompt a generation service sends, so it is a handful of regular-expression passes
(compiled once, on first use) and no per-character Python loop.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import product

from accord.claims.lexicon import VOCABULARY


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
    readable = _readable(prompt)
    folded = fold(readable)
    return Text(original=prompt, readable=readable, folded=folded, words=tuple(folded.split()))


def fold(text: str) -> str:
    """``text`` casefolded, without accents, punctuation as single spaces (kept between
    digits, so that "13/10/2024" and "13.10" stay dates)."""
    plain = _MARKS().sub("", unicodedata.normalize("NFKD", text.casefold()))
    return " ".join(_PUNCTUATION().sub(" ", plain).split())


def quote(text: Text, start: int, end: int) -> str:
    """The words of the prompt behind ``text.folded[start:end]``, as the person wrote them
    where they can be found (else as ``readable`` has them): evidence to show back."""
    first = text.folded.count(" ", 0, start)
    last = text.folded.count(" ", 0, max(start, end - 1))
    spans = [match.span() for match in _FOLD_WORD().finditer(text.readable)]
    if len(spans) != len(text.words) or last >= len(spans):
        return text.folded[start:end]
    excerpt = text.readable[spans[first][0] : spans[last][1]]
    found = re.search(re.escape(excerpt), text.original, re.IGNORECASE)
    return found.group(0) if found else excerpt


# -- The passes, in order ---------------------------------------------------------------


def _readable(prompt: str) -> str:
    text = unicodedata.normalize("NFKC", _INVISIBLE().sub("", prompt))
    text = text.translate(_HOMOGLYPHS)
    text = _SPACED().sub(_join_spaced, text)
    text = _OBFUSCATED_WORD().sub(_undo_word, text)
    return " ".join(text.split())


def _join_spaced(match: re.Match[str]) -> str:
    """ "s m s", "v.o.t.e", "S-M-S" as the word they spell; "1 2 3" stays as it is."""
    run = match.group(0)
    letters = re.sub(r"[\s.\-_*·/]", "", run)
    # Two letters apart are a word only when dotted or dashed ("b.y"), not spaced: "y a" is
    # French, "J. P." initials.
    spaced = any(char.isspace() for char in match.group("sep"))
    too_short = len(letters) < 3 and spaced  # noqa: PLR2004
    if too_short or sum(char.isalpha() for char in letters) < 2:  # noqa: PLR2004
        return run
    return letters


def _undo_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if _NUMBER_WITH_UNIT().fullmatch(word) or (
        "@" in word and _EMAIL_DOMAIN().match(match.string, match.end())
    ):
        return word
    candidates = _spellings(word)
    for candidate in candidates:
        if candidate.casefold() in VOCABULARY:
            return candidate
    # Leet inside a word ("st3mm3n") is leet whatever the word; digits only at its edge
    # ("mp3", "A4", "G7") are part of a name unless the reading is a word we look for.
    if _INNER_LEET().search(word) or not any(char in _LEET for char in word):
        return candidates[0]
    return word


def _spellings(word: str) -> list[str]:
    """The readings of an obfuscated word, likeliest first: leet as letters ("1" as i or
    l), runs of three or more letters as one or two."""
    pieces: list[list[str]] = []
    for run in _RUNS().finditer(word):
        char = run.group(0)
        if char[0] in _LEET:
            readings = [_LEET[char[0]] * len(char)]
            pieces.append([*readings, "l" * len(char)] if char[0] == "1" else readings)
        elif len(char) > 2:  # noqa: PLR2004 -- "vooote", "smsss"
            pieces.append([char[0] * 2, char[0]])
        else:
            pieces.append([char])
    if not pieces:
        return [word]
    # Alternatives for the first twelve runs only; the rest read their likeliest way (a long
    # word such as "B3k4nntm4chung" keeps its end).
    rest = "".join(readings[0] for readings in pieces[12:])
    return ["".join(choice) + rest for choice in product(*pieces[:12])][:32]


_LEET = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "$": "s",
    "@": "a",
    "€": "e",
    "|": "l",
    "!": "i",
}

# Cyrillic and Greek letters that look Latin ("vote" written with a Cyrillic o).
_HOMOGLYPHS = str.maketrans(
    "аеорсхуіјѕԁһкмтвнАЕОРСХУІЈЅКМТВНαοτνικρεΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcxyijsdhkmtbhAEOPCXYIJSKMTBHaotvikpeABEZHIKMNOPTYX",
)


@cache
def _INVISIBLE() -> re.Pattern[str]:  # noqa: N802 -- a compiled constant, compiled on first use
    return re.compile(
        "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
        "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
    )


@cache
def _MARKS() -> re.Pattern[str]:  # noqa: N802
    return re.compile(r"[\u0300-\u036f]")


@cache
def _PUNCTUATION() -> re.Pattern[str]:  # noqa: N802
    # Anything not a letter or digit, except . / - : between two digits.
    return re.compile(r"(?!(?<=\d)[./:\-]\d)[\W_]")


@cache
def _FOLD_WORD() -> re.Pattern[str]:  # noqa: N802
    # A word as ``fold`` keeps it: letters and digits, with . / - : between digits.
    return re.compile(r"[^\W_]+(?:(?<=\d)[./:\-](?=\d)[^\W_]+)*")


@cache
def _SPACED() -> re.Pattern[str]:  # noqa: N802
    one = r"[^\W_]|[$@€|]"
    return re.compile(
        rf"(?<![\w$@€])(?:{one})(?P<sep>\s|[.\-_*·/]\s?)(?:{one})"
        rf"(?:(?P=sep)(?:{one}))*\.?(?![\w$@€])"
    )


@cache
def _OBFUSCATED_WORD() -> re.Pattern[str]:  # noqa: N802
    # A word with a leet character next to a letter, or a letter three times in a row.
    leet = r"[0-9$@€|!]"
    return re.compile(
        rf"(?<![\w$@€|])(?=[\w$@€|!]*(?:[^\W\d_]{leet}|{leet}[^\W\d_]|([^\W\d_])\1\1))"
        r"[\w$@€|]+(?:!+[\w$@€|]+)*"
    )


@cache
def _INNER_LEET() -> re.Pattern[str]:  # noqa: N802
    return re.compile(r"[^\W\d_][0-9$@€|!]+[^\W\d_]")


@cache
def _EMAIL_DOMAIN() -> re.Pattern[str]:  # noqa: N802
    return re.compile(r"\.\w")


@cache
def _RUNS() -> re.Pattern[str]:  # noqa: N802
    return re.compile(r"(.)\1*")


@cache
def _NUMBER_WITH_UNIT() -> re.Pattern[str]:  # noqa: N802
    # "13th", "1er", "2de", "13e", "4K", "10am", "2024er", "3D", "16u": numbers, not leet.
    return re.compile(
        r"\d+(?:st|nd|rd|th|e|er|ere|eme|ème|de|ste|sten|ten|te|h|u|uur|am|pm|k|d|x|p|s|"
        r"m|km|cm|mm|kg|g|mb|gb|kb|fps|hz|jarige?n?|jahrige?n?|ans?|jaar|jahre?)",
        re.IGNORECASE,
    )
