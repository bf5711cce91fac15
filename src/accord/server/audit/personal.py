"""Which columns hold personal data, and whose: the one list the audit log seals by.

A value of a column named here enters the audit log sealed under its subject's key
(``subject_keys``), never in clear; erasing the subject deletes the key, so the entry's
seal and the chain still verify while the value can no longer be read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from accord.server.audit.schemas import biometrics_subject, email_subject, person_subject


@dataclass(frozen=True)
class PersonalColumns:
    """A table's columns that hold someone's personal data, and how to tell whose from
    the row's values (None: nobody's, the values stay in clear)."""

    columns: frozenset[str]
    subject: Callable[[Mapping[str, Any]], str | None]


def _measure_subject(row: Mapping[str, Any]) -> str | None:
    # Strikes and measures name a notifier as ``email:<address>``; other subjects
    # (``user:<id>``, ``key:<name>``, uploaders' ``platform:account``) are not erased.
    subject = str(row.get("subject") or "")
    return email_subject(subject.removeprefix("email:")) if subject.startswith("email:") else None


def _notice_subject(row: Mapping[str, Any]) -> str | None:
    # A notice without an address (a partner's, through its API key) is its own subject.
    return email_subject(str(row.get("notifier_email") or "")) or f"notice:{row.get('id')}"


PERSONAL: Mapping[str, PersonalColumns] = {
    "notices": PersonalColumns(
        frozenset({"notifier_name", "notifier_email", "explanation"}), _notice_subject
    ),
    "mail_messages": PersonalColumns(
        frozenset({"recipient", "body"}),
        lambda row: email_subject(str(row.get("recipient") or "")),
    ),
    "appeals": PersonalColumns(
        frozenset({"contact_email"}),
        lambda row: email_subject(str(row.get("contact_email") or "")),
    ),
    "strikes": PersonalColumns(frozenset({"subject"}), _measure_subject),
    "account_measures": PersonalColumns(frozenset({"subject"}), _measure_subject),
    "protected_persons": PersonalColumns(
        frozenset({"name", "aliases"}), lambda row: person_subject(str(row["id"]))
    ),
    "reference_faces": PersonalColumns(
        frozenset({"embedding", "photo_sha256"}),
        lambda row: biometrics_subject(str(row["person_id"])),
    ),
    "reference_voices": PersonalColumns(
        frozenset({"embedding", "clip_sha256"}),
        lambda row: biometrics_subject(str(row["person_id"])),
    ),
}
