"""The harmonised transparency report's sheets (Implementing Regulation (EU) 2024/2835, Annex I):
each sheet's name and its header row, exactly as the Commission's XLSX template spells them.

The headers ship beside this module (``annex_i.json``), as public parsers of published reports
(Spotify's 2025-H2 workbook) observed them, odd spacing included: ``"Number of notices received "``
ends in a space, and a regulator's tooling matches headers character for character. They are
read on first use, not at import.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Final

_DATA: Final = "annex_i.json"

IDENTIFICATION: Final = "1_report_identification"
CATEGORIES: Final = "2_categories_names"
MEMBER_STATE_ORDERS: Final = "3_member_states_orders"
NOTICES: Final = "4_notices"
OWN_INITIATIVE_ILLEGAL: Final = "5_own_initiative_illegal"
OWN_INITIATIVE_TERMS: Final = "6_own_initiative_TC"
APPEALS: Final = "7_appeals_and_recidivism"
AUTOMATED_MEANS: Final = "8_automated_means"
QUALITATIVE: Final = "09_qualitative"

#: The sheets in the template's order.
SHEET_NAMES: Final = (
    IDENTIFICATION,
    CATEGORIES,
    MEMBER_STATE_ORDERS,
    NOTICES,
    OWN_INITIATIVE_ILLEGAL,
    OWN_INITIATIVE_TERMS,
    APPEALS,
    AUTOMATED_MEANS,
    QUALITATIVE,
)


@functools.cache
def annex_i_headers() -> Mapping[str, tuple[str, ...]]:
    """Sheet name to its header row, in the template's order."""
    text = resources.files(__package__).joinpath(_DATA).read_text(encoding="utf-8")
    raw: dict[str, list[str]] = json.loads(text)
    return MappingProxyType({name: tuple(headers) for name, headers in raw.items()})


def headers(sheet: str) -> tuple[str, ...]:
    """The header row of ``sheet`` (one of ``SHEET_NAMES``)."""
    return annex_i_headers()[sheet]
