"""Refusals by role, in words: who may do this, and who the reader is signed in as.

A signed-in person refused a page or an API call reads "only administrators may open
this page; you are signed in as a reviewer", not an API key's vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable

from accord.errors import Forbidden

#: Each role (``accounts.models.Role``'s values) as one person and as people.
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
