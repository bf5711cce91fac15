"""A notice as it comes in (who sends it, what it says, every way it falls short) and as
its notifier sees it (JSON), and the vocabulary other domains name notices by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accord.server.appeals.schemas import appeal_json
from accord.server.decisions.schemas import decision_json
from accord.server.notices.models import (
    NOTICE_STATUS_LABELS,
    NOTIFIER_KIND_LABELS,
    REASON_CATEGORY,
    REASON_LABELS,
    REASON_SHORT,
    NoticeReason,
    NoticeStatus,
    NotifierKind,
)

if TYPE_CHECKING:
    from accord.server.accounts.models import User
    from accord.server.appeals.models import Appeal
    from accord.server.decisions.models import Decision
    from accord.server.notices.models import Notice
    from accord.server.settings import Settings

#: The enums and their words live beside the table that stores their values; other
#: domains name them from here.
__all__ = [
    "MAX_EXPLANATION",
    "MAX_URL",
    "MIN_EXPLANATION",
    "NOTICE_STATUS_LABELS",
    "NOTIFIER_KIND_LABELS",
    "REASON_CATEGORY",
    "REASON_LABELS",
    "REASON_SHORT",
    "NoticeDraft",
    "NoticeReason",
    "NoticeStatus",
    "Notifier",
    "NotifierKind",
    "acknowledgement",
    "notice_json",
    "notice_problems",
]

MIN_EXPLANATION = 10
MAX_EXPLANATION = 5000
MAX_URL = 2000


@dataclass(frozen=True, slots=True)
class Notifier:
    """Who sends a notice: a signed-in user, a partner's API key, or anyone."""

    user: User | None = None
    key_name: str = ""
    trusted_flagger: bool = False
    name: str = ""
    email: str = ""

    @property
    def subject(self) -> str:
        """Whom strikes for manifestly unfounded notices count against."""
        if self.user is not None:
            return f"user:{self.user.id}"
        if self.key_name:
            return f"key:{self.key_name}"
        return f"email:{self.email.strip().lower()}"


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    reason: str
    explanation: str
    good_faith: bool
    person_id: str | None = None
    url: str = ""
    platform: str = ""
    platform_content_id: str = ""
    uploader: str = ""
    reach: int = 0
    media_name: str = ""
    #: The post's text or caption, screened with its file for false claims about voting.
    text: str = ""


def acknowledgement(notice: Notice) -> str:
    return (
        f"We received your notice {notice.tracking_number} on {notice.received_at:%Y-%m-%d %H:%M} "
        "UTC. A reviewer will decide on it; you will see the decision and the reasons on its "
        "status page, and may appeal the decision there for six months."
    )


def notice_json(
    settings: Settings,
    notice: Notice,
    *,
    case_reference: str | None,
    decision: Decision | None,
    appeals: Sequence[Appeal],
    own: bool = True,
) -> dict[str, Any]:
    """What a notifier sees: their notice, the decision that applies to it with its
    reasons, their appeals. Not ``own`` (a protected person reading a notice someone else
    sent about them): nothing of the notifier's, neither their file's name nor appeals."""
    return {
        "tracking_number": notice.tracking_number,
        "status": notice.status,
        "reason": notice.reason,
        "received_at": notice.received_at.isoformat(),
        "url": notice.url,
        "platform": notice.platform,
        "platform_content_id": notice.platform_content_id,
        "text": notice.text,
        "file": (notice.media_name or None) if own else None,
        "case": case_reference,
        "decision": decision_json(settings, decision) if decision is not None else None,
        "appeals": [appeal_json(filed) for filed in appeals] if own else [],
        "yours": own,
    }


def notice_problems(draft: NoticeDraft, notifier: Notifier, *, has_media: bool) -> list[str]:
    """Every way ``draft`` is incomplete or malformed, so a form can list them all at
    once; empty when it may be stored."""
    problems = []
    if draft.reason not in set(NoticeReason):
        problems.append(f"reason must be one of {', '.join(NoticeReason)}")
    problems += _content_problems(draft, has_media=has_media)
    if draft.reason == NoticeReason.DEEPFAKE_OF_ME and not draft.person_id:
        problems.append("person: say which protected person the deepfake shows")
    if notifier.user is None and not notifier.key_name:
        problems += _identity_problems(notifier.name.strip(), notifier.email.strip())
    return problems


def _content_problems(draft: NoticeDraft, *, has_media: bool) -> list[str]:
    problems = []
    explanation = draft.explanation.strip()
    if not MIN_EXPLANATION <= len(explanation) <= MAX_EXPLANATION:
        problems.append(
            f"explanation: say why this is deceptive, in {MIN_EXPLANATION} to "
            f"{MAX_EXPLANATION} characters"
        )
    if not draft.good_faith:
        problems.append("good_faith: confirm that the notice is accurate and made in good faith")
    url = draft.url.strip()
    if url and (not url.startswith(("https://", "http://")) or len(url) > MAX_URL):
        problems.append(f"url: an http(s) address of at most {MAX_URL} characters")
    if not has_media and not url and not draft.platform_content_id.strip():
        problems.append("give the file, its URL, or the platform and its content id")
    if draft.platform_content_id.strip() and not draft.platform.strip():
        problems.append("platform: say which platform the content id belongs to")
    if draft.reach < 0:
        problems.append("reach: a count of views or shares, not negative")
    return problems


def _identity_problems(name: str, email: str) -> list[str]:
    """DSA Art. 16(2)(c): a notice names who sends it, with an address for the answer."""
    problems = []
    if not name:
        problems.append("your name is required: DSA Art. 16 asks who sends a notice")
    if not email:
        problems.append(
            "your email address is required, for the receipt and the decision (DSA Art. 16)"
        )
        return problems
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        problems.append(f"{email!r} is not an email address")
    return problems
