"""The rules: protected people, voting dates and means, official impersonation.

They match every language's words whatever language the prompt was detected as (prompts
mix them), on ``Text.folded``. Each module answers one question; this one puts their
answers together and decides what naming a protected person means for each tool.
"""

from __future__ import annotations

import re
from functools import cache

from accord.claims import lexicon
from accord.claims.context import Context
from accord.claims.impersonation import impersonation_reasons
from accord.claims.matching import any_of, debunks, words
from accord.claims.people import Named, named_people
from accord.claims.text import Text
from accord.claims.verdicts import Category, Reason, Tool, Verdict
from accord.claims.voting import names_polling_day, voting_reasons


def rule_reasons(text: Text, tool: Tool, language: str, context: Context) -> list[Reason]:
    """What the rules find in ``text``; ``language`` labels the prompt but picks no
    lexicon, for every language's words are looked for. Explanations carry the wording
    placeholders: ``screen_prompt`` fills them (``Reason.worded_for``)."""
    del language  # every language's lexicon is matched: prompts switch languages
    reasons = [
        reason
        for named in named_people(text, context)
        if (reason := _person_reason(named, text, tool, context)) is not None
    ]
    if on_topic(text, context, people=bool(reasons)):
        reasons += voting_reasons(text, context)
        reasons += impersonation_reasons(text)
    return reasons


def on_topic(text: Text, context: Context, *, people: bool | None = None) -> bool:
    """Whether the prompt touches elections at all: the classifier is asked only then.

    ``people`` says whether a protected person was already found (saves matching again)."""
    if _election_words().search(text.folded):
        return True
    return people if people is not None else bool(named_people(text, context))


def tempers_classifier(text: Text, context: Context) -> bool:
    """Whether the classifier's block should be only a review: the prompt debunks or warns
    against a claim, or gives a registered polling day by its date and no wrong one. The
    classifier reads neither framing nor dates; the rules do, and cheaply."""
    return debunks(text) or names_polling_day(text, context)


def _person_reason(named: Named, text: Text, tool: Tool, context: Context) -> Reason | None:
    verdict, explanation = _depiction(text, tool, context)
    if verdict is Verdict.ALLOW:
        return None
    return Reason(
        category=Category.PROTECTED_PERSON,
        explanation=explanation.format(name=named.person.name),
        evidence=named.evidence,
        verdict=verdict,
    )


def _depiction(text: Text, tool: Tool, context: Context) -> tuple[Verdict, str]:
    """What asking ``tool`` for a protected person in this way gets."""
    if tool is Tool.VOICE or _has(_voice(), text):
        return Verdict.BLOCK, "The prompt asks to voice or imitate {name}, a protected person."
    if tool is Tool.TEXT:
        if _has(_statement(), text):
            return (
                Verdict.BLOCK,
                "The prompt asks for words presented as {name}'s own; {name} is a protected "
                "person.",
            )
        return Verdict.ALLOW, ""
    if _has(_non_realistic(), text) and not _has(_realistic(), text):
        return (
            context.policy.caricature,
            "The prompt asks for a non-realistic depiction (cartoon, caricature) of {name}, a "
            "protected person.",
        )
    return Verdict.BLOCK, "The prompt asks for a realistic depiction of {name}, a protected person."


def _has(pattern: re.Pattern[str], text: Text) -> bool:
    return pattern.search(text.folded) is not None


@cache
def _election_words() -> re.Pattern[str]:
    # Election words and the words around them (ballots, the count, ministries, town halls,
    # letterheads, "your choice", "send ... to 4455"): a paraphrase that names no election
    # still reaches the classifier; a cat on a skateboard does not.
    # A fragment that may end a compound ("\w*verkiezing", "gemeenteraadsverkiezingen") is
    # looked for without its "\w*" and the word boundary before: the same words match, and
    # the search need not try every letter as a word's start.
    fragments = (*lexicon.ELECTION_WORDS, *lexicon.ELECTION_ADJACENT)
    tails = [fragment[3:] for fragment in fragments if fragment.startswith(r"\w*")]
    whole = [fragment for fragment in fragments if not fragment.startswith(r"\w*")]
    return re.compile(rf"{words(whole)}|{any_of(tails)}\b")


@cache
def _voice() -> re.Pattern[str]:
    return re.compile(words(lexicon.VOICE))


@cache
def _statement() -> re.Pattern[str]:
    return re.compile(words(lexicon.STATEMENT))


@cache
def _non_realistic() -> re.Pattern[str]:
    return re.compile(words(lexicon.NON_REALISTIC))


@cache
def _realistic() -> re.Pattern[str]:
    return re.compile(words(lexicon.REALISTIC))
