"""The JSON the audit log's API answers with, and the subjects personal data is sealed for."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.server.audit.models import AuditEntry
    from accord.server.audit.service import Verification

#: An email address's subject, whichever table it sits in.
EMAIL = "email"
#: A protected person's name and roles.
PERSON = "person"
#: A protected person's face and voice embeddings: a subject of its own, so withdrawing
#: consent to biometric processing destroys them and keeps the name.
BIOMETRICS = "biometrics"
#: An account on a platform that posted content accord decided on.
UPLOADER = "uploader"
#: A case's assessment, which may name protected people: erasing one of them destroys
#: what the log holds of the assessments that named them.
CASE = "case"


def email_subject(address: str) -> str | None:
    """The subject of an email address (its digest: the address itself is personal)."""
    address = address.strip().lower()
    if not address:
        return None
    return f"{EMAIL}:{hashlib.sha256(address.encode()).hexdigest()}"


def person_subject(person_id: str) -> str:
    return f"{PERSON}:{person_id}"


def biometrics_subject(person_id: str) -> str:
    return f"{BIOMETRICS}:{person_id}"


def uploader_subject(platform: str, account: str) -> str | None:
    """The subject of an account on a platform (a digest: the account names someone)."""
    if not account.strip():
        return None
    return f"{UPLOADER}:{hashlib.sha256(f'{platform}:{account.strip()}'.encode()).hexdigest()}"


def case_subject(case_id: int | str) -> str:
    return f"{CASE}:{case_id}"


def verification_json(result: Verification) -> dict[str, Any]:
    return {
        "intact": result.intact,
        "entries": result.entries,
        "head_hash": result.head_hash,
        "problems": result.problems,
    }


def history_json(entry: AuditEntry) -> dict[str, Any]:
    """An entry as a row's history shows it."""
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "table": entry.table,
        "after": entry.after,
    }
