"""Countries: ISO 3166-1 alpha-2 codes and their English names, the one list that
elections (where a vote is held) and issuers (the country in their certificates) check.

The list ships beside this module (``countries.tsv``; ``countries.NOTICE`` says where it
comes from): every officially assigned code, and XK (Kosovo), which the European Commission
uses too. Statements of reasons may name only the EU/EEA ones
(``statements.vocabulary.TERRITORIAL_SCOPE``); that is the elections model's concern.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from types import MappingProxyType

from accord.errors import BadRequest

_LIST = "countries.tsv"
#: Codes people type that ISO 3166-1 gives another country, or none: what they meant.
_MISTAKEN = MappingProxyType({"UK": "GB", "EL": "GR"})


@functools.cache
def country_names() -> Mapping[str, str]:
    """Code to English short name ("GB": "United Kingdom"), read once, on first use."""
    text = resources.files(__package__).joinpath(_LIST).read_text(encoding="utf-8")
    return MappingProxyType(dict(line.split("\t", 1) for line in text.splitlines() if line))


def country_codes(raw: Iterable[str]) -> list[str]:
    """``raw`` as sorted, unique, upper-case ISO 3166-1 alpha-2 codes; blanks are skipped,
    and anything else is refused, naming the code meant where that is plain."""
    codes = sorted({code.strip().upper() for code in raw if code.strip()})
    names = country_names()
    unknown = [code for code in codes if code not in names]
    if unknown:
        hints = [
            f"{code} (for {names[_MISTAKEN[code]]} write {_MISTAKEN[code]})"
            if code in _MISTAKEN
            else code
            for code in unknown
        ]
        raise BadRequest(f"not ISO 3166-1 country codes: {', '.join(hints)}")
    return codes
