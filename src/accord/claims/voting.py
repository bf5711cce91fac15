"""False claims about when, where or how to vote.

How: any remote electronic channel (Belgium has no voting by SMS, phone, app, e-mail or
online). When: a polling day other than a registered election's, or an election moved,
postponed or cancelled. Where: polling stations closed or moved. Who: invented rules
(documents nobody asks for, "born before", "vote twice"). A claim a prompt negates or
debunks ("there is NO voting by SMS") or warns against ("a fake SMS stamped SCAM") is a
civics lesson and passes; e-voting is a remote channel only from home or online (Brussels
votes on computers in the booth).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from functools import cache

from accord.claims import lexicon
from accord.claims.context import Context
from accord.claims.dates import Mention, fits, mentions
from accord.claims.matching import (
    Span,
    Trigger,
    any_of,
    debunks,
    find,
    first_unnegated,
    near,
    negated,
    word_range,
    words,
)
from accord.claims.text import Text, quote
from accord.claims.verdicts import SUBJECT, Category, Reason, Verdict

#: Words from a date to the voting word that makes it a polling day ("vote on ... 14 October").
DATE_REACH = 6


def voting_reasons(
    text: Text, context: Context, *, undated: bool = False, dates_decide: bool = True
) -> list[Reason]:
    """The false claims about voting in ``text``, explanations worded with ``SUBJECT``.

    ``undated``: the text's own day is unknown (a recording, a post, unlike a prompt
    screened as it is sent), so a day counted from it ("tomorrow", "next Monday") is read
    as its weekday only, or not at all. Not ``dates_decide``: a wrong voting day alone is a
    review, not a block (a speech recogniser hears "13 October" as "30 October" and
    "Sonntag" as "Montag"); with another claim ("postponed to Monday") it still blocks."""
    polling_days = tuple(sorted({election.polling_date for election in context.elections}))
    corrected = _corrects_rumour(text, context, polling_days)
    reasons = [
        reason
        for check, when in _checks()
        if not (when and corrected) and (reason := check(text)) is not None
    ]
    if not corrected:
        dated = list(_date_reasons(text, context, polling_days, undated=undated))
        reasons += dated if dates_decide else [_misheard(reason) for reason in dated]
    return reasons


#: Said of a wrong voting day heard in speech (``dates_decide``), unless another claim in
#: the same words blocks anyway.
MISHEARD_NOTE = " (a review, not a block: speech recognition can mishear a date)"


def _misheard(reason: Reason) -> Reason:
    return replace(reason, verdict=Verdict.REVIEW, explanation=reason.explanation + MISHEARD_NOTE)


def _claim(
    pattern: Callable[[], re.Pattern[str]],
    trigger: Trigger,
    explanation: str,
    *,
    despite: Callable[[], re.Pattern[str]] | None = None,
) -> Callable[[Text], Reason | None]:
    """A check for one kind of claim: run when ``trigger`` is met; ``pattern`` (and
    ``despite``, negations that do not count) are compiled on first use, not on import."""

    def check(text: Text) -> Reason | None:
        if not trigger.met(text):
            return None
        span = first_unnegated(pattern(), text, despite=despite() if despite else None)
        if span is None:
            return None
        return _reason(explanation, quote(text, span.start, span.end))

    return check


def _reason(explanation: str, evidence: str) -> Reason:
    return Reason(
        category=Category.VOTING_PROCESS,
        explanation=explanation,
        evidence=evidence,
        verdict=Verdict.BLOCK,
    )


# -- How ------------------------------------------------------------------------------


@cache
def _channel() -> re.Pattern[str]:
    acts = any_of(lexicon.VOTE_ACTS)
    via = any_of(lexicon.CHANNEL_PREPOSITIONS)
    determiner = any_of(lexicon.DETERMINERS)
    noun = rf"{via} (?:{determiner} )?(?:{determiner} )?{any_of(lexicon.CHANNELS)}"
    adverb = any_of(lexicon.CHANNEL_ADVERBS)
    # "vote ... by sms" (a few words between, none that make the channel an aside such as
    # "share"), "per sms stemmen" (channel first, as Dutch and German put it).
    between = r"(?: (?!share|deel|partag|teil|info|follow|volg|suiv|folg|more|meer|plus|mehr)\S+)"
    return re.compile(
        rf"\b{acts}\b{between}{{0,4}} (?:{noun}|{adverb})\b"
        rf"|\b(?:{noun}|{adverb})\b(?: \S+){{0,2}} {acts}\b"
        rf"|{words(lexicon.REMOTE_VOTING)}"
        # "e-voting from your couch"; e-voting in the booth is real.
        rf"|{near(any_of(lexicon.ELECTRONIC), any_of(lexicon.REMOTE_PLACES), 6)}"
        rf"|\b{lexicon.SEND_TO_NUMBER}\b(?=.*\b{acts}\b)"
        rf"|\b{acts}\b.*\b{lexicon.SEND_TO_NUMBER}\b"
    )


def _sent_choice(text: Text) -> Reason | None:
    """ "send your list number to 4455"; "send your choice to 4455" where voting is spoken
    of elsewhere in the prompt (not in the words of the match: "deine Wahl" is both)."""
    if not _sending_trigger().met(text):
        return None
    for match in _send_choice().finditer(text.folded):
        span = Span(match.start(), match.end())
        rest = text.folded[: span.start] + " " + text.folded[span.end :]
        if match.group("ballot") is None and _voting_context().search(rest) is None:
            continue
        if negated(text, span, despite=_not_needed()) or debunks(text):
            continue
        return _reason(
            f"{SUBJECT} tells voters to send their vote to a number; in Belgium one votes "
            "only in person at a polling station (or by proxy).",
            quote(text, span.start, span.end),
        )
    return None


@cache
def _sending_trigger() -> Trigger:
    return Trigger(lexicon.SENDING)


@cache
def _send_choice() -> re.Pattern[str]:
    return re.compile(rf"\b{lexicon.SEND_CHOICE}\b")


@cache
def _voting_context() -> re.Pattern[str]:
    return re.compile(words((*lexicon.VOTING_WORDS, *lexicon.VOTING_CONTEXT)))


@cache
def _not_needed() -> re.Pattern[str]:
    return re.compile(words(lexicon.NOT_NEEDED))


# -- When -----------------------------------------------------------------------------


@cache
def _moved() -> re.Pattern[str]:
    # "die Gemeindewahlen wegen eines Streiks auf November verschoben": up to six words.
    return re.compile(near(any_of(lexicon.ELECTION_NOUNS), any_of(lexicon.MOVED), 6, reverse_gap=0))


def _corrects_rumour(text: Text, context: Context, polling_days: tuple[date, ...]) -> bool:
    """Whether the prompt reports a rumour about the date and corrects it: "the rumour
    that the elections were moved to Monday: it is still Sunday 13 October", "het gerucht
    ... klopt niet", "la rumeur ... c'est faux", "das Gerücht ... stimmt nicht"."""
    if not _reported_trigger().met(text) or _reported().search(text.folded) is None:
        return False
    if _corrected().search(text.folded) is not None:
        return True
    if not polling_days or _still().search(text.folded) is None:
        return False
    return any(fits(mention, polling_days) for mention in mentions(text, context.today))


@cache
def _reported_trigger() -> Trigger:
    return Trigger(lexicon.REPORTED)


@cache
def _reported() -> re.Pattern[str]:
    return re.compile(words(lexicon.REPORTED))


@cache
def _corrected() -> re.Pattern[str]:
    return re.compile(words(lexicon.CORRECTED))


@cache
def _still() -> re.Pattern[str]:
    return re.compile(words(lexicon.STILL))


def _date_reasons(
    text: Text, context: Context, polling_days: tuple[date, ...], *, undated: bool
) -> Iterator[Reason]:
    if not polling_days or not _dates_trigger().met(text) or debunks(text):
        return
    for found in mentions(text, context.today):
        mention = _undated(found) if undated else found
        if mention is None:
            continue
        if fits(mention, polling_days) is None and _about_polling(text, mention.span):
            if negated(text, mention.span):
                continue
            said = quote(text, mention.span.start, mention.span.end)
            yield _reason(_wrong_day(mention, polling_days), said)
            return


def _undated(mention: Mention) -> Mention | None:
    """A day counted from today, as its weekday alone; None for "tomorrow"."""
    if mention.resolved is None:
        return mention
    if mention.weekday is None:
        return None
    return replace(mention, resolved=None)


def names_polling_day(text: Text, context: Context) -> bool:
    """Whether the prompt gives a registered polling day by its date ("Sunday 13 October",
    "the second Sunday of October"; a weekday alone is not enough) and no other voting day."""
    polling_days = tuple(sorted({election.polling_date for election in context.elections}))
    if not polling_days or not _dates_trigger().met(text):
        return False
    right = False
    for mention in mentions(text, context.today):
        if fits(mention, polling_days) is not None:
            dated = (mention.day, mention.ordinal, mention.resolved) != (None, None, None)
            right = right or dated
        elif _about_polling(text, mention.span) and not negated(text, mention.span):
            return False
    return right


def _wrong_day(mention: Mention, polling_days: tuple[date, ...]) -> str:
    registered = " or ".join(_spoken(day) for day in polling_days)
    if mention.resolved is not None:
        said = _spoken(mention.resolved)
        return (
            f"{SUBJECT} gives {said} as the voting day; the registered polling day is {registered}."
        )
    if mention.day is None and mention.ordinal is None:
        return (
            f"{SUBJECT} puts the vote on another weekday than the registered polling day, "
            f"{registered}."
        )
    return f"{SUBJECT} gives another voting day than the registered polling day, {registered}."


def _spoken(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _about_polling(text: Text, span: Span) -> bool:
    """Whether the date is said to be a voting day: a voting word near it, nearer than any
    other event ("the debate on 5 October", "results on the 14th")."""
    first, last = word_range(text, span)
    low, high = max(0, first - DATE_REACH), last + 1 + DATE_REACH
    voting = _nearest(text, _voting_word(), low, high, first=first, last=last)
    if voting is None:
        return False
    event = _nearest(text, _event_word(), low, high, first=first, last=last)
    return event is None or voting <= event


def _nearest(
    text: Text, pattern: re.Pattern[str], low: int, high: int, *, first: int, last: int
) -> int | None:
    """How many words from the span [first, last] the nearest word ``pattern`` matches lies,
    looking in [low, high); None when there is none."""
    distances = [
        first - index if index < first else index - last
        for index in range(low, min(high, len(text.words)))
        if not first <= index <= last and pattern.fullmatch(text.words[index])
    ]
    return min(distances, default=None)


@cache
def _voting_word() -> re.Pattern[str]:
    single = [fragment for fragment in lexicon.VOTING_WORDS if " " not in fragment]
    return re.compile(any_of([*single, "polling", "stembureaus?", "wahllokale?", "bureaux?"]))


@cache
def _event_word() -> re.Pattern[str]:
    return re.compile(any_of(lexicon.EVENTS))


# -- Where ----------------------------------------------------------------------------


@cache
def _closed() -> re.Pattern[str]:
    # "closed at 16:00" is the ordinary closing time, not a claim.
    closed = rf"{any_of(lexicon.CLOSED)}(?! {lexicon.CLOSING_TIME})"
    return re.compile(near(any_of(lexicon.POLLING_PLACES), closed, 6, reverse_gap=1))


# -- Who ------------------------------------------------------------------------------


@cache
def _eligibility() -> re.Pattern[str]:
    acts = any_of(lexicon.VOTE_ACTS)
    voting = any_of((*lexicon.VOTE_ACTS, *lexicon.VOTING_WORDS))
    who = (
        rf"\b{any_of(lexicon.NOT_ELIGIBLE)} (?:\S+ )?{any_of(lexicon.MAY)} (?:\S+ ){{0,2}}{acts}\b"
    )
    return re.compile(rf"{near(voting, any_of(lexicon.ELIGIBILITY), 6)}|{who}")


@cache
def _barred() -> re.Pattern[str]:
    # "people with unpaid fines are not allowed to vote": the prohibition is the claim, so
    # its own "not" is no negation; a condition before or after it, a few words apart.
    conditions = any_of(lexicon.CONDITIONS)
    barred = any_of(lexicon.BARRED)
    return re.compile(near(conditions, barred, 5, reverse_gap=6))


def _disqualification(text: Text) -> Reason | None:
    if not _conditions_trigger().met(text):
        return None
    span = next(find(_barred(), text), None)
    if span is None or debunks(text):
        return None
    return _reason(
        f"{SUBJECT} claims that voters lose the vote for a reason no law gives (fines, "
        "debts, unemployment, renting).",
        quote(text, span.start, span.end),
    )


@cache
def _exempt() -> re.Pattern[str]:
    return re.compile(near(any_of(lexicon.ALREADY_VOTED), any_of(lexicon.EXEMPT), 8))


def _exemption(text: Text) -> Reason | None:
    # The "not" in "you need not vote again" is the claim itself: no negation check.
    if not _already_voted_trigger().met(text):
        return None
    span = next(find(_exempt(), text), None)
    if span is None or debunks(text):
        return None
    return _reason(
        f"{SUBJECT} claims that having voted before exempts a voter; no such rule exists.",
        quote(text, span.start, span.end),
    )


@cache
def _dates_trigger() -> Trigger:
    """Digits, weekdays, "tomorrow": what any date the prompt gives contains."""
    return Trigger(
        [rf"{digit}\d*" for digit in range(10)],
        [name for names in lexicon.WEEKDAYS.values() for name in names],
        lexicon.TOMORROW,
    )


@cache
def _already_voted_trigger() -> Trigger:
    return Trigger(lexicon.ALREADY_VOTED)


@cache
def _conditions_trigger() -> Trigger:
    return Trigger(lexicon.CONDITIONS)


@cache
def _checks() -> tuple[tuple[Callable[[Text], Reason | None], bool], ...]:
    """Each check, and whether it is about when (a corrected rumour of a date undoes it)."""
    return (
        (
            _claim(
                _channel,
                Trigger(
                    lexicon.CHANNELS,
                    lexicon.CHANNEL_ADVERBS,
                    lexicon.REMOTE_VOTING,
                    lexicon.SENDING,
                    lexicon.ELECTRONIC,
                ),
                f"{SUBJECT} says one can vote by SMS, phone, app, e-mail or online; in "
                "Belgium one votes only in person at a polling station (or by proxy).",
                despite=_not_needed,
            ),
            False,
        ),
        (
            _claim(
                _moved,
                Trigger(lexicon.MOVED),
                f"{SUBJECT} says the election is moved, postponed or cancelled; the "
                "registered election is not.",
            ),
            True,
        ),
        (
            _claim(
                _closed,
                Trigger(lexicon.CLOSED),
                f"{SUBJECT} says polling stations are closed or moved; that is a false "
                "claim about where to vote.",
            ),
            False,
        ),
        (
            _claim(
                _eligibility,
                Trigger(lexicon.ELIGIBILITY, lexicon.NOT_ELIGIBLE),
                f"{SUBJECT} states a rule about who may vote, when or with which papers "
                "that does not exist.",
            ),
            False,
        ),
        (_exemption, False),
        (_sent_choice, False),
        (_disqualification, False),
    )
