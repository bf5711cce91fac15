"""Send statements of reasons to the DSA Transparency Database's API, in batches.

A statement is queued in the transaction of its decision (when ``ACCORD_TDB_API_URL`` is
set) and sent after, up to 100 per ``POST /statements``, the API's limit. The TDB stores
nothing of a batch with one bad statement (422), so a refused batch is sent again one
statement at a time, and only the bad ones are set aside, with the TDB's reason. A puid the
TDB already holds (a batch stored before the answer was lost) counts as submitted. Other
failures (5xx, timeouts) are retried with backoff.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.server.background import BackgroundLoop
from accord.server.db.base import utc_now
from accord.server.decisions.models import ItemAction
from accord.server.settings import Settings
from accord.server.statements.export import BATCH_MAX, Publication
from accord.server.tdb.models import Submission, SubmissionStatus
from accord.server.webhooks.outbox import backoff

logger = logging.getLogger("accord.tdb")

_TIMEOUT_SECONDS = 60.0
_LEASE = timedelta(seconds=2 * _TIMEOUT_SECONDS)
_CREATED = 201
_UNPROCESSABLE = 422
_FOUND = 302
_OK = range(200, 300)


def publications(session: Session) -> dict[str, Publication]:
    """What the TDB answered for each statement it stored, by puid (for the CSV)."""
    rows = session.execute(
        select(Submission.puid, Submission.uuid, Submission.published_at).where(
            Submission.status == SubmissionStatus.SUBMITTED,
            Submission.uuid.is_not(None),
            Submission.published_at.is_not(None),
        )
    )
    return {
        puid: Publication(uuid, published) for puid, uuid, published in rows if uuid and published
    }


def queue_statement(session: Session, settings: Settings, item_action: ItemAction) -> None:
    """Queue a statement for the TDB, when one is configured."""
    if settings.tdb_api_url is None or item_action.puid is None:
        return
    session.add(Submission(item_action_id=item_action.id, puid=item_action.puid))
    session.flush()


def submit_due(sessions: sessionmaker[Session], settings: Settings, client: httpx.Client) -> int:
    """Send every statement due now; how many were tried."""
    tried = 0
    while due := _claim(sessions):
        _send(sessions, settings, client, due)
        tried += len(due)
    return tried


def _claim(sessions: sessionmaker[Session]) -> list[tuple[int, dict[str, Any]]]:
    with sessions() as session:
        rows = session.execute(
            select(Submission, ItemAction.statement)
            .join(ItemAction, ItemAction.id == Submission.item_action_id)
            .where(
                Submission.status == SubmissionStatus.PENDING,
                Submission.next_attempt_at <= utc_now(),
            )
            .order_by(Submission.id)
            .limit(BATCH_MAX)
            .with_for_update(skip_locked=True, of=Submission)
        ).all()
        for submission, _ in rows:
            submission.next_attempt_at = utc_now() + _LEASE
        due = [(submission.id, statement or {}) for submission, statement in rows]
        session.commit()
        return due


def _send(
    sessions: sessionmaker[Session],
    settings: Settings,
    client: httpx.Client,
    due: list[tuple[int, dict[str, Any]]],
) -> None:
    outcome: dict[int, tuple[str, str, str | None, datetime | None]] = {}
    try:
        answer = _post(client, settings, "statements", {"statements": [s for _, s in due]})
        if answer.status_code == _UNPROCESSABLE and len(due) > 1:
            for one in due:
                outcome |= _send_one(client, settings, one)
        elif answer.status_code in _OK:
            stored = answer.json().get("statements", [])
            for (submission_id, _), receipt in zip(due, stored, strict=False):
                outcome[submission_id] = _stored(receipt)
        else:
            outcome = {sid: _failed(answer) for sid, _ in due}
    except httpx.HTTPError as error:
        outcome = {sid: ("retry", f"{type(error).__name__}: {error}", None, None) for sid, _ in due}
    _record(sessions, outcome)


def _send_one(
    client: httpx.Client, settings: Settings, one: tuple[int, dict[str, Any]]
) -> dict[int, tuple[str, str, str | None, datetime | None]]:
    submission_id, statement = one
    answer = _post(client, settings, "statement", statement)
    if answer.status_code in _OK:
        return {submission_id: _stored(answer.json())}
    if answer.status_code == _UNPROCESSABLE and _already_there(client, settings, statement):
        return {submission_id: (SubmissionStatus.SUBMITTED, "already in the TDB", None, None)}
    return {submission_id: _failed(answer)}


def _already_there(client: httpx.Client, settings: Settings, statement: dict[str, Any]) -> bool:
    url = f"{settings.tdb_api_url}/statement/existing-puid/{statement.get('puid', '')}"
    answer = client.get(url, headers=_headers(settings), follow_redirects=False)
    return answer.status_code == _FOUND


def _post(
    client: httpx.Client, settings: Settings, path: str, body: dict[str, Any]
) -> httpx.Response:
    return client.post(f"{settings.tdb_api_url}/{path}", json=body, headers=_headers(settings))


def _headers(settings: Settings) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {settings.tdb_token.get_secret_value()}",
        "Accept": "application/json",
    }


def _stored(receipt: dict[str, Any]) -> tuple[str, str, str | None, datetime | None]:
    created = receipt.get("created_at")
    published = datetime.fromisoformat(created) if isinstance(created, str) else None
    return SubmissionStatus.SUBMITTED, "", str(receipt.get("uuid") or "") or None, published


def _failed(answer: httpx.Response) -> tuple[str, str, str | None, datetime | None]:
    reason = f"the TDB answered HTTP {answer.status_code}: {answer.text[:500]}"
    if answer.status_code == _UNPROCESSABLE:
        return SubmissionStatus.REFUSED, reason, None, None
    return "retry", reason, None, None


def _record(
    sessions: sessionmaker[Session],
    outcome: dict[int, tuple[str, str, str | None, datetime | None]],
) -> None:
    with sessions() as session:
        session.info["actor"] = "system:tdb"
        for submission_id, (status, error, uuid, published) in outcome.items():
            submission = session.get(Submission, submission_id)
            if submission is None:
                continue
            submission.attempts += 1
            submission.last_error = error
            if status == "retry":
                submission.next_attempt_at = utc_now() + backoff(submission.attempts)
            else:
                submission.status = status
                submission.uuid, submission.published_at = uuid, published
        session.commit()


class TdbSubmitter(BackgroundLoop):
    """Sends queued statements every few seconds, when a TDB is configured."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        super().__init__("accord-tdb", settings.outbox_poll_seconds)
        self._sessions = sessions
        self._settings = settings
        self._client: httpx.Client | None = None

    def stop(self) -> None:
        super().stop()
        if self._client is not None:
            self._client.close()

    def step(self) -> None:
        if self._settings.tdb_api_url is None:
            return
        if self._client is None:
            self._client = httpx.Client(timeout=_TIMEOUT_SECONDS, follow_redirects=False)
        try:
            submit_due(self._sessions, self._settings, self._client)
        except Exception:  # a bad round must not end the submissions for good
            logger.exception("TDB submission round failed")
