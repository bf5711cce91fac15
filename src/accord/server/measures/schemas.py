"""The vocabulary other domains name strikes and measures by."""

from __future__ import annotations

from accord.server.measures.models import MeasureKind, SubjectKind

#: The enums live beside the tables that store their values; they are named from here.
__all__ = ["MeasureKind", "SubjectKind"]
