"""Hash files for the API, within the app's limits and concurrency bound."""

from __future__ import annotations

from pathlib import Path

from accord.errors import BadRequest
from accord.index.registry import second_stage_type
from accord.media.kinds import MediaKind
from accord.server.assets.schemas import HashRead, SignalRead
from accord.server.runtime import Runtime
from accord.signals.hashing import HashResult, OpenedFile
from accord.signals.registry import parse_signal_names, signal_type_classes, to_hma_name

#: HMA's content types and the media kind each names.
HMA_CONTENT_TYPES = {"photo": MediaKind.IMAGE, "video": MediaKind.VIDEO}
#: The signals HMA computes for each media kind, by accord's names (HMA calls md5
#: ``video_md5``): ``/h/hash``'s default and what HMA's bank endpoints show.
HMA_SIGNALS = {MediaKind.IMAGE: ("pdq",), MediaKind.VIDEO: ("md5", "vpdq")}


def hash_path(
    runtime: Runtime, path: Path, *, signal_names: str | None = None, exact: bool = False
) -> HashResult:
    opened = OpenedFile(path, limits=runtime.settings.media_limits, exact=exact)
    return hash_opened(runtime, opened, signal_names)


def hash_opened(runtime: Runtime, opened: OpenedFile, signal_names: str | None) -> HashResult:
    """Signals of a file already opened, within the app's concurrency bound."""
    signal_types = parse_signal_names(signal_names.split(",")) if signal_names else None
    with runtime.hashing_slot():
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
    names = types or ",".join(HMA_SIGNALS[kind])
    result = hash_path(runtime, path, signal_names=names)
    if result.format.kind is not kind:
        msg = f"the file is {result.format.kind} media, not {content_type}"
        raise BadRequest(msg)
    return {
        to_hma_name(signal.type): signal.value if signal.reliable else ""
        for signal in result.signals
    }


#: What a bank stores of a file: plain PDQ (queries bring the eight orientations).
_BANK_SIGNALS = ("sha256", "md5", "pdq", "vpdq", "audio")
#: What a lookup computes: every orientation, so a flipped or rotated copy is found.
_MATCH_SIGNALS = ("sha256", "md5", "pdq_dihedral", "vpdq", "audio")


def bank_signal_names() -> str:
    """The signals a bank entry keeps of a file, keypoints included for pictures."""
    return _installed([*_BANK_SIGNALS, second_stage_type()])


def match_signal_names(*, keypoints: bool) -> str:
    """The signals a lookup needs; keypoints only when a bank holds some to compare with."""
    return _installed([*_MATCH_SIGNALS, second_stage_type()] if keypoints else _MATCH_SIGNALS)


def _installed(names: list[str] | tuple[str, ...]) -> str:
    known = signal_type_classes()
    return ",".join(name for name in names if name in known)


def hash_for_bank(runtime: Runtime, path: Path) -> HashResult:
    return hash_path(runtime, path, signal_names=bank_signal_names())


def reliable_signals(result: HashResult) -> dict[str, str]:
    """``{type: value}`` of the signals strong enough to match on (HMA drops weak PDQ)."""
    return {signal.type: signal.value for signal in result.signals if signal.reliable}
