"""The signal types accord knows, by name."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from accord.errors import UnknownSignalType
from accord.media.kinds import MediaKind
from accord.signals.base import SignalType


def signal_type_classes() -> dict[str, type[SignalType]]:
    """Every signal type, keyed by its stable name, in a fixed order."""
    # Imported here so ``import accord.signals`` stays light until hashing starts.
    from accord.signals.audio import AudioFingerprint  # noqa: PLC0415
    from accord.signals.cryptographic import Md5, Sha256  # noqa: PLC0415
    from accord.signals.keypoints import OrbKeypoints  # noqa: PLC0415
    from accord.signals.pdq import Pdq, PdqDihedral  # noqa: PLC0415
    from accord.signals.vpdq import VideoPdq  # noqa: PLC0415

    classes: list[type[SignalType]] = [Sha256, Md5, Pdq, PdqDihedral, VideoPdq, AudioFingerprint]
    classes.append(OrbKeypoints)  # second stage: last, and computed only when named
    return {cls.name: cls for cls in classes}


def get_signal_type(name: str) -> type[SignalType]:
    classes = signal_type_classes()
    try:
        return classes[name]
    except KeyError:
        known = ", ".join(classes)
        raise UnknownSignalType(f"no signal type named {name!r}; known: {known}") from None


def to_hma_name(name: str) -> str:
    """HMA's name for accord's signal type ``name``; a name HMA shares or lacks is unchanged."""
    return _hma_names()[0].get(name, name)


def from_hma_name(name: str) -> str:
    """accord's name for HMA's signal type ``name`` (``video_md5`` is ``md5``); others unchanged."""
    return _hma_names()[1].get(name, name)


@cache  # the plugin classes are fixed at import, so the two maps are built once
def _hma_names() -> tuple[dict[str, str], dict[str, str]]:
    """accord → HMA and HMA → accord names, from each plugin's ``hma_name``."""
    to_hma = {name: cls.hma_name for name, cls in signal_type_classes().items() if cls.hma_name}
    return to_hma, {hma: name for name, hma in to_hma.items()}


def signal_types_for(kind: MediaKind) -> list[type[SignalType]]:
    return [cls for cls in signal_type_classes().values() if kind in cls.media_kinds]


def parse_signal_names(names: Iterable[str]) -> list[type[SignalType]]:
    """Signal types for user-given names (``"pdq, vpdq"`` split by the caller), deduplicated."""
    chosen: dict[str, type[SignalType]] = {}
    for raw in names:
        name = raw.strip().lower()
        if name:
            chosen[name] = get_signal_type(name)
    return list(chosen.values())
