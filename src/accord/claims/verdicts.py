"""The answer to a screening: a verdict, and the reasons behind it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Verdict(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Verdict.ALLOW: 0, Verdict.REVIEW: 1, Verdict.BLOCK: 2}


class Category(StrEnum):
    #: A request to depict or voice a registered protected person.
    PROTECTED_PERSON = "protected_person"
    #: A false claim about when, where or how to vote.
    VOTING_PROCESS = "voting_process"
    #: Something presented as coming from an election authority or official.
    OFFICIAL_IMPERSONATION = "official_impersonation"
    #: The user is banned for earlier blocked prompts (set by the server, not by screening).
    USER_BANNED = "user_banned"


class Tool(StrEnum):
    """What the generation service is asked to make."""

    IMAGE = "image"
    VOICE = "voice"
    VIDEO = "video"
    TEXT = "text"


#: The languages the rules and the seed set cover (those of a Belgian election).
LANGUAGES = ("en", "nl", "fr", "de")


@dataclass(frozen=True, slots=True)
class ClaimWords:
    """How summaries, queues and pages speak of a claim found in what a file or a post says."""

    #: What it says, after "says" or "may say": "something false about voting".
    says: str
    #: Its name on a page: "False information about voting".
    label: str


#: The one table of those words, per category of claim.
CLAIM_WORDS = {
    Category.VOTING_PROCESS: ClaimWords(
        "something false about voting", "False information about voting"
    ),
    Category.OFFICIAL_IMPERSONATION: ClaimWords(
        "it comes from an election authority", "Impersonates an election authority"
    ),
}


def claim_words(category: str) -> ClaimWords:
    """The words for a claim's ``category`` (as its JSON names it); plain ones for a
    category this version does not know (a record written by a later one)."""
    known = {str(key): words for key, words in CLAIM_WORDS.items()}
    return known.get(category) or ClaimWords("something false", category.replace("_", " "))


#: Placeholders the rules word their explanations with, so that one explanation serves a
#: prompt ("The prompt asks for ...") and a statement ("The recording is ..."): filled by
#: ``Reason.worded_for`` (``screen_prompt`` for prompts, ``find_claims`` for statements).
SUBJECT = "{subject}"
SUBJECT_IN_SENTENCE = "{subject_in_sentence}"
ASKS_FOR = "{asks_for}"


@dataclass(frozen=True, slots=True)
class Wording:
    """What an explanation speaks of, and how it says that something is asked for."""

    #: "The prompt", "The recording", "The text".
    subject: str
    #: "asks for" (a prompt asks a generator); "is" (a statement is the thing itself).
    asks_for: str

    @classmethod
    def statement(cls, subject: str) -> Wording:
        return cls(subject=subject, asks_for="is")


#: How the generation gate words its answers.
PROMPT = Wording(subject="The prompt", asks_for="asks for")


@dataclass(frozen=True, slots=True)
class Reason:
    category: Category
    #: What the verdict rests on, in a sentence for the person who asked.
    explanation: str
    #: The words of the prompt (or the registered fact) that triggered it.
    evidence: str
    verdict: Verdict
    #: "rule" or "classifier".
    source: str = "rule"

    def worded_for(self, wording: Wording) -> Reason:
        """The reason with its explanation's placeholders filled for ``wording``."""
        subject = wording.subject
        explanation = (
            self.explanation.replace(SUBJECT, subject)
            .replace(SUBJECT_IN_SENTENCE, subject[:1].lower() + subject[1:])
            .replace(ASKS_FOR, wording.asks_for)
        )
        return replace(self, explanation=explanation)

    def at_most_review(self) -> Reason:
        """A classifier's block made a review where the rules see what it cannot read: a
        debunking or warning, or the registered polling day given by its date."""
        if self.verdict is not Verdict.BLOCK:
            return self
        note = (
            f" (a review, not a block: {SUBJECT_IN_SENTENCE} debunks a claim or names the right "
            "polling day)"
        )
        return replace(self, verdict=Verdict.REVIEW, explanation=self.explanation + note)

    def to_json(self) -> dict[str, str]:
        """The reason as JSON data: the one shape answers, records and reports use."""
        return {
            "category": self.category.value,
            "explanation": self.explanation,
            "evidence": self.evidence,
            "verdict": self.verdict.value,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Screening:
    verdict: Verdict
    #: The language screened as: given by the caller, or detected.
    language: str
    reasons: tuple[Reason, ...]

    @property
    def categories(self) -> list[Category]:
        """The categories behind the verdict, strongest first, each once."""
        ranked = sorted(self.reasons, key=lambda reason: -reason.verdict.severity)
        return list(dict.fromkeys(reason.category for reason in ranked))


def strongest(reasons: tuple[Reason, ...] | list[Reason]) -> Verdict:
    """The verdict the reasons add up to: the most severe of them, allow without any."""
    return max(
        (reason.verdict for reason in reasons), key=lambda v: v.severity, default=Verdict.ALLOW
    )
