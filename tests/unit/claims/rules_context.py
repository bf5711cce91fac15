"""The Context the rules tests screen against: two protected people and one election."""

from __future__ import annotations

from datetime import date

from accord.claims.context import Context, Election, Person, Policy

JAN = Person(
    id="jan-peeters",
    name="Jan Peeters",
    role="candidate for mayor",
    constituency="Ghent",
    aliases=("J. Peeters",),
)
SOPHIE = Person(
    id="sophie-dubois", name="Sophie Dubois", role="returning officer", constituency="Liège"
)
FATIMA = Person(
    id="fatima-el-amrani", name="Fatima El Amrani", role="party leader", constituency="Brussels"
)
ELECTION = Election(
    name="Belgian local elections 2024", polling_date=date(2024, 10, 13), countries=("BE",)
)
TODAY = date(2024, 9, 1)


def context(policy: Policy | None = None, *, elections: bool = True) -> Context:
    return Context(
        people=(JAN, SOPHIE, FATIMA),
        elections=(ELECTION,) if elections else (),
        today=TODAY,
        policy=policy or Policy(),
    )
