"""Something presented as coming from an election authority or official: a letter, notice,
press release or voice message "from" the FPS Interior, the electoral commission, the
returning officer or the town hall; or any election material made to look official (a
letterhead, a seal, "make it look official"). A neutral request ("a photo of a ballot box",
"an infographic about how to vote") is not presented as anyone's and passes.
"""

from __future__ import annotations

import re
from functools import cache

from accord.claims import lexicon
from accord.claims.matching import Trigger, any_of, first_unnegated, words
from accord.claims.text import Text, quote
from accord.claims.verdicts import Category, Reason, Verdict


def impersonation_reasons(text: Text) -> list[Reason]:
    span = first_unnegated(_from_authority(), text) if _AUTHORITY.met(text) else None
    if span is None and _OFFICIAL.met(text) and _about_elections(text):
        span = first_unnegated(_looks_official(), text)
    if span is None:
        return []
    return [
        Reason(
            category=Category.OFFICIAL_IMPERSONATION,
            explanation=(
                "The prompt asks for election material presented as coming from an election "
                "authority or official."
            ),
            evidence=quote(text, span.start, span.end),
            verdict=Verdict.BLOCK,
        )
    ]


_AUTHORITY = Trigger(lexicon.AUTHORITIES)
_OFFICIAL = Trigger(lexicon.OFFICIAL_MARKS)


@cache
def _from_authority() -> re.Pattern[str]:
    # "a letter from the FPS Interior", "een brief van de kiescommissie", "une lettre du
    # bureau principal", "ein Schreiben vom Wahlleiter"; "the returning officer's letter".
    documents = any_of(lexicon.DOCUMENTS)
    authority = any_of(lexicon.AUTHORITIES)
    sent = (
        rf"\b{documents}\b(?: \S+){{0,3}} {any_of(lexicon.FROM)} "
        rf"(?:{any_of(lexicon.DETERMINERS)} )?{authority}\b"
    )
    owned = rf"\b{authority} s? {documents}\b"
    # The authority's logo or seal carrying a message ("the FPS Interior logo with the text").
    mark = r"(?:logo|seal|stamp|zegel|stempel|sceau|cachet|siegel|wappen)\w*"
    says = (
        r"(?:saying|says|announcing|telling|stating|text|tekst|texte|zegt|meldt|dit|annonce"
        r"|sagt|verkundet|aufschrift|message|boodschap|nachricht)"
    )
    logo = rf"\b{authority}(?: \S+){{0,3}} {mark}\b(?: \S+){{0,6}} {says}\b"
    return re.compile(rf"{sent}|{owned}|{logo}")


@cache
def _looks_official() -> re.Pattern[str]:
    official_document = rf"\b{any_of(lexicon.OFFICIAL)} {any_of(lexicon.DOCUMENTS)}\b"
    document_official = rf"\b{any_of(lexicon.DOCUMENTS)} {any_of(lexicon.OFFICIAL)}\b"
    return re.compile(rf"{words(lexicon.OFFICIAL_LOOK)}|{official_document}|{document_official}")


def _about_elections(text: Text) -> bool:
    return _election_word().search(text.folded) is not None


@cache
def _election_word() -> re.Pattern[str]:
    return re.compile(words((*lexicon.ELECTION_WORDS, *lexicon.AUTHORITIES)))
