"""Appeal codes: the token an uploader appeals a restriction of their content with.

Its SHA-256 finds the restriction when the uploader appeals; the token itself is kept
sealed under the instance's master key, so that the platform (with its API key) and the
reviewers can fetch it again when no webhook brought it to the uploader. The database
alone never yields one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from accord.provenance.sealing import seal_secret, unseal_secret
from accord.server.tokens import new_token, token_digest

if TYPE_CHECKING:
    from accord.server.cases.models import CaseItem
    from accord.server.decisions.models import Decision, ItemAction
    from accord.server.settings import Settings


@dataclass(frozen=True, slots=True)
class AppealCode:
    """A restricted copy and the code its uploader appeals with."""

    item_action: ItemAction
    decision: Decision
    item: CaseItem
    case_reference: str
    token: str


def issue_code(settings: Settings, item_action: ItemAction) -> str:
    """A new appeal code for ``item_action``: kept as its digest and sealed."""
    token = new_token()
    item_action.appeal_token_sha256 = token_digest(token)
    item_action.appeal_token_sealed = seal_secret(token.encode(), _master_key(settings))
    return token


def open_code(settings: Settings, item_action: ItemAction) -> str | None:
    """The appeal code of ``item_action``; None if it has none (no restriction)."""
    if item_action.appeal_token_sealed is None:
        return None
    return unseal_secret(item_action.appeal_token_sealed, _master_key(settings)).decode()


def _master_key(settings: Settings) -> str:
    return settings.master_key.get_secret_value()
