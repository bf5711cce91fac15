"""The signal types accord knows, by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from types import MappingProxyType

from accord.errors import UnknownSignalType
from accord.media.kinds import MediaKind
from accord.signals.base import SignalType


def signal_type_classes() -> dict[str, type[SignalType]]:
    """Every signal type, keyed by its stable name, in a fixed order."""
    # Imported here so ``import accord.signals`` stays light until hashing starts.
    from accord.signals.audio import AudioFingerprint  # noqa: PLC0415
    from accord.signals.cryptographic import Md5, Sha256  # noqa: PLC0415
    from accord.signals.keypoints import OrbKeypoints  # noqa: PLC0415
    from accord.signals.pdq import Pdq, PdqDihedral, PdqUpscaled  # noqa: PLC0415
    from accord.signals.vpdq import VideoPdq, VideoPdqMirrored  # noqa: PLC0415

    classes: list[type[SignalType]] = [Sha256, Md5, Pdq, PdqDihedral, PdqUpscaled]
    classes += [VideoPdq, VideoPdqMirrored]
    classes.append(AudioFingerprint)
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


def hma_signal_names(kind: MediaKind) -> tuple[str, ...]:
    """The types HMA computes for ``kind`` by default, by accord's names."""
    return tuple(name for name, cls in signal_type_classes().items() if kind in cls.hma_kinds)


def banked_signal_names() -> tuple[str, ...]:
    """The types a bank keeps of an entry's file (each has an index of its own)."""
    return tuple(name for name, cls in signal_type_classes().items() if cls.banked)


def looked_up_signal_names() -> tuple[str, ...]:
    """The types a lookup's first stage computes (some only when a bank holds any)."""
    return tuple(name for name, cls in signal_type_classes().items() if cls.looked_up)


def second_stage_signal_type() -> type[SignalType]:
    """The type a lookup computes when the first stage's picture signal found nothing."""
    return next(cls for cls in signal_type_classes().values() if cls.backs_up)


def stored_type_for(name: str) -> str:
    """The banked type whose index answers a lookup by ``name``; an unknown name is
    unchanged (the caller refuses it, or finds no index for it)."""
    cls = signal_type_classes().get(name)
    return name if cls is None else cls.stored_as()


def describe_match(name: str) -> str:
    """How a reader is told a copy matched by the signal type ``name``; an unknown name
    is shown as it is."""
    cls = signal_type_classes().get(name)
    return name if cls is None else cls.matched_by


@cache  # the plugin classes are fixed at import, so the map is built once
def soft_binding_algorithms() -> Mapping[str, str]:
    """Signal type name -> the C2PA soft-binding algorithm signed files carry it under."""
    return MappingProxyType(
        {
            name: cls.soft_binding
            for name, cls in signal_type_classes().items()
            if cls.soft_binding is not None
        }
    )


def parse_signal_names(names: Iterable[str]) -> list[type[SignalType]]:
    """Signal types for user-given names (``"pdq, vpdq"`` split by the caller), deduplicated."""
    chosen: dict[str, type[SignalType]] = {}
    for raw in names:
        name = raw.strip().lower()
        if name:
            chosen[name] = get_signal_type(name)
    return list(chosen.values())


@cache  # the plugin classes are fixed at import, so the map is built once
def stix_hash_names() -> Mapping[str, str]:
    """Banked signal type name -> its key in a STIX ``file:hashes`` pattern: the STIX
    vocabulary's name where it has one, else ``x_accord_<name>`` (a custom hash key)."""
    return MappingProxyType(
        {
            name: cls.stix_hash or f"x_accord_{name}"
            for name, cls in signal_type_classes().items()
            if cls.banked
        }
    )
