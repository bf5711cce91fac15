"""The answer to a screening: a verdict, and the reasons behind it."""

from __future__ import annotations

from dataclasses import dataclass
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
class Reason:
    category: Category
    #: What the verdict rests on, in a sentence for the person who asked.
    explanation: str
    #: The words of the prompt (or the registered fact) that triggered it.
    evidence: str
    verdict: Verdict
    #: "rule" or "classifier".
    source: str = "rule"

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
