"""The roles a signed-in person holds, and refusals by role in words: who may do this,
and who the reader is signed in as.

A signed-in person refused a page or an API call reads "only administrators may open
this page; you are signed in as a reviewer", not an API key's vocabulary. Every domain's
routes and pages admit people by these roles (``auth.sessions.signed_in``), so they live
here, beside the session check, not in the accounts domain's tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from accord.errors import Forbidden


class Role(StrEnum):
    #: A candidate or official reporting deepfakes of themselves.
    PROTECTED_PERSON = "protected_person"
    #: Campaign staff a protected person authorised to report for them.
    REPRESENTATIVE = "representative"
    REVIEWER = "reviewer"
    #: Decides appeals, which a different reviewer than the first must hear.
    SENIOR_REVIEWER = "senior_reviewer"
    ADMIN = "admin"
    #: Reads everything, changes nothing.
    AUDITOR = "auditor"


#: Roles that decide about content and accounts: their accounts are targets, so a second
#: factor (an authenticator app) is required before they may do anything.
SECOND_FACTOR_REQUIRED = frozenset({Role.ADMIN, Role.SENIOR_REVIEWER, Role.REVIEWER})

#: Each role (``Role``'s values) as one person and as people.
_WORDS = {
    "protected_person": ("a protected person", "protected people"),
    "representative": ("a representative", "representatives"),
    "reviewer": ("a reviewer", "reviewers"),
    "senior_reviewer": ("a senior reviewer", "senior reviewers"),
    "admin": ("an administrator", "administrators"),
    "auditor": ("an auditor", "auditors"),
}


def role_refusal(allowed: Iterable[str], role: str, doing: str = "open this page") -> Forbidden:
    """The error refusing someone signed in as ``role`` what only ``allowed`` may do."""
    people = [_WORDS.get(name, (name, name))[1] for name in allowed]
    who = people[0] if len(people) == 1 else f"{', '.join(people[:-1])} and {people[-1]}"
    one = _WORDS.get(role, (f"“{role}”", role))[0]
    return Forbidden(f"only {who} may {doing}; you are signed in as {one}")
