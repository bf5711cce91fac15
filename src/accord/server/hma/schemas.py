"""The JSON HMA 2.x answers with, built by hand so that its clients find HMA's keys and
quirks (keys sorted, as Flask's ``jsonify`` sorts them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

from accord.media.kinds import MediaKind
from accord.server.db.base import utc_now
from accord.server.hashing.service import HMA_CONTENT_TYPES
from accord.signals.registry import hma_signal_names, to_hma_name

if TYPE_CHECKING:
    from accord.server.banks.models import Bank, BankEntry
    from accord.server.matching.service import Match


def bank_json(bank: Bank) -> dict[str, Any]:
    """HMA has no separate switch: a disabled bank is one with ratio 0."""
    return {
        "matching_enabled_ratio": bank.enabled_ratio if bank.enabled else 0.0,
        "name": bank.name,
    }


def disable_until_ts(entry: BankEntry) -> int:
    """HMA's encoding: 0 disabled, 1 enabled, otherwise disabled until that Unix time."""
    if not entry.enabled:
        return 0
    if entry.disabled_until is not None and entry.disabled_until > utc_now():
        return int(entry.disabled_until.timestamp())
    return 1


def hma_signals(signals: Mapping[str, str], kind: MediaKind | None = None) -> dict[str, str]:
    """The signals HMA would show: PDQ for photos; MD5 (as ``video_md5``) and vPDQ for video.

    accord stores more, which HMA clients ignore.
    """
    if kind is not None and kind in HMA_CONTENT_TYPES.values():
        shown = hma_signal_names(kind)
    else:  # an entry of unknown kind shows whatever HMA shows for some content type
        shown = _content_signals()
    return {to_hma_name(name): value for name, value in signals.items() if name in shown}


def _content_signals() -> tuple[str, ...]:
    """Every signal HMA shows for some content type."""
    return tuple(chain.from_iterable(map(hma_signal_names, HMA_CONTENT_TYPES.values())))


def kind_of(signals: Mapping[str, str]) -> MediaKind | None:
    """An entry's media kind, told by its signals (PDQ only comes from pictures)."""
    if "pdq" in signals:
        return MediaKind.IMAGE
    return MediaKind.VIDEO if "vpdq" in signals else None


def content_json(
    bank: Bank,
    entry: BankEntry,
    signals: Mapping[str, str] | None,
    *,
    include_metadata: bool,
) -> dict[str, Any]:
    """``GET /c/bank/{name}/content/{id}``: ``signals`` only when asked for (and any)."""
    body: dict[str, Any] = {
        "bank": bank_json(bank),
        "disable_until_ts": disable_until_ts(entry),
        "id": entry.id,
        "original_media_uri": entry.url,
    }
    if entry.note:
        body["note"] = entry.note
    if include_metadata and (entry.platform_content_id or entry.url or entry.extra):
        body["metadata"] = {
            "collab": None,
            "content_id": entry.platform_content_id,
            "content_uri": entry.url,
            "json": entry.extra or None,
        }
    if signals:
        body["signals"] = hma_signals(signals, kind_of(signals))
    return body


def updated_content_json(bank: Bank, entry: BankEntry) -> dict[str, Any]:
    """``PUT /c/bank/{name}/content/{id}``'s answer, which HMA shapes unlike the read's."""
    return {
        "bank": bank_json(bank),
        "collab_metadata": {},
        "disable_until_ts": disable_until_ts(entry),
        "id": entry.id,
        "note": entry.note or None,
        "original_media_uri": entry.url,
        "user_metadata": (
            {"content_id": entry.platform_content_id, "content_uri": entry.url, "json": entry.extra}
            if entry.platform_content_id or entry.url or entry.extra
            else None
        ),
    }


def distance_text(value: float) -> str:
    """HMA sends distances as strings of the number (``"0"``, ``"9"``)."""
    return str(int(value)) if float(value).is_integer() else str(value)


def by_bank(matches: Sequence[Match]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for match in matches:
        found.setdefault(match.bank.name, []).append(
            {"bank_content_id": match.entry.id, "distance": distance_text(match.distance)}
        )
    return found


def by_type_and_bank(matches: Sequence[Match]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    grouped: dict[str, list[Match]] = {}
    for match in matches:
        grouped.setdefault(to_hma_name(match.signal_type), []).append(match)
    return {name: by_bank(group) for name, group in grouped.items()}


def raw_matches_json(matches: Sequence[Match], *, include_distance: bool) -> dict[str, list[Any]]:
    """``/m/raw_lookup``: content ids, or ids with their distances."""
    if include_distance:
        return {
            "matches": [
                {"bank_content_id": m.entry.id, "distance": distance_text(m.distance)}
                for m in matches
            ]
        }
    return {"matches": [match.entry.id for match in matches]}
