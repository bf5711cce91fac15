"""The erasure API's request body and answers, and the retention rules as the API and the
admin's page show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from accord.server.erasure.models import ErasureKind, ErasureRequest
from accord.server.settings import Settings


class NewErasure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ErasureKind
    #: A notifier's email address, or a protected person's id (or name, if unique).
    subject: str = Field(min_length=1, max_length=320)
    #: Why, e.g. the request's date; not the person's name (it is kept).
    note: str = Field(default="", max_length=2000)


def request_json(request: ErasureRequest, trail: list[dict[str, Any]]) -> dict[str, Any]:
    """An erasure request with what it erased and kept, and ``trail``, its audit entries."""
    return {
        "id": request.id,
        "kind": request.kind,
        "about": request.about,
        "requested_by": request.requested_by,
        "requested_at": request.requested_at.isoformat(),
        "note": request.note,
        "erased": dict(request.erased),
        "kept": list(request.kept),
        "trail": trail,
    }


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """Some personal data kept as ``kept`` says (``{days}``: ``setting``'s value, a
    ``Settings`` field); ``erased_as``: its count in the daily job's report, if it erases it."""

    data: str
    setting: str
    kept: str
    erased_as: str | None


#: What the retention settings erase, as the README's "Retention and erasure" lists them.
RETENTION_RULES = (
    RetentionRule(
        "notifiers' names, email addresses and explanations", "retention_notifier_days",
        "{days} days after their notice's case is decided and its appeal window "
        "({appeal_window_days} days) closes",
        "notifier_contacts",
    ),
    RetentionRule(
        "appellants' contact addresses", "retention_notifier_days",
        "{days} days after their appeal is closed", "appellant_contacts",
    ),
    RetentionRule(
        "emails to notifiers and appellants", "retention_notifier_days",
        "until no notice or appeal holds their address any more (the rows above)", "emails",
    ),
    RetentionRule(
        "uploaders' accounts on copies, notices and sent webhook messages",
        "retention_uploader_days",
        "{days} days after the case is decided and its appeal window "
        "({appeal_window_days} days) closes",
        "uploader_accounts",
    ),
    RetentionRule(
        "an uploader's account or a notifier's address in strikes and measures (DSA Art. 23)",
        "retention_uploader_days",
        "{days} days after their last strike expired and their last suspension ended, "
        "then a pseudonym; terminations keep it",
        "pseudonymised_subjects",
    ),
    RetentionRule(
        "files checked on the Verify page, when kept", "retention_verify_uploads_days",
        "{days} days after the upload", "verify_uploads",
    ),
    RetentionRule(
        "screened prompts (generation gate)", "guard_retention_days",
        "{days} days, then only counted per day (by the gate's own daily purge)", None,
    ),
)  # fmt: skip


def retention_json(
    settings: Settings, last_run: tuple[str, dict[str, Any]] | None
) -> dict[str, Any]:
    """Each rule with its setting's value, and what the daily job erased when it last
    erased anything (``retention.last_run``)."""
    erased = last_run[1] if last_run else {}
    prefix = str(Settings.model_config.get("env_prefix", ""))

    def rule_json(rule: RetentionRule) -> dict[str, Any]:
        days = getattr(settings, rule.setting)
        return {
            "data": rule.data,
            "setting": f"{prefix}{rule.setting}".upper(),
            "days": days,
            "kept": rule.kept.format(days=days, appeal_window_days=settings.appeal_window_days),
            "last_run_erased": erased.get(rule.erased_as) if rule.erased_as else None,
        }

    return {
        "rules": [rule_json(rule) for rule in RETENTION_RULES],
        "last_run": {"at": last_run[0], "erased": erased} if last_run else None,
    }
