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
from accord.claims.matching import (
    Span,
    Trigger,
    any_of,
    debunks,
    find,
    negated,
    word_range,
    words,
)
from accord.claims.text import Text, quote
from accord.claims.verdicts import ASKS_FOR, SUBJECT, Category, Reason, Verdict


def impersonation_reasons(text: Text) -> list[Reason]:
    if debunks(text):
        return []
    span = _first_made(_from_authority(), text) if _authority_trigger().met(text) else None
    if span is None and _official_trigger().met(text) and _about_elections(text):
        span = _first_made(_looks_official(), text)
    if span is None:
        return []
    return [
        Reason(
            category=Category.OFFICIAL_IMPERSONATION,
            explanation=(
                f"{SUBJECT} {ASKS_FOR} election material presented as coming from an election "
                "authority or official."
            ),
            evidence=quote(text, span.start, span.end),
            verdict=Verdict.BLOCK,
        )
    ]


def speaking_as_authority(text: Text) -> list[Reason]:
    """A statement (what a recording says, a post's text) that speaks as an election
    authority: "This is the Federal Public Service Interior", "namens de kiesraad". Not a
    prompt's rule: a prompt asks for material, a statement is it. A review, not a block:
    authorities do speak; with a false claim about voting beside it, it is impersonation."""
    if not _authority_trigger().met(text) or debunks(text):
        return []
    for span in find(_speaking_as(), text):
        if negated(text, span):
            continue
        return [
            Reason(
                category=Category.OFFICIAL_IMPERSONATION,
                explanation=(
                    f"{SUBJECT} presents itself as coming from an election authority or official."
                ),
                evidence=quote(text, span.start, span.end),
                verdict=Verdict.REVIEW,
            )
        ]
    return []


@cache
def _speaking_as() -> re.Pattern[str]:
    general = any_of(lexicon.GENERAL_AUTHORITIES)
    authority = rf"(?!{general}\b){any_of(lexicon.AUTHORITIES)}"
    determiner = rf"(?:{any_of(lexicon.DETERMINERS)} )?"
    # "the FPS Interior's decision" speaks of the authority, not as it.
    return re.compile(rf"\b{any_of(lexicon.SPEAKING_AS)} {determiner}{authority}\b(?! s\b)")


def _first_made(pattern: re.Pattern[str], text: Text) -> Span | None:
    """The first match that is asked to be made: neither negated nor a paper the voter is
    only pointed to ("check the address on your official polling card")."""
    for span in find(pattern, text):
        if not _referred_to(text, span) and not negated(text, span):
            return span
    return None


def _referred_to(text: Text, span: Span) -> bool:
    first, _ = word_range(text, span)
    before = " ".join(text.words[max(0, first - REFERENCE_REACH) : first])
    return _reference().search(before) is not None


#: Words before a document in which a possessive or "check"/"bring" makes it a reference.
REFERENCE_REACH = 2


@cache
def _reference() -> re.Pattern[str]:
    return re.compile(words(lexicon.REFERENCE))


@cache
def _authority_trigger() -> Trigger:
    return Trigger(lexicon.AUTHORITIES)


@cache
def _official_trigger() -> Trigger:
    return Trigger(lexicon.OFFICIAL_MARKS)


@cache
def _from_authority() -> re.Pattern[str]:
    # "a letter from the FPS Interior", "een brief van de kiescommissie", "une lettre du
    # bureau principal", "ein Schreiben vom Wahlleiter"; "the returning officer's letter".
    documents = any_of(lexicon.DOCUMENTS)
    authority = any_of(lexicon.AUTHORITIES)
    # "the Ghent city election office", "de Brusselse verkiezingsdienst": a place or "city"
    # may qualify the authority.
    places = any_of(form for forms in lexicon.PLACES.values() for form in forms)
    qualifier = rf"(?:(?:{places}|city|town|stad|ville|stadt|stedelijke?|communale?) ){{0,2}}"
    sent = (
        rf"\b{documents}\b(?: \S+){{0,3}} {any_of(lexicon.FROM)} "
        rf"(?:{any_of(lexicon.DETERMINERS)} )?{qualifier}{authority}\b"
    )
    says = (
        r"(?:saying|says|announcing|telling|stating|informing|notifying|text|tekst|texte|zegt"
        r"|meldt|informeert|aankondigt|dit|annonce\w*|informant|indiquant|sagt|verkundet"
        r"|mitteilt|informiert|aufschrift|message|boodschap|nachricht|that|dat|que|dass)"
    )
    # "a letter on FPS Interior letterhead informing the voter ...": the authority's own
    # document, when it tells something (a "town hall notice board" tells nothing).
    owned = rf"\b{authority}(?: s)? {documents}\b(?: \S+){{0,6}} {says}\b"
    # The authority's logo or seal carrying a message ("the FPS Interior logo with the text").
    mark = r"(?:logo|seal|stamp|zegel|stempel|sceau|cachet|siegel|wappen)\w*"
    logo = rf"\b{authority}(?: \S+){{0,3}} {mark}\b(?: \S+){{0,6}} {says}\b"
    return re.compile(rf"{sent}|{owned}|{logo}")


@cache
def _looks_official() -> re.Pattern[str]:
    # "an official letter", "an official government document": one word may come between.
    official_document = rf"\b{any_of(lexicon.OFFICIAL)} (?:\S+ )?{any_of(lexicon.DOCUMENTS)}\b"
    document_official = rf"\b{any_of(lexicon.DOCUMENTS)} {any_of(lexicon.OFFICIAL)}\b"
    return re.compile(rf"{words(lexicon.OFFICIAL_LOOK)}|{official_document}|{document_official}")


def _about_elections(text: Text) -> bool:
    return _election_word().search(text.folded) is not None


@cache
def _election_word() -> re.Pattern[str]:
    return re.compile(words((*lexicon.ELECTION_WORDS, *lexicon.AUTHORITIES)))
