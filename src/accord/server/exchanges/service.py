"""Exchanges: other instances' shared banks (TAXII 2.1 collections) fetched into local
banks, and the opinions and sightings sent back to their publishers.

An exchange names a publisher's API root and collection, the local bank it fills, and
the partner key it reads with (sealed under the master key). Fetching (``fetch``) is
incremental from a checkpoint and applied a page per transaction; writing back goes
through the outbox (``writeback``): ``queue_opinion`` and ``queue_sightings`` write a
message in the caller's transaction, the ``ExchangeChannel`` posts it.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from accord.errors import BadRequest, Conflict, NotFound, StixError
from accord.provenance.sealing import seal_secret
from accord.server.banks import service as banks
from accord.server.banks.schemas import BankKind, Marking
from accord.server.db.base import utc_now
from accord.server.exchanges.envelope import one_line
from accord.server.exchanges.fetch import fetch_all, fetch_exchange
from accord.server.exchanges.models import Exchange, ExchangeMessage, ExchangeMessageStatus
from accord.server.exchanges.poller import ExchangePoller
from accord.server.exchanges.schemas import (
    DEFAULT_AUTHOR,
    EXCHANGE_NAME_PATTERN,
    ExchangeSummary,
    FetchLimits,
    FetchReport,
    Posted,
)
from accord.server.exchanges.taxii_client import TaxiiClient, origin_of
from accord.server.exchanges.writeback import EXCHANGE_QUEUE, ExchangeChannel
from accord.server.outbox.engine import OutboxStats, counts, run_due
from accord.sharing import stix

__all__ = [
    "DEFAULT_AUTHOR",
    "ExchangeChannel",
    "ExchangePoller",
    "ExchangeSummary",
    "FetchLimits",
    "FetchReport",
    "Posted",
    "add_exchange",
    "deliver_due",
    "fetch_all",
    "fetch_exchange",
    "find_exchange",
    "get_exchange",
    "list_exchanges",
    "outbox_counts",
    "queue_opinion",
    "queue_sightings",
    "remove_exchange",
    "send_now",
]

_NAME = re.compile(EXCHANGE_NAME_PATTERN)
#: Identities read to learn who publishes a collection when it is added.
_PUBLISHER_PROBE = 10
#: The longest collection id an exchange keeps (``exchanges.collection_id``).
_MAX_COLLECTION_ID = 100


def add_exchange(
    session: Session,
    http: httpx.Client,
    *,
    name: str,
    url: str,
    collection: str,
    bank: str,
    api_key: str | None,
    master_key: str,
    limits: FetchLimits,
    report_sightings: bool = False,
) -> Exchange:
    """An exchange of the collection ``collection`` (its id or title) at ``url`` (a
    discovery URL or an API root) into the local bank ``bank``, made when missing with the
    kind of the collection's entries (deceptive while it has none).

    ``url`` is https (http only to this machine), without a user name or password. The
    publisher is asked right away (its API root, the collection, a look at its objects):
    any refusal is an error and nothing is stored."""
    if not _NAME.fullmatch(name):
        msg = (
            f"exchange name {name!r} must be 1 to 100 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
        raise BadRequest(msg)
    if find_exchange(session, name) is not None:
        raise Conflict(f"an exchange named {name} already exists")
    _check_url(url)
    local = banks.find_bank(session, bank)
    if local is None:
        banks.check_bank_name(bank)
    else:
        feeding = session.scalar(select(Exchange.name).where(Exchange.bank_id == local.id))
        if feeding is not None:
            raise Conflict(f"bank {bank} is already filled by the exchange {feeding}")
    client = TaxiiClient(http, api_key, limits)
    api_root = client.api_root_of(url)
    chosen = _collection(client.collections(api_root), collection, api_root)
    kind = _kind(client, api_root, chosen["id"])
    if local is not None and local.kind != kind:
        msg = f"the publisher's entries are {kind.value!r}; the local bank {bank} is {local.kind!r}"
        raise Conflict(msg)
    publisher = _publisher(client, api_root, chosen["id"])
    if local is None:
        local = banks.create_bank(
            session,
            bank,
            kind=kind,
            owner=publisher or name,
            marking=Marking.AMBER,
            description=f"Fetched from the exchange {name}: {chosen['title']} at {api_root}",
        )
    exchange = Exchange(
        name=name,
        api_root=api_root,
        collection_id=chosen["id"],
        collection_title=chosen["title"],
        bank_id=local.id,
        sealed_api_key=seal_secret(api_key.encode(), master_key) if api_key else None,
        report_sightings=report_sightings,
        last_error="",
        objects_fetched=0,
    )
    session.add(exchange)
    session.flush()
    return exchange


_LOOPBACK_NAMES = frozenset({"localhost"})


def _check_url(url: str) -> None:
    """A URL the partner key may be sent to: https, or http to this machine only (a test
    or a tunnel); never one with a user name or password in it (they would be stored, in
    clear, as the exchange's API root)."""
    where = origin_of(url)
    if where is None or where[0] not in {"https", "http"}:
        raise BadRequest(f"a TAXII URL must read https://host/…, not {url!r}")
    parts = urlsplit(url)
    if "@" in parts.netloc:
        msg = (
            "a TAXII URL must not carry a user name or password (user:pass@); "
            "give the partner key with --api-key-env"
        )
        raise BadRequest(msg)
    if where[0] == "http" and not _loopback(where[1]):
        msg = (
            f"use https: http:// sends the partner key in clear, and is only taken for "
            f"this machine (127.0.0.0/8, ::1, localhost), not {where[1]}"
        )
        raise BadRequest(msg)


def _loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _collection(found: list[dict[str, Any]], wanted: str, api_root: str) -> dict[str, str]:
    """The collection whose id, else whose title, is ``wanted``; it must be readable.
    Collections whose id or title could not be kept are left out."""
    collections = [item for item in found if _keepable(item)]
    matches = [item for item in collections if item["id"] == wanted] or [
        item for item in collections if item.get("title") == wanted
    ]
    if not matches:
        offered = ", ".join(
            f"{one_line(item.get('title', ''), 100)} ({one_line(item['id'], 60)})"
            for item in collections
        )
        msg = f"{api_root} has no collection {wanted!r} for this key"
        raise NotFound(msg + (f"; it offers: {offered}" if offered else ""))
    if len(matches) > 1:
        ids = ", ".join(one_line(item["id"], 60) for item in matches)
        raise Conflict(
            f"several collections at {api_root} are titled {wanted!r}; give the id: {ids}"
        )
    chosen = matches[0]
    if chosen.get("can_read") is not True:
        raise Conflict(f"the collection {wanted!r} at {api_root} may not be read with this key")
    return {"id": chosen["id"], "title": str(chosen.get("title", ""))}


def _keepable(item: dict[str, Any]) -> bool:
    collection_id, title = item.get("id"), item.get("title", "")
    if not isinstance(collection_id, str) or not isinstance(title, str):
        return False
    try:
        stix.check_text([collection_id, title], "a collection")
    except StixError:
        return False
    return 0 < len(collection_id) <= _MAX_COLLECTION_ID


def _kind(client: TaxiiClient, api_root: str, collection_id: str) -> BankKind:
    """The bank kind of the collection's entries, as its first indicator says it;
    deceptive while it has none."""
    envelope, _ = client.objects(
        api_root, collection_id, {"match[type]": "indicator", "limit": "1"}
    )
    if not envelope.objects:
        return BankKind.DECEPTIVE
    try:
        return BankKind(stix.read_indicator(envelope.objects[0]).kind)
    except StixError as error:
        raise StixError(f"the collection's first indicator: {error.detail}") from None


def _publisher(client: TaxiiClient, api_root: str, collection_id: str) -> str | None:
    """Who publishes the collection, when its identities name exactly one owner."""
    envelope, _ = client.objects(
        api_root, collection_id, {"match[type]": "identity", "limit": str(_PUBLISHER_PROBE)}
    )
    names = set()
    for item in envelope.objects:
        if item.get("type") == "identity":
            try:
                names.add(stix.read_identity(item).name)
            except StixError:
                continue  # no name to own a bank with
    return names.pop() if len(names) == 1 else None


def find_exchange(session: Session, name: str) -> Exchange | None:
    """The exchange ``name``, with its bank; None when there is none."""
    return session.scalars(
        select(Exchange).where(Exchange.name == name).options(joinedload(Exchange.bank))
    ).one_or_none()


def get_exchange(session: Session, name: str) -> Exchange:
    """The exchange ``name``, with its bank; ``NotFound`` when there is none."""
    exchange = find_exchange(session, name)
    if exchange is None:
        raise NotFound(f"no exchange is named {name}")
    return exchange


def list_exchanges(session: Session) -> list[ExchangeSummary]:
    """Every exchange, by name, with its messages waiting and refused."""
    counts: dict[tuple[int, str], int] = {
        (exchange_id, status): count
        for exchange_id, status, count in session.execute(
            select(ExchangeMessage.exchange_id, ExchangeMessage.status, func.count()).group_by(
                ExchangeMessage.exchange_id, ExchangeMessage.status
            )
        )
    }
    exchanges = session.scalars(
        select(Exchange).options(joinedload(Exchange.bank)).order_by(Exchange.name)
    )
    return [
        ExchangeSummary(
            name=exchange.name,
            api_root=exchange.api_root,
            collection_id=exchange.collection_id,
            collection_title=exchange.collection_title,
            bank=exchange.bank.name,
            report_sightings=exchange.report_sightings,
            last_fetch_at=exchange.last_fetch_at,
            last_success_at=exchange.last_success_at,
            last_error=exchange.last_error,
            objects_fetched=exchange.objects_fetched,
            pending=counts.get((exchange.id, ExchangeMessageStatus.PENDING), 0),
            dead=counts.get((exchange.id, ExchangeMessageStatus.DEAD), 0),
        )
        for exchange in exchanges
    ]


def remove_exchange(session: Session, name: str) -> tuple[str, int]:
    """Stop fetching ``name`` and drop its messages, sent or not (opinions and sightings
    still waiting are never sent); its bank and entries stay. Returns the bank's name and
    how many entries it keeps."""
    exchange = get_exchange(session, name)
    bank = exchange.bank
    session.delete(exchange)
    session.flush()
    return bank.name, banks.entry_counts(session).get(bank.id, 0)


def queue_opinion(
    session: Session,
    entry_id: int,
    verdict: stix.Verdict,
    note: str,
    *,
    author: str = DEFAULT_AUTHOR,
    exchange: str | None = None,
) -> ExchangeMessage:
    """An opinion on the fetched entry ``entry_id``, for its publisher, written in the
    caller's transaction; ``author`` is who this instance is (``ACCORD_EXCHANGE_AUTHOR``).
    ``exchange``, when given, is the exchange the entry must have come from."""
    if len(note) > stix.MAX_TEXT_CHARACTERS:
        raise BadRequest(f"a note may have at most {stix.MAX_TEXT_CHARACTERS} characters")
    origin = banks.entry_origins(session, [entry_id]).get(entry_id)
    if origin is None:
        raise BadRequest(f"entry {entry_id} did not come from an exchange")
    if exchange is not None and origin["exchange"] != exchange:
        msg = f"entry {entry_id} came from the exchange {origin['exchange']}, not {exchange}"
        raise BadRequest(msg)
    source = session.scalar(select(Exchange).where(Exchange.name == origin["exchange"]))
    if source is None:
        msg = f"entry {entry_id} came from the exchange {origin['exchange']}, which was removed"
        raise BadRequest(msg)
    body = stix.opinion(origin["remote_id"], verdict, author=author, note=note, created=utc_now())
    return _queue(session, source, body)


def queue_sightings(
    session: Session, entry_ids: Sequence[int], *, author: str = DEFAULT_AUTHOR
) -> int:
    """A sighting for each fetched entry among ``entry_ids`` whose exchange reports
    sightings, written in the caller's transaction; how many were queued. One indexed
    query when none of them is a fetched entry (the match path calls this)."""
    origins = banks.entry_origins(session, entry_ids) if entry_ids else {}
    names = {origin["exchange"] for origin in origins.values()}
    if not names:
        return 0
    reporting = {
        exchange.name: exchange
        for exchange in session.scalars(
            select(Exchange).where(Exchange.name.in_(names), Exchange.report_sightings.is_(True))
        )
    }
    now = utc_now()
    queued = 0
    for origin in origins.values():
        exchange = reporting.get(origin["exchange"])
        if exchange is not None:
            body = stix.sighting(
                origin["remote_id"], seen_by=author, count=1, first_seen=now, last_seen=now
            )
            _queue(session, exchange, body)
            queued += 1
    return queued


def _queue(session: Session, exchange: Exchange, body: dict[str, Any]) -> ExchangeMessage:
    # Kept as the bytes posted, so every retry posts the same object.
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    message = ExchangeMessage(exchange_id=exchange.id, object_type=body["type"], body=text)
    session.add(message)
    session.flush()
    return message


def send_now(
    sessions: sessionmaker[Session],
    message_id: int,
    *,
    master_key: str,
    http: httpx.Client | None = None,
) -> Posted:
    """Try to send the message ``message_id`` at once; where it stands after."""
    channel = ExchangeChannel(master_key, http, only=message_id)
    try:
        run_due(sessions, channel)
    finally:
        channel.close()
    with sessions() as session:
        message = session.get(ExchangeMessage, message_id)
        if message is None:
            raise NotFound(f"no exchange message {message_id}")
        return Posted(message.id, ExchangeMessageStatus(message.status), message.last_error)


def deliver_due(
    sessions: sessionmaker[Session], *, master_key: str, http: httpx.Client | None = None
) -> int:
    """Send every opinion and sighting due now; how many were tried."""
    channel = ExchangeChannel(master_key, http)
    try:
        return run_due(sessions, channel)
    finally:
        channel.close()


def outbox_counts(session: Session) -> OutboxStats:
    """How many opinions and sightings wait, were sent, or were given up (for metrics)."""
    return counts(session, EXCHANGE_QUEUE)
