"""Fetching an exchange: the collection's objects added since the checkpoint, a page at a
time, each page checked whole and then applied with its checkpoint in one transaction.

So a fetch cut short resumes at the last page committed and a repeated fetch never
duplicates an entry (entries are keyed by the publisher's indicator id). Checkpoints only
move forward: a page dated before the checkpoint is refused, and so is one dated at it
that says there is more, which also ends a publisher that repeats itself. The checkpoint
is moved by a compare-and-set on the exchange's row before the page is applied, so two
processes fetching one exchange never apply a page twice; on PostgreSQL an advisory lock
also keeps the second from fetching at all while the first runs.

A feed that is not what accord writes (invalid STIX, wrong JSON types, objects over the
size bound, a TLP:RED indicator, signals accord cannot read, a ``more`` that never ends)
stops the fetch with an error kept in ``last_error`` and logged: the page is not applied,
the checkpoint stays.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import ColumnElement, select, text, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from accord.errors import AccordError, BadRequest, SignalError, StixError
from accord.provenance.sealing import unseal_secret
from accord.server.banks import service as banks
from accord.server.db.base import utc_now
from accord.server.exchanges.envelope import DATE_ADDED_LAST, one_line
from accord.server.exchanges.models import Exchange
from accord.server.exchanges.schemas import ASKED_TYPES, FetchLimits, FetchReport
from accord.server.exchanges.taxii_client import TaxiiClient
from accord.sharing import stix

logger = logging.getLogger("accord.exchanges")

#: The advisory lock space of fetches (PostgreSQL's two-key form; the key is the row id).
_FETCH_LOCK_SPACE = 0x0ACC0E
_MAX_OWNER_CHARACTERS = 200
_RED = "TLP:RED"


@dataclass(frozen=True, slots=True)
class _Target:
    """What a fetch needs of its exchange, read once at the start."""

    id: int
    name: str
    api_root: str
    collection_id: str
    api_key: str | None
    checkpoint: datetime | None


@dataclass(frozen=True, slots=True)
class _Page:
    """A page read and checked, ready to apply."""

    url: str
    #: Objects it held (identities too).
    objects: int
    indicators: list[stix.RemoteIndicator]
    #: Names of the owners its indicators name, where known.
    owners: dict[str, str]
    #: Its ``X-TAXII-Date-Added-Last``: the checkpoint once applied (None: no objects).
    last_added: datetime | None
    more: bool
    next: str | None


class _Overtaken(Exception):
    """Another process moved the checkpoint since this fetch read it."""


def fetch_exchange(
    sessions: sessionmaker[Session],
    http: httpx.Client,
    name: str,
    *,
    master_key: str,
    limits: FetchLimits,
) -> FetchReport:
    """Fetch what ``name``'s collection added since its checkpoint; never raises for what
    the publisher sent or failed to send (the report and ``last_error`` say it)."""
    with sessions() as session:
        exchange_id = session.scalar(select(Exchange.id).where(Exchange.name == name))
    if exchange_id is None:
        return FetchReport(name, error=f"no exchange is named {name}")
    with _exclusive(sessions, exchange_id) as mine:
        if not mine:
            return FetchReport(name, busy=True)
        return _fetch(sessions, http, exchange_id, master_key, limits)


def fetch_all(
    sessions: sessionmaker[Session], http: httpx.Client, *, master_key: str, limits: FetchLimits
) -> list[FetchReport]:
    """Fetch every exchange, one after the other, by name."""
    with sessions() as session:
        names = list(session.scalars(select(Exchange.name).order_by(Exchange.name)))
    return [
        fetch_exchange(sessions, http, name, master_key=master_key, limits=limits) for name in names
    ]


def _fetch(
    sessions: sessionmaker[Session],
    http: httpx.Client,
    exchange_id: int,
    master_key: str,
    limits: FetchLimits,
) -> FetchReport:
    name, added, updated, withdrawn, pages = "", 0, 0, 0, 0
    try:
        target = _target(sessions, exchange_id, master_key)
        name = target.name
        client = TaxiiClient(http, target.api_key, limits)
        owners: dict[str, str | None] = {}
        checkpoint = start = target.checkpoint
        token: str | None = None
        tokens: set[str] = set()
        while True:
            if pages >= limits.max_pages:
                msg = (
                    f"the publisher still had more after {limits.max_pages} pages; the rest "
                    "waits for the next fetch"
                )
                raise StixError(msg)
            try:
                page = _read_page(client, target, _params(start, token, limits), checkpoint, owners)
            except AccordError as error:
                raise StixError(
                    f"page {pages + 1}: {error.detail}; the page was not applied"
                ) from None
            if page.last_added is not None:
                applied = _apply(sessions, target, before=checkpoint, page=page)
                added, updated = added + applied.added, updated + applied.updated
                withdrawn += applied.withdrawn
                checkpoint = page.last_added
            pages += 1
            if not page.more:
                break
            if page.next is None:  # paged by date alone: ask after the new checkpoint
                start, token = checkpoint, None
            elif page.next in tokens:
                msg = f"{page.url}: after page {pages}, the next token repeats an earlier one"
                raise StixError(msg)
            else:
                tokens.add(page.next)
                token = page.next
    except _Overtaken:
        return FetchReport(name, added, updated, withdrawn, pages, busy=True)
    except AccordError as error:
        _record(sessions, exchange_id, error.detail)
        logger.warning("exchange %s: fetch stopped: %s", name or exchange_id, error.detail)
        return FetchReport(name, added, updated, withdrawn, pages, error=error.detail)
    _record(sessions, exchange_id, None)
    return FetchReport(name, added, updated, withdrawn, pages)


def _read_page(
    client: TaxiiClient,
    target: _Target,
    params: Mapping[str, str],
    checkpoint: datetime | None,
    owners: dict[str, str | None],
) -> _Page:
    """The next page, read and checked whole before anything of it is written."""
    envelope, url = client.objects(target.api_root, target.collection_id, params)
    if envelope.more and not envelope.objects:
        raise StixError(f"{url}: an empty page says more: true")
    last = envelope.last_added
    # The same moment again is a server keeping finer times than microseconds re-sending
    # its last object (harmless: versions already applied are skipped), unless it says
    # there is more, which would never end.
    if (
        last is not None
        and checkpoint is not None
        and (last < checkpoint or (last == checkpoint and envelope.more))
    ):
        msg = (
            f"{url}: the page's {DATE_ADDED_LAST} {stix.stix_time(last)} is not after the "
            f"checkpoint {stix.stix_time(checkpoint)}; the checkpoint never moves back"
        )
        raise StixError(msg)
    indicators, named = _check(client, target, envelope.objects, owners)
    return _Page(
        url=url,
        objects=len(envelope.objects),
        indicators=indicators,
        owners=named,
        last_added=last,
        more=envelope.more,
        next=envelope.next,
    )


def _target(sessions: sessionmaker[Session], exchange_id: int, master_key: str) -> _Target:
    with sessions() as session:
        exchange = session.get(Exchange, exchange_id)
        if exchange is None:
            raise BadRequest(f"exchange {exchange_id} was removed")
        sealed = exchange.sealed_api_key
        return _Target(
            id=exchange.id,
            name=exchange.name,
            api_root=exchange.api_root,
            collection_id=exchange.collection_id,
            api_key=unseal_secret(sealed, master_key).decode() if sealed else None,
            checkpoint=exchange.added_after,
        )


def _params(start: datetime | None, token: str | None, limits: FetchLimits) -> dict[str, str]:
    params = {"match[type]": ",".join(ASKED_TYPES), "limit": str(limits.page_objects)}
    if start is not None:
        params["added_after"] = stix.stix_time(start)
    if token is not None:
        params["next"] = token
    return params


def _check(
    client: TaxiiClient,
    target: _Target,
    objects: Sequence[Mapping[str, Any]],
    owners: dict[str, str | None],
) -> tuple[list[stix.RemoteIndicator], dict[str, str]]:
    """Every object of a page read and checked: its indicators, and the names of the
    owners they name (``owners`` keeps what was learnt for the next pages)."""
    indicators: list[stix.RemoteIndicator] = []
    named: dict[str, str] = {}
    for body in objects:
        kind = stix.object_type(body)
        if kind == "identity":
            identity_id, owner = _identity(body)
            named[identity_id] = owners[identity_id] = owner
        elif kind == "indicator":
            indicators.append(_indicator(body))
        else:
            asked = " and ".join(ASKED_TYPES)
            msg = f"a STIX {one_line(kind, 60)} came though only {asked} were asked for"
            raise StixError(msg)
    for ref in {i.owner_ref for i in indicators if i.owner_ref} - named.keys():
        if ref not in owners:  # an identity sent in an earlier fetch: ask for it
            found = [
                _identity(body)
                for body in client.object(target.api_root, target.collection_id, ref)
                if body.get("type") == "identity"
            ]
            owners[ref] = found[-1][1] if found else None
        known = owners[ref]
        if known is not None:
            named[ref] = known
    return indicators, named


def _identity(body: Mapping[str, Any]) -> tuple[str, str]:
    identity_id, name = body.get("id"), body.get("name")
    if not isinstance(identity_id, str) or not identity_id.startswith("identity--"):
        raise StixError("an identity's id must read identity--<UUID>")
    if not isinstance(name, str) or not 0 < len(name) <= _MAX_OWNER_CHARACTERS:
        msg = f"{one_line(identity_id, 60)}: name must be 1 to {_MAX_OWNER_CHARACTERS} characters"
        raise StixError(msg)
    return identity_id, name


def _indicator(body: Mapping[str, Any]) -> stix.RemoteIndicator:
    indicator = stix.read_indicator(body)
    if indicator.marking == _RED:
        msg = f"{indicator.stix_id} is marked TLP:RED, which a publisher must never send"
        raise StixError(msg)
    try:
        signals = banks.validate_signals(indicator.signals)
    except (BadRequest, SignalError) as error:
        raise StixError(f"{indicator.stix_id}: {error.detail}") from None
    return replace(indicator, signals=signals)


def _apply(
    sessions: sessionmaker[Session], target: _Target, *, before: datetime | None, page: _Page
) -> banks.RemoteApplied:
    """Apply one checked page and move the checkpoint, in one transaction."""
    with sessions() as session:
        session.info["actor"] = f"exchange:{target.name}"
        moved = session.scalar(
            update(Exchange)
            .where(Exchange.id == target.id, _at(before))
            .values(
                added_after=page.last_added,
                objects_fetched=Exchange.objects_fetched + page.objects,
            )
            .returning(Exchange.id)
            .execution_options(synchronize_session=False)
        )
        if moved is None:
            session.rollback()
            raise _Overtaken
        exchange = session.scalars(
            select(Exchange)
            .where(Exchange.id == target.id)
            .options(joinedload(Exchange.bank))
            .execution_options(populate_existing=True)
        ).one()
        applied = banks.apply_remote_indicators(
            session, exchange.bank, target.name, page.indicators, owners=page.owners
        )
        session.commit()
    return applied


def _at(checkpoint: datetime | None) -> ColumnElement[bool]:
    if checkpoint is None:
        return Exchange.added_after.is_(None)
    return Exchange.added_after == checkpoint


def _record(sessions: sessionmaker[Session], exchange_id: int, error: str | None) -> None:
    now = utc_now()
    values: dict[str, Any] = {"last_fetch_at": now, "last_error": error or ""}
    if error is None:
        values["last_success_at"] = now
    with sessions() as session:
        session.execute(
            update(Exchange)
            .where(Exchange.id == exchange_id)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        session.commit()


@contextmanager
def _exclusive(sessions: sessionmaker[Session], exchange_id: int) -> Iterator[bool]:
    """Whether this process may fetch the exchange now: on PostgreSQL, while it holds an
    advisory lock on its own connection; elsewhere always (the compare-and-set of the
    checkpoint keeps a page from being applied twice)."""
    with sessions() as session:
        bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        yield True
        return
    keys = {"space": _FETCH_LOCK_SPACE, "id": exchange_id}
    with bind.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        mine = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:space, :id)"), keys))
        try:
            yield mine
        finally:
            if mine:
                connection.execute(text("SELECT pg_advisory_unlock(:space, :id)"), keys)
