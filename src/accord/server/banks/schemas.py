"""Request and response bodies of the bank API, and the vocabulary other domains and the
CLI use to describe banks and entries (``BankKind``, ``Marking``, ``EntryFields``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from accord.server.banks.models import OPEN_MARKINGS, Bank, BankEntry, BankKind, Marking

if TYPE_CHECKING:
    from accord.server.banks.opinions import EntryOpinions

#: The enums live beside the tables that store their values; they are named from here.
__all__ = [
    "OPEN_MARKINGS",
    "BankCreate",
    "BankKind",
    "BankRead",
    "BankUpdate",
    "EntryCreate",
    "EntryFields",
    "EntryFieldsIn",
    "EntryRead",
    "EntryUpdate",
    "ImportReport",
    "Marking",
    "OpinionRead",
    "TransferFormat",
    "to_bank_read",
    "to_entry_read",
]


class TransferFormat(StrEnum):
    """The files entries are imported from and exported to (``banks.transfer``)."""

    JSONL = "jsonl"
    CSV = "csv"
    HMA = "hma"


@dataclass(frozen=True, slots=True)
class EntryFields:
    """What a caller may say about one entry besides its signals."""

    source: str = ""
    url: str | None = None
    platform_content_id: str | None = None
    case_reference: str | None = None
    labels: Sequence[str] = ()
    note: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    asset_sha256: str | None = None
    added_by: str = ""
    enabled: bool = True
    disabled_until: datetime | None = None


class BankCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=100, description="UPPER_SNAKE_CASE, as in HMA")
    kind: BankKind = BankKind.DECEPTIVE
    owner: str = Field(default="", max_length=200, description="The owning organization")
    description: str = Field(default="", max_length=10_000)
    marking: Marking = Marking.AMBER
    enabled: bool = True
    enabled_ratio: float = Field(
        default=1.0, ge=0.0, le=1.0, description="Share of requests the bank takes part in"
    )
    thresholds: dict[str, float] = Field(
        default_factory=dict,
        description="Distance threshold per signal type, overriding its default",
    )
    shared: bool = Field(
        default=False,
        description="Serve the bank to partners as a TAXII 2.1 collection (never TLP:RED)",
    )
    false_positive_limit: int | None = Field(
        default=None,
        ge=1,
        description="Disable an entry once this many distinct partners call it a false "
        "positive; null: never",
    )


class BankUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    kind: BankKind | None = None
    owner: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    marking: Marking | None = None
    enabled: bool | None = None
    enabled_ratio: float | None = Field(default=None, ge=0.0, le=1.0)
    thresholds: dict[str, float] | None = None
    shared: bool | None = Field(default=None, description="Share the bank, or stop sharing it")
    false_positive_limit: int | None = Field(
        default=None, ge=1, description="null removes the limit"
    )


class BankRead(BaseModel):
    name: str
    kind: BankKind
    owner: str
    description: str
    marking: Marking
    enabled: bool
    enabled_ratio: float
    thresholds: dict[str, float]
    entries: int
    #: Served as a TAXII collection; ``collection_id`` is its id (kept once given).
    shared: bool
    collection_id: str | None
    false_positive_limit: int | None
    created_at: datetime
    updated_at: datetime


class EntryFieldsIn(BaseModel):
    """What a client may say about an entry besides its signals."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(default="", max_length=200)
    url: str | None = Field(default=None, max_length=4096)
    platform_content_id: str | None = Field(default=None, max_length=256)
    case_reference: str | None = Field(default=None, max_length=128)
    labels: list[str] = Field(default_factory=list, max_length=100)
    note: str = Field(default="", max_length=10_000)
    metadata: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True
    disabled_until: AwareDatetime | None = None


class EntryCreate(EntryFieldsIn):
    signals: dict[str, str] = Field(
        description='Signal type to serialized value, e.g. {"pdq": "<64 hex>"}',
        min_length=1,
        max_length=16,
    )


class EntryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=4096)
    platform_content_id: str | None = Field(default=None, max_length=256)
    case_reference: str | None = Field(default=None, max_length=128)
    labels: list[str] | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=10_000)
    metadata: dict[str, Any] | None = None
    enabled: bool | None = None
    disabled_until: AwareDatetime | None = None


class OpinionRead(BaseModel):
    """A partner's opinion on a shared entry."""

    partner: str
    verdict: str = Field(description="true_positive or false_positive")
    note: str
    created_at: datetime
    stix_id: str


class EntryRead(BaseModel):
    id: int
    bank: str
    signals: dict[str, str]
    source: str
    url: str | None
    platform_content_id: str | None
    case_reference: str | None
    labels: list[str]
    note: str
    metadata: dict[str, Any]
    added_by: str
    added_at: datetime
    enabled: bool
    disabled_until: datetime | None
    opinions: list[OpinionRead] = Field(
        default_factory=list, description="Partners' opinions, oldest first"
    )
    disputed: bool = Field(default=False, description="Partners' latest opinions disagree")
    sightings: int = Field(default=0, description="Matches partners reported seeing")


class ImportReport(BaseModel):
    added: int
    rejected: int
    #: The first rejected lines with the reason, to fix the file.
    errors: list[dict[str, Any]]


def to_bank_read(bank: Bank, entries: int) -> BankRead:
    return BankRead(
        name=bank.name,
        kind=BankKind(bank.kind),
        owner=bank.owner,
        description=bank.description,
        marking=Marking(bank.marking),
        enabled=bank.enabled,
        enabled_ratio=bank.enabled_ratio,
        thresholds=dict(bank.thresholds),
        entries=entries,
        shared=bank.shared,
        collection_id=bank.collection_id,
        false_positive_limit=bank.false_positive_limit,
        created_at=bank.created_at,
        updated_at=bank.updated_at,
    )


def to_entry_read(
    bank: Bank,
    entry: BankEntry,
    signals: dict[str, str],
    opinions: EntryOpinions | None = None,
    sightings: int = 0,
) -> EntryRead:
    """An entry as the API shows it; ``opinions`` (``banks.service.entry_opinions``)
    and ``sightings`` where the caller read them."""
    return EntryRead(
        id=entry.id,
        bank=bank.name,
        signals=signals,
        source=entry.source,
        url=entry.url,
        platform_content_id=entry.platform_content_id,
        case_reference=entry.case_reference,
        labels=list(entry.labels),
        note=entry.note,
        metadata=dict(entry.extra),
        added_by=entry.added_by,
        added_at=entry.added_at,
        enabled=entry.enabled,
        disabled_until=entry.disabled_until,
        opinions=[OpinionRead(**opinion) for opinion in opinions["opinions"]] if opinions else [],
        disputed=opinions["disputed"] if opinions else False,
        sightings=sightings,
    )
