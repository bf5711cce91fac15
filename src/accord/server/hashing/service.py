"""Hash files for the API, within the app's limits, decoding lanes and memory budget."""

from __future__ import annotations

from pathlib import Path

from accord.errors import BadRequest
from accord.media.kinds import MediaKind
from accord.server.assets.schemas import HashRead, SignalRead
from accord.server.hashing import fetch
from accord.server.metrics.instruments import timed_hashing
from accord.server.runtime import Runtime
from accord.signals.hashing import HashResult, OpenedFile
from accord.signals.registry import (
    banked_signal_names,
    hma_signal_names,
    looked_up_signal_names,
    parse_signal_names,
    second_stage_signal_type,
    to_hma_name,
)

#: HMA's content types and the media kind each names.
HMA_CONTENT_TYPES = {"photo": MediaKind.IMAGE, "video": MediaKind.VIDEO}
#: Every endpoint that hashes a URL (``/h/hash``, HMA's bank content and lookups) fetches
#: it under the same limits; other domains reach it from here.
fetched_for_hashing = fetch.fetched_for_hashing


def open_file(runtime: Runtime, path: Path, *, exact: bool = False) -> OpenedFile:
    """A file opened within the app's limits, to hash (or assess, then hash) several times
    with one decode."""
    return OpenedFile(
        path, limits=runtime.settings.media_limits, exact=exact, decoder=runtime.decoder
    )


def hash_path(
    runtime: Runtime, path: Path, *, signal_names: str | None = None, exact: bool = False
) -> HashResult:
    return hash_opened(runtime, open_file(runtime, path, exact=exact), signal_names)


def hash_opened(runtime: Runtime, opened: OpenedFile, signal_names: str | None) -> HashResult:
    """Signals of a file already opened, once its decoding is admitted (its lane and
    memory, ``Runtime.decoding``)."""
    signal_types = parse_signal_names(signal_names.split(",")) if signal_names else None
    with runtime.decoding(opened.media), timed_hashing(str(opened.media.kind)):
        return opened.hash(signal_types)


def to_hash_read(result: HashResult) -> HashRead:
    return HashRead(
        kind=str(result.format.kind),
        format=result.format.name,
        mime=result.format.mime,
        size=result.size,
        signals={
            signal.type: SignalRead(
                value=signal.value, quality=signal.quality, reliable=signal.reliable
            )
            for signal in result.signals
        },
    )


def hash_for_hma(
    runtime: Runtime, path: Path, *, content_type: str, types: str | None
) -> dict[str, str]:
    """HMA's ``{signal_type: hash}`` answer for one file of an HMA content type.

    Like HMA, a PDQ hash too weak to match on (quality < 50) is answered as ``""``.
    """
    kind = HMA_CONTENT_TYPES.get(content_type)
    if kind is None:
        msg = f"content type must be one of {', '.join(HMA_CONTENT_TYPES)}, not {content_type!r}"
        raise BadRequest(msg)
    names = types or ",".join(hma_signal_names(kind))
    result = hash_path(runtime, path, signal_names=names)
    if result.format.kind is not kind:
        msg = f"the file is {result.format.kind} media, not {content_type}"
        raise BadRequest(msg)
    return {
        to_hma_name(signal.type): signal.value if signal.reliable else ""
        for signal in result.signals
    }


def bank_signal_names() -> str:
    """The signals a bank entry keeps of a file (plain PDQ: lookups bring the eight
    orientations), keypoints included for pictures."""
    return ",".join(banked_signal_names())


def match_signal_names(*, keypoints: bool) -> str:
    """The signals a lookup needs (every orientation, so a turned copy is found);
    keypoints only when a bank holds some to compare with."""
    names = looked_up_signal_names()
    return ",".join([*names, second_stage_signal_type().name] if keypoints else names)


def hash_for_bank(runtime: Runtime, file: Path | OpenedFile) -> HashResult:
    """What a bank keeps of a file, or of a file already opened (and assessed)."""
    opened = file if isinstance(file, OpenedFile) else open_file(runtime, file)
    return hash_opened(runtime, opened, bank_signal_names())


def reliable_signals(result: HashResult) -> dict[str, str]:
    """``{type: value}`` of the signals strong enough to match on (HMA drops weak PDQ)."""
    return {signal.type: signal.value for signal in result.signals if signal.reliable}
