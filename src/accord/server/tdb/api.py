"""The TDB channel of the outbox: statements of reasons POSTed to the DSA Transparency
Database's API, up to 100 per ``POST /statements``, the API's limit.

The TDB stores nothing of a batch with one bad statement (422), so a refused batch is sent
again one statement at a time, and only the bad ones are given up, with the TDB's reason.
A puid the TDB already holds (a batch stored before the answer was lost) counts as
submitted, so known ones are not sent twice. Other failures (5xx, timeouts) are retried
with backoff, for as long as it takes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Select
from sqlalchemy.orm import Session, selectinload

from accord.server.outbox.engine import Channel, Due, Outcome, Queue, Verdict
from accord.server.outbox.http import HttpClient
from accord.server.settings import Settings
from accord.server.statements.service import BATCH_MAX
from accord.server.tdb.models import Submission, SubmissionStatus

_TIMEOUT_SECONDS = 60.0
_UNPROCESSABLE = 422
_FOUND = 302
_OK = range(200, 300)

TDB_QUEUE = Queue(
    name="tdb",
    table=Submission,
    sent=SubmissionStatus.SUBMITTED,
    dead=SubmissionStatus.REFUSED,
    max_attempts=None,
    actor="system:tdb",
)


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the TDB answered for a statement it stored (nothing when it knew it already)."""

    uuid: str | None = None
    published_at: datetime | None = None


_Outcome = Outcome[Receipt]


class TdbChannel(Channel[Submission, dict[str, Any], Receipt]):
    queue = TDB_QUEUE
    send_time = timedelta(seconds=2 * _TIMEOUT_SECONDS)
    send_size = BATCH_MAX
    thread_name = "accord-tdb"
    logger_name = "accord.tdb"
    round_failed = "TDB submission round failed"

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self._settings = settings
        self._http = HttpClient(_TIMEOUT_SECONDS, client)

    @property
    def active(self) -> bool:
        return self._settings.tdb_api_url is not None

    def due(self, query: Select[Submission]) -> Select[Submission]:
        return query.options(selectinload(Submission.item_action))

    def read(self, session: Session, row: Submission) -> dict[str, Any]:  # noqa: ARG002
        return row.item_action.statement or {}

    def send(self, batch: Sequence[Due[dict[str, Any]]]) -> Mapping[int, _Outcome]:
        try:
            answer = self._post("statements", {"statements": [due.item for due in batch]})
            if answer.status_code == _UNPROCESSABLE and len(batch) > 1:
                return {due.id: self._send_one(due.item) for due in batch}
            if answer.status_code in _OK:
                stored = answer.json().get("statements", [])
                return {
                    due.id: _stored(receipt) for due, receipt in zip(batch, stored, strict=False)
                }
            return {due.id: _failed(answer) for due in batch}
        except httpx.HTTPError as error:
            reason = f"{type(error).__name__}: {error}"
            return {due.id: Outcome(Verdict.RETRY, reason, Receipt()) for due in batch}

    def _send_one(self, statement: dict[str, Any]) -> _Outcome:
        answer = self._post("statement", statement)
        if answer.status_code in _OK:
            return _stored(answer.json())
        if answer.status_code == _UNPROCESSABLE and self._already_there(statement):
            return Outcome(Verdict.SENT, "already in the TDB", Receipt())
        return _failed(answer)

    def _already_there(self, statement: dict[str, Any]) -> bool:
        url = f"{self._settings.tdb_api_url}/statement/existing-puid/{statement.get('puid', '')}"
        answer = self._http.get().get(url, headers=self._headers(), follow_redirects=False)
        return answer.status_code == _FOUND

    def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        url = f"{self._settings.tdb_api_url}/{path}"
        return self._http.get().post(url, json=body, headers=self._headers())

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self._settings.tdb_token.get_secret_value()}",
            "Accept": "application/json",
        }

    def recorded(self, session: Session, row: Submission, outcome: _Outcome) -> None:  # noqa: ARG002
        if outcome.verdict != Verdict.RETRY:
            row.uuid, row.published_at = outcome.detail.uuid, outcome.detail.published_at

    def close(self) -> None:
        self._http.close()


def _stored(receipt: dict[str, Any]) -> _Outcome:
    created = receipt.get("created_at")
    published = datetime.fromisoformat(created) if isinstance(created, str) else None
    return Outcome(Verdict.SENT, "", Receipt(str(receipt.get("uuid") or "") or None, published))


def _failed(answer: httpx.Response) -> _Outcome:
    reason = f"the TDB answered HTTP {answer.status_code}: {answer.text[:500]}"
    verdict = Verdict.GIVE_UP if answer.status_code == _UNPROCESSABLE else Verdict.RETRY
    return Outcome(verdict, reason, Receipt())
