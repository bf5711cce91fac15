"""Which columns hold personal data, and whose: the one list the audit log seals by.

A value of a column named here enters the audit log sealed under its subject's key
(``subject_keys``), never in clear; erasing the subject deletes the key, so the entry's
seal and the chain still verify while the value can no longer be read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from accord.server.audit.schemas import (
    biometrics_subject,
    case_subject,
    email_subject,
    person_subject,
    uploader_subject,
)


@dataclass(frozen=True)
class PersonalColumns:
    """A table's columns that hold someone's personal data, and how to tell whose from
    the row's values (None: nobody's, the values stay in clear)."""

    columns: frozenset[str]
    subject: Callable[[Mapping[str, Any]], str | None]


def _measure_subject(row: Mapping[str, Any]) -> str | None:
    # Strikes and measures name a notifier as ``email:<address>`` and an uploader as
    # ``platform:account``; staff (``user:<id>``) and partners' keys (``key:<name>``) are
    # not erased.
    subject = str(row.get("subject") or "")
    if row.get("subject_kind") == "uploader":
        platform, _, account = subject.partition(":")
        return uploader_subject(platform, account)
    return email_subject(subject.removeprefix("email:")) if subject.startswith("email:") else None


def _uploader(row: Mapping[str, Any]) -> str | None:
    return uploader_subject(str(row.get("platform") or ""), str(row.get("uploader") or ""))


def _assessment_subject(row: Mapping[str, Any]) -> str | None:
    # Only an assessment that names protected people is personal: the others stay in
    # clear, with no key made for their case.
    assessment = row.get("assessment") or {}
    return case_subject(str(row["id"])) if assessment.get("protected_people") else None


def _message_subject(row: Mapping[str, Any]) -> str | None:
    # A message to a platform about its user's content (``item.uploader``) or account.
    payload = row.get("payload") or {}
    item = payload.get("item") or {}
    account = payload.get("account") or (item.get("uploader") if isinstance(item, dict) else "")
    return uploader_subject(str(row.get("platform") or ""), str(account or ""))


def _notice_subject(row: Mapping[str, Any]) -> str | None:
    # A notice without an address (a partner's, through its API key) is its own subject.
    return email_subject(str(row.get("notifier_email") or "")) or f"notice:{row.get('id')}"


def _one(
    columns: set[str], subject: Callable[[Mapping[str, Any]], str | None]
) -> tuple[PersonalColumns, ...]:
    return (PersonalColumns(frozenset(columns), subject),)


#: By table: its groups of personal columns, each with its own subject.
PERSONAL: Mapping[str, tuple[PersonalColumns, ...]] = {
    "notices": (
        PersonalColumns(
            frozenset({"notifier_name", "notifier_email", "explanation"}), _notice_subject
        ),
        PersonalColumns(frozenset({"uploader"}), _uploader),
    ),
    "case_items": _one({"uploader"}, _uploader),
    "cases": _one({"assessment"}, _assessment_subject),
    "outbox_messages": _one({"payload"}, _message_subject),
    "mail_messages": _one(
        {"recipient", "body"}, lambda row: email_subject(str(row.get("recipient") or ""))
    ),
    "appeals": _one(
        {"contact_email"}, lambda row: email_subject(str(row.get("contact_email") or ""))
    ),
    "strikes": _one({"subject"}, _measure_subject),
    "account_measures": _one({"subject"}, _measure_subject),
    "protected_persons": _one({"name", "aliases"}, lambda row: person_subject(str(row["id"]))),
    "reference_faces": _one(
        {"embedding", "photo_sha256"}, lambda row: biometrics_subject(str(row["person_id"]))
    ),
    "reference_voices": _one(
        {"embedding", "clip_sha256"}, lambda row: biometrics_subject(str(row["person_id"]))
    ),
}
