"""What the instance knows that screening needs, handed in as plain data: its protected
people, its elections, and its policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from accord.claims.verdicts import Verdict


@dataclass(frozen=True, slots=True)
class Person:
    """A registered protected person (a candidate, an election official)."""

    id: str
    name: str
    #: What they stand or serve as, e.g. "candidate for mayor", "returning officer".
    role: str = ""
    #: Where, e.g. "Ghent".
    constituency: str = ""
    aliases: tuple[str, ...] = ()
    election: str = ""


@dataclass(frozen=True, slots=True)
class Election:
    name: str
    polling_date: date
    #: ISO 3166-1 alpha-2 codes.
    countries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    #: A clearly non-realistic depiction (cartoon, caricature) of a protected person.
    caricature: Verdict = Verdict.REVIEW
    #: Classifier probabilities at or above which a paraphrase is blocked or reviewed.
    classifier_block: float = 0.80
    classifier_review: float = 0.55


@dataclass(frozen=True, slots=True)
class Context:
    people: tuple[Person, ...] = ()
    elections: tuple[Election, ...] = ()
    #: The day screening happens on: "next Sunday" and elections ahead are counted from it.
    today: date = field(default_factory=date.today)
    policy: Policy = Policy()
