"""Which index class stores each banked signal type, and which index answers each query.

An index class says which signal type it stores (``SignalIndex.signal_type``); which
index answers a query, and which type is the second stage, the signal types say
themselves (``index_type`` and ``backs_up`` on the plugins).
"""

from __future__ import annotations

from accord.index.base import SignalIndex
from accord.signals.registry import second_stage_signal_type, stored_type_for


def index_classes() -> dict[str, type[SignalIndex]]:
    """Index classes keyed by the signal type they store, in a fixed order."""
    # Imported here so that importing the registry stays cheap.
    from accord.index.audio import AudioIndex  # noqa: PLC0415
    from accord.index.exact import Md5Index, Sha256Index  # noqa: PLC0415
    from accord.index.keypoints import KeypointIndex  # noqa: PLC0415
    from accord.index.pdq import PdqIndex  # noqa: PLC0415
    from accord.index.vpdq import VideoPdqIndex  # noqa: PLC0415

    classes: list[type[SignalIndex]] = [
        Sha256Index,
        Md5Index,
        PdqIndex,
        VideoPdqIndex,
        AudioIndex,
        KeypointIndex,
    ]
    return {cls.signal_type: cls for cls in classes}


def index_type_for(query_type: str) -> str:
    """The stored signal type whose index answers a query of ``query_type``."""
    return stored_type_for(query_type)


def second_stage_type() -> str:
    """The signal type searched when PDQ finds nothing: keypoints, for crops and screenshots."""
    return second_stage_signal_type().name
