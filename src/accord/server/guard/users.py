"""A generation service's user, named the same way at every door of the gate (prompts,
outputs, status, appeals, unbanning): trimmed and in Unicode NFC, so that "Zoë" typed
with a combining diaeresis and "Zoë" precomposed are one user, and their bans one ban."""

from __future__ import annotations

import unicodedata

from accord.errors import BadRequest

#: As long as ``GuardDecision.user`` and ``GuardBan.user`` hold.
MAX_USER_CHARS = 200


def user_name(user: str) -> str:
    """``user`` trimmed and NFC-normalised; BadRequest when it is empty or too long."""
    name = unicodedata.normalize("NFC", user.strip())
    if not name:
        raise BadRequest("the user is missing: name the generation service's user")
    if len(name) > MAX_USER_CHARS:
        msg = f"the user's name has {len(name)} characters; at most {MAX_USER_CHARS} are kept"
        raise BadRequest(msg)
    return name
