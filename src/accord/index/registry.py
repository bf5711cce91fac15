"""Which index class stores each signal type, and which index answers each query type."""

from __future__ import annotations

from accord.index.base import SignalIndex

#: Query signal types answered by another type's index: a dihedral PDQ value holds the
#: eight orientations of a picture and is looked up among stored PDQ hashes.
QUERY_ROUTES = {"pdq_dihedral": "pdq"}
#: The keypoint signal searched when PDQ finds nothing (crops, screenshots, overlays).
SECOND_STAGE = "orb"


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
    return QUERY_ROUTES.get(query_type, query_type)


def second_stage_type() -> str:
    """The signal type searched when PDQ finds nothing: keypoints, for crops and screenshots."""
    return SECOND_STAGE
