"""What one method says about one picture, ready to become a finding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class MethodReading:
    #: The method's short name: the finding's code is ``forensics.<method>``.
    method: str
    #: Whether it found a localized anomaly that clears its threshold.
    anomaly: bool
    explanation: str
    limits: str
    #: The heatmap (PNG) and how to read it.
    heatmap: bytes
    guide: str
    details: Mapping[str, Any] = field(default_factory=dict)
    #: Enough independent, geometrically consistent evidence to weigh a little more.
    corroborated: bool = False
