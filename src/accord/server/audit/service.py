"""Every change made through the ORM goes into the audit log, in the same transaction.

A listener on ``after_flush`` turns each inserted, updated and deleted row into an entry:
who (``session.info["actor"]``), what (table, row, action), when, why
(``session.info["reason"]``), and the values before and after. Secrets are left out and
binary values are replaced by their SHA-256. Each entry is sealed with the hash of the one
before it (``seal``), under a lock on the chain's head, so ``verify`` finds any entry
edited, removed or cut off the end.

Personal data (the columns ``personal.PERSONAL`` names) enters an entry encrypted under its
subject's key (``subject_keys``, AES-GCM), not in clear: ``forget`` deletes the key, and
the entry, unchanged and still verifying, keeps only a ciphertext nobody can open
(crypto-shredding). Entries written before this existed keep their values in clear.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import os
import secrets
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    Connection,
    delete,
    event,
    false,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, UOWTransaction

from accord.server.audit.models import AuditEntry, AuditHead, SubjectKey
from accord.server.audit.personal import PERSONAL
from accord.server.db.base import utc_now

#: The hash the first entry follows.
GENESIS = "0" * 64
#: Tables that are not audited: the log itself, other logs (the removal feed the indices
#: read, webhook deliveries' attempts), and login sessions (keyed by a token's hash).
#: ``login_failures`` too: its rows are digests of whatever addresses strangers typed,
#: meant to vanish with their lockout, not to stay in an append-only log.
_UNAUDITED = frozenset(
    {
        "audit_log",
        "audit_head",
        "signal_removals",
        "delivery_attempts",
        "login_sessions",
        "login_failures",
        # Every screened prompt: kept only ``guard_retention_days``, which an append-only
        # log would defeat, and written at a generator's request rate. Bans, unbans and
        # appeals (``guard_bans``, ``guard_appeals``) are audited.
        "guard_decisions",
        "guard_tallies",
        # The keys personal data is sealed under: erasure must be able to destroy them.
        "subject_keys",
    }
)
#: Columns whose values never enter the log.
_SECRET = frozenset({"secret_sha256", "sealed_key", "sealed_secret", "password_hash"})
_HEAD_ID = 1
#: What a sealed value reads as once its subject's key is gone.
ERASED = "[erased]"
_NONCE = 12


def install_audit_trail() -> None:
    """Audit every session's flushes from now on (idempotent)."""
    if not event.contains(Session, "after_flush", _record_flush):
        event.listen(Session, "after_flush", _record_flush)


def seal(entry: AuditEntry) -> str:
    """The hash of an entry's content and of the entry before it."""
    content = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(),  # whatever zone the database answers in
        "actor": entry.actor,
        "action": entry.action,
        "table": entry.table,
        "row_id": entry.row_id,
        "reason": entry.reason,
        "before": entry.before,
        "after": entry.after,
        "previous_hash": entry.previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Verification:
    entries: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(session: Session) -> Verification:
    """Check every entry's seal and link, and that none is missing, in order."""
    result = Verification()
    expected, previous = 1, GENESIS
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000):
        if entry.seq != expected:
            result.problems.append(f"entries #{expected} to #{entry.seq - 1} are missing")
        if entry.previous_hash != previous:
            result.problems.append(f"entry #{entry.seq} no longer follows the entry before it")
        if seal(entry) != entry.entry_hash:
            result.problems.append(f"entry #{entry.seq} was changed after it was written")
        result.entries += 1
        expected, previous = entry.seq + 1, entry.entry_hash
    head = session.get(AuditHead, _HEAD_ID)
    if head is None or (head.seq, head.entry_hash) != (expected - 1, previous):
        last = "none" if head is None else f"#{head.seq}"
        result.problems.append(
            f"the log ends at #{expected - 1} but its head says {last}: entries were cut off"
        )
    result.head_hash = previous
    return result


def newest(session: Session, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` newest entries as JSON-ready dicts, oldest first."""
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit))
    readable = opened(session, list(reversed(list(entries))))
    return [_readable(entry) | {"at": entry.at.isoformat()} for entry in readable]


def history_of(session: Session, rows: Mapping[str, Collection[str]]) -> list[AuditEntry]:
    """The entries about the rows ``rows`` names (their ids by table), oldest first: what
    happened to a case and to everything decided in it, say."""
    about = [
        (AuditEntry.table == table) & AuditEntry.row_id.in_(list(row_ids))
        for table, row_ids in rows.items()
    ]
    found = session.scalars(select(AuditEntry).where(or_(false(), *about)).order_by(AuditEntry.seq))
    return opened(session, list(found))


def with_reason(session: Session, reason: str) -> list[dict[str, Any]]:
    """The entries made for ``reason`` (e.g. one erasure request), oldest first, readable."""
    found = session.scalars(
        select(AuditEntry).where(AuditEntry.reason == reason).order_by(AuditEntry.seq)
    )
    return [
        _readable(entry) | {"at": entry.at.isoformat()} for entry in opened(session, list(found))
    ]


def newest_event(session: Session, table: str) -> AuditEntry | None:
    """The newest entry about ``table``: a background job's last report, say."""
    return session.scalar(
        select(AuditEntry).where(AuditEntry.table == table).order_by(AuditEntry.seq.desc()).limit(1)
    )


def opened(session: Session, entries: list[AuditEntry]) -> list[AuditEntry]:
    """Copies of ``entries`` (never in the session: nothing written back) with their sealed
    values opened, or ``ERASED`` where the subject's key is gone."""
    key_ids = {
        value["sealed"]
        for entry in entries
        for values in (entry.before, entry.after)
        for value in (values or {}).values()
        if _is_sealed(value)
    }
    found = session.execute(
        select(SubjectKey.key_id, SubjectKey.key).where(SubjectKey.key_id.in_(key_ids))
    )
    keys: dict[str, bytes] = dict(found.all())
    return [
        AuditEntry(
            **{column: getattr(entry, column) for column in _COLUMNS}
            | {
                "before": _open_values(entry.before, keys, entry.table),
                "after": _open_values(entry.after, keys, entry.table),
            }
        )
        for entry in entries
    ]


def forget(session: Session, subject: str) -> bool:
    """Destroy ``subject``'s key, so their values sealed in the log can never be read again;
    False when they had none."""
    result = session.execute(delete(SubjectKey).where(SubjectKey.subject == subject))
    return bool(getattr(result, "rowcount", 0))


def record(
    session: Session,
    action: str,
    table: str,
    row_id: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Log a change the ORM does not see: a bulk statement (an import, a cascade)."""
    _append(session, [(action, table, row_id, before, after)])


def _record_flush(session: Session, _context: UOWTransaction) -> None:
    _append(
        session,
        [
            *_changes(session.new, "insert"),
            *_changes((o for o in session.dirty if session.is_modified(o)), "update"),
            *_changes(session.deleted, "delete"),
        ],
    )


def _append(session: Session, changes: list[_Change]) -> None:
    """Seal ``changes`` onto the chain, holding its head until the transaction ends."""
    if not changes:
        return
    connection = session.connection()
    head = connection.execute(
        select(AuditHead.seq, AuditHead.entry_hash)
        .where(AuditHead.id == _HEAD_ID)
        .with_for_update()
    ).one()
    seq, previous = head.seq, head.entry_hash
    actor = str(session.info.get("actor", "system"))
    reason = str(session.info.get("reason", ""))
    # Under the head's lock: two transactions never make two keys for one subject.
    keys = _keys_for(connection, {p.subject for change in changes for p in _personal(change)})
    rows = []
    for action, table, row_id, before, after in changes:
        seq += 1
        entry = AuditEntry(
            seq=seq, at=utc_now(), actor=actor, action=action, table=table, row_id=row_id,
            reason=reason, before=_sealed(before, keys, table), after=_sealed(after, keys, table),
            previous_hash=previous,
        )  # fmt: skip
        previous = entry.entry_hash = seal(entry)
        rows.append({column: getattr(entry, column) for column in _COLUMNS})
    connection.execute(insert(AuditEntry), rows)
    connection.execute(
        update(AuditHead).where(AuditHead.id == _HEAD_ID).values(seq=seq, entry_hash=previous)
    )


_COLUMNS = (
    "seq", "at", "actor", "action", "table", "row_id", "reason", "before", "after",
    "previous_hash", "entry_hash",
)  # fmt: skip

_Change = tuple[str, str, str, dict[str, Any] | None, dict[str, Any] | None]


def _changes(objects: Any, action: str) -> Iterator[_Change]:
    for obj in objects:
        state = inspect(obj)
        table = state.mapper.local_table.name
        if table in _UNAUDITED:
            continue
        row_id = ",".join(str(part) for part in state.mapper.primary_key_from_instance(obj))
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        #: The row as it was (as it is, for an insert) and as it is: whose data it holds.
        was: dict[str, Any] = {}
        now: dict[str, Any] = {}
        for column in state.mapper.column_attrs:
            history = state.attrs[column.key].history
            # Loaded values only: loading one now, mid-flush, could hit a deleted row.
            loaded = state.dict.get(column.key)
            was[column.key] = history.deleted[0] if history.deleted else loaded
            now[column.key] = loaded
            if column.key in _SECRET:
                continue
            if action == "insert":
                after[column.key] = _plain(loaded)
            elif action == "delete":
                before[column.key] = _plain(history.deleted[0] if history.deleted else loaded)
            elif history.has_changes():
                before[column.key] = _plain(history.deleted[0] if history.deleted else None)
                after[column.key] = _plain(history.added[0] if history.added else None)
        if action == "update" and not after:
            continue
        for personal in PERSONAL.get(table, ()):
            # A value given to an empty column (an uploader learnt later) is whose it
            # names now.
            if (subject := personal.subject(was) or personal.subject(now)) is not None:
                before = _marked(before, personal.columns, subject)
                after = _marked(after, personal.columns, subject)
        yield action, table, row_id, before or None, after or None


@dataclass(frozen=True)
class _Personal:
    """A personal value on its way into an entry: sealed under ``subject``'s key."""

    subject: str
    value: Any


def _marked(values: dict[str, Any], columns: Collection[str], subject: str) -> dict[str, Any]:
    # Empty values say nothing about anyone, and show an erasure as what it is.
    def mark(column: str, value: Any) -> Any:
        return _Personal(subject, value) if column in columns and value not in (None, "") else value

    return {column: mark(column, value) for column, value in values.items()}


def _personal(change: _Change) -> Iterator[_Personal]:
    for values in change[3:]:
        yield from (value for value in (values or {}).values() if isinstance(value, _Personal))


def _keys_for(connection: Connection, subjects: set[str]) -> dict[str, tuple[str, bytes]]:
    """Each subject's key id and key, made now for a subject that has none yet."""
    if not subjects:
        return {}
    keys = {
        subject: (key_id, key)
        for subject, key_id, key in connection.execute(
            select(SubjectKey.subject, SubjectKey.key_id, SubjectKey.key).where(
                SubjectKey.subject.in_(subjects)
            )
        )
    }
    new = {
        subject: (secrets.token_hex(16), AESGCM.generate_key(256))
        for subject in sorted(subjects - keys.keys())
    }
    if new:
        now = utc_now()
        rows = [
            {"subject": subject, "key_id": key_id, "key": key, "created_at": now}
            for subject, (key_id, key) in new.items()
        ]
        connection.execute(insert(SubjectKey), rows)
        keys |= new
    return keys


def _sealed(
    values: dict[str, Any] | None, keys: Mapping[str, tuple[str, bytes]], table: str
) -> dict[str, Any] | None:
    if values is None:
        return None
    sealed = dict(values)
    for column, value in values.items():
        if isinstance(value, _Personal):
            key_id, key = keys[value.subject]
            nonce = os.urandom(_NONCE)
            clear = json.dumps(value.value, sort_keys=True).encode()
            box = nonce + AESGCM(key).encrypt(nonce, clear, f"{table}.{column}".encode())
            sealed[column] = {"sealed": key_id, "box": base64.b64encode(box).decode("ascii")}
    return sealed


def _is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"sealed", "box"}


def _open_values(
    values: dict[str, Any] | None, keys: Mapping[str, bytes], table: str
) -> dict[str, Any] | None:
    if values is None:
        return None
    opened = dict(values)
    for column, value in values.items():
        if not _is_sealed(value):
            continue
        key = keys.get(value["sealed"])
        if key is None:
            opened[column] = ERASED
            continue
        box = base64.b64decode(value["box"])
        aad = f"{table}.{column}".encode()
        opened[column] = json.loads(AESGCM(key).decrypt(box[:_NONCE], box[_NONCE:], aad))
    return opened


def _readable(entry: AuditEntry) -> dict[str, Any]:
    return {column: getattr(entry, column) for column in _COLUMNS}


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a column value; bytes become their SHA-256."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def entry_count(connection: Connection) -> int:
    """How many entries the log holds: 0 where the database has no log (yet)."""
    if not inspect(connection).has_table(AuditEntry.__tablename__):
        return 0
    return int(connection.scalar(select(func.count()).select_from(AuditEntry)) or 0)
