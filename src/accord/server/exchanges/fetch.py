"""Fetching an exchange: the collection's objects added since the checkpoint, a page at a
time, each page checked whole and then applied with its checkpoint in one transaction.

So a fetch cut short resumes at the last page committed and a repeated fetch never
duplicates an entry (entries are keyed by the publisher's indicator id). Checkpoints only
move forward: a page dated before the checkpoint is refused, and so is one dated at it
that says there is more, which also ends a publisher that repeats itself. The checkpoint
is moved by a compare-and-set on the exchange's row before the page is applied, so two
processes fetching one exchange never apply a page twice; on PostgreSQL an advisory lock
also keeps the second from fetching at all while the first runs.

A feed that is not what accord writes (invalid STIX, text no database takes, wrong JSON
types, objects over the size bound, more objects than asked for, a TLP:RED indicator,
entries of another kind than the local bank's, signals accord cannot read, a checkpoint in
the future, a ``more`` that never ends) stops the fetch with an error kept in
``last_error`` and logged: the page is not applied, the checkpoint stays. So does anything
unexpected while a page is read or applied (logged with its traceback), and so does a
fetch that runs past its time (``FetchLimits.fetch_seconds``), between two pages. One
exchange's failure never stops another's fetch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import ColumnElement, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload, sessionmaker

from accord.errors import AccordError, BadRequest, SignalError, StixError
from accord.provenance.sealing import unseal_secret
from accord.server.banks import service as banks
from accord.server.banks.schemas import Marking
from accord.server.db.base import utc_now
from accord.server.exchanges.envelope import DATE_ADDED_LAST, one_line
from accord.server.exchanges.models import Exchange
from accord.server.exchanges.schemas import ASKED_TYPES, FetchLimits, FetchReport
from accord.server.exchanges.taxii_client import TaxiiClient
from accord.sharing import stix

logger = logging.getLogger("accord.exchanges")

#: The advisory lock space of fetches (PostgreSQL's two-key form; the key is the row id).
_FETCH_LOCK_SPACE = 0x0ACC0E
#: How far past this instance's clock a page may be dated: clocks differ a little, but a
#: checkpoint far ahead would skip everything added until then.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class _Target:
    """What a fetch needs of its exchange, read once at the start."""

    id: int
    name: str
    api_root: str
    collection_id: str
    api_key: str | None
    checkpoint: datetime | None
    #: The local bank's name and kind: entries of another kind are refused.
    bank: str
    kind: str


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


class _Stopped(Exception):
    """Why a fetch stopped before the publisher's last page (pages applied stay)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _Owners:
    """Owner names learnt in one fetch, and how many more identities it may ask for."""

    def __init__(self, lookups: int) -> None:
        self.names: dict[str, str | None] = {}
        self.lookups_left = lookups


def fetch_exchange(
    sessions: sessionmaker[Session],
    http: httpx.Client,
    name: str,
    *,
    master_key: str,
    limits: FetchLimits,
    from_start: bool = False,
) -> FetchReport:
    """Fetch what ``name``'s collection added since its checkpoint (``from_start``: since
    the beginning, the checkpoint reset first; what is held already is skipped); never
    raises for what the publisher sent or failed to send (the report and ``last_error``
    say it)."""
    with sessions() as session:
        exchange_id = session.scalar(select(Exchange.id).where(Exchange.name == name))
    if exchange_id is None:
        return FetchReport(name, error=f"no exchange is named {name}")
    with _exclusive(sessions, exchange_id) as mine:
        if not mine:
            return FetchReport(name, busy=True)
        if from_start:
            _restart(sessions, exchange_id)
        return _fetch(sessions, http, exchange_id, master_key, limits)


def fetch_all(
    sessions: sessionmaker[Session], http: httpx.Client, *, master_key: str, limits: FetchLimits
) -> list[FetchReport]:
    """Fetch every exchange, one after the other, by name; whatever befalls one, the
    others are fetched (its report says what happened)."""
    with sessions() as session:
        names = list(session.scalars(select(Exchange.name).order_by(Exchange.name)))
    reports = []
    for name in names:
        try:
            report = fetch_exchange(sessions, http, name, master_key=master_key, limits=limits)
        except Exception as error:  # one exchange must not stop the others
            logger.exception("exchange %s: fetch failed", name)
            report = FetchReport(name, error=f"{type(error).__name__}: {one_line(error, 300)}")
        reports.append(report)
    return reports


def _fetch(
    sessions: sessionmaker[Session],
    http: httpx.Client,
    exchange_id: int,
    master_key: str,
    limits: FetchLimits,
) -> FetchReport:
    name, added, updated, withdrawn, pages = "", 0, 0, 0, 0
    deadline = time.monotonic() + limits.fetch_seconds
    try:
        target = _target(sessions, exchange_id, master_key)
        name = target.name
        client = TaxiiClient(http, target.api_key, limits)
        owners = _Owners(limits.max_identity_lookups)
        checkpoint = start = target.checkpoint
        token: str | None = None
        tokens: set[str] = set()
        while True:
            if pages >= limits.max_pages:
                msg = (
                    f"the publisher still had more after {limits.max_pages} pages; the rest "
                    "waits for the next fetch"
                )
                raise _Stopped(msg)
            if pages and time.monotonic() >= deadline:
                msg = (
                    f"the fetch ran for over {limits.fetch_seconds:g} s; the {pages} page(s) "
                    "read are applied, the rest waits for the next fetch"
                )
                raise _Stopped(msg)
            page, applied = _page(
                sessions,
                client,
                target,
                params=_params(start, token, limits),
                checkpoint=checkpoint,
                owners=owners,
                number=pages + 1,
            )
            added, updated = added + applied.added, updated + applied.updated
            withdrawn += applied.withdrawn
            if page.last_added is not None:
                checkpoint = page.last_added
            pages += 1
            if not page.more:
                break
            if page.next is None:  # paged by date alone: ask after the new checkpoint
                start, token = checkpoint, None
            elif page.next in tokens:
                msg = f"{page.url}: after page {pages}, the next token repeats an earlier one"
                raise _Stopped(msg)
            else:
                tokens.add(page.next)
                token = page.next
    except _Overtaken:
        return FetchReport(name, added, updated, withdrawn, pages, busy=True)
    except (_Stopped, AccordError) as stopped:
        error = one_line(stopped.detail, 4000)
    except Exception as unexpected:  # kept in last_error, not a traceback
        logger.exception("exchange %s: fetch failed", name or exchange_id)
        error = f"{type(unexpected).__name__}: {one_line(unexpected, 300)}"
    else:
        _record(sessions, exchange_id, None)
        return FetchReport(name, added, updated, withdrawn, pages)
    _record(sessions, exchange_id, error)
    logger.warning("exchange %s: fetch stopped: %s", name or exchange_id, error)
    return FetchReport(name, added, updated, withdrawn, pages, error=error)


def _page(
    sessions: sessionmaker[Session],
    client: TaxiiClient,
    target: _Target,
    *,
    params: Mapping[str, str],
    checkpoint: datetime | None,
    owners: _Owners,
    number: int,
) -> tuple[_Page, banks.RemoteApplied]:
    """Page ``number`` read, checked and applied with its checkpoint; ``_Stopped`` says
    why not, whatever went wrong (the database refusing it too: nothing of it stays)."""
    try:
        page = _read_page(client, target, params, checkpoint, owners)
        if page.last_added is None:
            return page, banks.RemoteApplied()
        return page, _apply(sessions, target, before=checkpoint, page=page)
    except _Overtaken:
        raise
    except AccordError as error:
        why = error.detail
    except SQLAlchemyError as error:
        logger.exception("exchange %s: page %d: the database refused it", target.name, number)
        why = f"the database refused it ({type(error).__name__})"
    except Exception as error:  # a line, not a crash
        logger.exception("exchange %s: page %d failed", target.name, number)
        why = f"{type(error).__name__}: {one_line(error, 300)}"
    raise _Stopped(f"page {number}: {why}; the page was not applied")


def _read_page(
    client: TaxiiClient,
    target: _Target,
    params: Mapping[str, str],
    checkpoint: datetime | None,
    owners: _Owners,
) -> _Page:
    """The next page, read and checked whole before anything of it is written."""
    envelope, url = client.objects(target.api_root, target.collection_id, params)
    if envelope.more and not envelope.objects:
        raise StixError(f"{url}: an empty page says more: true")
    last = envelope.last_added
    if last is not None and last > utc_now() + CLOCK_SKEW:
        msg = (
            f"{url}: the page's {DATE_ADDED_LAST} {stix.stix_time(last)} is in the future "
            "(more than 5 minutes past this instance's clock); a checkpoint there would skip "
            "what is added until then"
        )
        raise StixError(msg)
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
        exchange = session.scalars(
            select(Exchange)
            .where(Exchange.id == exchange_id)
            .options(joinedload(Exchange.bank))
            .execution_options(populate_existing=True)
        ).one_or_none()
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
            bank=exchange.bank.name,
            kind=exchange.bank.kind,
        )


def _restart(sessions: sessionmaker[Session], exchange_id: int) -> None:
    """Forget the checkpoint: the next fetch asks for the collection from its start."""
    with sessions() as session:
        session.execute(
            update(Exchange)
            .where(Exchange.id == exchange_id)
            .values(added_after=None)
            .execution_options(synchronize_session=False)
        )
        session.commit()


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
    owners: _Owners,
) -> tuple[list[stix.RemoteIndicator], dict[str, str]]:
    """Every object of a page read and checked: its indicators, and the names of the
    owners they name (``owners`` keeps what was learnt for the next pages)."""
    indicators: list[stix.RemoteIndicator] = []
    named: dict[str, str] = {}
    for body in objects:
        kind = stix.object_type(body)
        if kind == "identity":
            identity = stix.read_identity(body)
            named[identity.stix_id] = owners.names[identity.stix_id] = identity.name
        elif kind == "indicator":
            indicators.append(_indicator(body, target))
        else:
            asked = " and ".join(ASKED_TYPES)
            msg = f"a STIX {one_line(kind, 60)} came though only {asked} were asked for"
            raise StixError(msg)
    for ref in {i.owner_ref for i in indicators if i.owner_ref} - named.keys():
        known = _owner(client, target, ref, owners)
        if known is not None:
            named[ref] = known
    return indicators, named


def _owner(client: TaxiiClient, target: _Target, ref: str, owners: _Owners) -> str | None:
    """The name of the identity ``ref``, sent in an earlier fetch: asked for, a few per
    fetch (a feed naming a new owner on every entry must not cost a request each); an
    owner left unknown is kept as the bank's."""
    if ref in owners.names:
        return owners.names[ref]
    if owners.lookups_left <= 0:
        return None
    owners.lookups_left -= 1
    found = [
        stix.read_identity(body)
        for body in client.object(target.api_root, target.collection_id, ref)
        if body.get("type") == "identity"
    ]
    owners.names[ref] = found[-1].name if found else None
    return owners.names[ref]


def _indicator(body: Mapping[str, Any], target: _Target) -> stix.RemoteIndicator:
    indicator = stix.read_indicator(body)
    if indicator.marking == Marking.RED:
        msg = f"{indicator.stix_id} is marked TLP:RED, which a publisher must never send"
        raise StixError(msg)
    if indicator.kind != target.kind:
        msg = (
            f"{indicator.stix_id}: the publisher's entries are {indicator.kind!r}; the local "
            f"bank {target.bank} is {target.kind!r} (a fetch never turns one kind into another)"
        )
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
