"""The vocabulary of exchanges: what a fetch reports, what a listing shows, the bounds a
fetch keeps to, and the states of a message on its way back to a publisher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from accord.server.exchanges.models import ExchangeMessageStatus

if TYPE_CHECKING:
    from accord.server.settings import Settings

__all__ = [
    "ASKED_TYPES",
    "DEFAULT_AUTHOR",
    "EXCHANGE_NAME_PATTERN",
    "ExchangeMessageStatus",
    "ExchangeSummary",
    "FetchLimits",
    "FetchReport",
    "Posted",
]

#: The STIX types a fetch asks for: indicators are the entries, identities name their owners.
ASKED_TYPES = ("indicator", "identity")
#: Who signs opinions and sightings when the caller names no one (``ACCORD_EXCHANGE_AUTHOR``).
DEFAULT_AUTHOR = "accord"
#: An exchange's name: a word a command line takes without quoting.
EXCHANGE_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """What one fetch takes from a publisher at most (``ACCORD_EXCHANGE_*``)."""

    page_objects: int = 1000
    max_page_bytes: int = 64 * 1024 * 1024
    max_object_bytes: int = 1024 * 1024
    max_pages: int = 100_000
    timeout_seconds: float = 30.0
    #: Seconds a whole fetch may run: it stops between pages once past them.
    fetch_seconds: float = 600.0
    #: Identities a fetch may ask for by id (owners named by entries but not sent with
    #: them); past that, an owner is left unknown.
    max_identity_lookups: int = 10

    @classmethod
    def of(cls, settings: Settings) -> FetchLimits:
        return cls(
            page_objects=settings.exchange_page_objects,
            max_page_bytes=settings.exchange_max_page_bytes,
            max_object_bytes=settings.exchange_max_object_bytes,
            max_pages=settings.exchange_max_pages,
            timeout_seconds=settings.exchange_timeout_seconds,
            fetch_seconds=settings.exchange_fetch_seconds,
        )


@dataclass(frozen=True, slots=True)
class FetchReport:
    """What one fetch of one exchange did. Pages applied stay applied when a later page
    fails: ``error`` then says why the fetch stopped there."""

    exchange: str
    added: int = 0
    updated: int = 0
    withdrawn: int = 0
    pages: int = 0
    error: str | None = None
    #: Another fetch of this exchange was running: this one did nothing.
    busy: bool = False

    @property
    def line(self) -> str:
        if self.busy:
            return f"{self.exchange}: skipped, another fetch of it is running"
        done = (
            f"added {self.added}, updated {self.updated}, withdrawn {self.withdrawn}, "
            f"pages {self.pages}"
        )
        return f"{self.exchange}: {done}" + (f"; stopped: {self.error}" if self.error else "")


@dataclass(frozen=True, slots=True)
class ExchangeSummary:
    """One exchange as ``accord exchange list`` shows it."""

    name: str
    api_root: str
    collection_id: str
    collection_title: str
    bank: str
    report_sightings: bool
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    last_error: str
    objects_fetched: int
    #: Opinions and sightings waiting to be sent, and those the publisher refused.
    pending: int
    dead: int


@dataclass(frozen=True, slots=True)
class Posted:
    """Where an opinion or sighting stands after an attempt to send it right away."""

    message_id: int
    status: ExchangeMessageStatus
    reason: str

    @property
    def line(self) -> str:
        if self.status == ExchangeMessageStatus.SENT:
            return "sent"
        if self.status == ExchangeMessageStatus.DEAD:
            return f"refused: {self.reason}"
        return f"queued: {self.reason}; it will be sent again" if self.reason else "queued"
