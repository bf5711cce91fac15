"""TAXII's query parameters, read and checked: ``added_after``, ``limit``, ``next`` and
the ``match[...]`` filters, each refused with a sentence that says what is wrong.

``next`` is an opaque token for a position in the collection (a row id): it is checked
before use, and any position is harmless (a collection is read in row order).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from accord.errors import BadRequest, StixError
from accord.server.taxii.schemas import DEFAULT_PAGE, MAX_PAGE
from accord.sharing.stix import SPEC_VERSION, parse_time

#: The parameters each kind of request reads; any other is refused as a likely typo.
OBJECTS = frozenset(
    {"added_after", "limit", "next", "match[id]", "match[type]", "match[version]"}
    | {"match[spec_version]"}
)
ONE_OBJECT = frozenset({"added_after", "limit", "next", "match[version]", "match[spec_version]"})
VERSIONS = frozenset({"added_after", "limit", "next", "match[spec_version]"})

#: Values one ``match[...]`` filter may list.
MAX_MATCH_VALUES = 1_000
#: Digits past which a limit is simply huge (and served as ``MAX_PAGE``).
_LIMIT_DIGITS = 18
_TOKEN = re.compile(r"[A-Za-z0-9_-]{11}")
_MAX_ROW_ID = 2**63 - 1
_TYPE = re.compile(r"[a-z0-9][a-z0-9-]{0,249}")
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,249}--[0-9a-fA-F-]{36}")
_SPEC = re.compile(r"\d\.\d")
_VERSION_WORDS = frozenset({"first", "last", "all"})


@dataclass(frozen=True, slots=True)
class ObjectQuery:
    limit: int = DEFAULT_PAGE
    #: The position ``next`` names: rows after it are served.
    after_id: int = 0
    added_after: datetime | None = None
    types: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    #: The versions asked for; None serves every object's (only) version.
    versions: frozenset[datetime] | None = None
    #: False when ``match[spec_version]`` names no version accord serves (only 2.1).
    spec_version_matches: bool = True


def read_query(items: Iterable[tuple[str, str]], allowed: frozenset[str]) -> ObjectQuery:
    """The query of a request's ``(name, value)`` parameters; ``BadRequest`` says what
    is wrong."""
    given: dict[str, list[str]] = {}
    for name, value in items:
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise BadRequest(f"unknown parameter {name!r}; this request reads {known}")
        given.setdefault(name, []).append(value)
    return ObjectQuery(
        limit=_limit(_single(given, "limit")),
        after_id=_next(_single(given, "next")),
        added_after=_added_after(_single(given, "added_after")),
        types=_values(given, "match[type]", _TYPE, "a STIX type such as indicator"),
        ids=_values(given, "match[id]", _ID, "a STIX id such as indicator--<UUID>"),
        versions=_versions(given.get("match[version]", [])),
        spec_version_matches=_spec_versions(given.get("match[spec_version]", [])),
    )


def next_token(row_id: int) -> str:
    return base64.urlsafe_b64encode(row_id.to_bytes(8, "big")).decode().rstrip("=")


def _next(token: str | None) -> int:
    if token is None:
        return 0
    refused = BadRequest(f"next {token!r} is not a token this server gave; start again without it")
    if not _TOKEN.fullmatch(token):
        raise refused
    try:
        row_id = int.from_bytes(base64.urlsafe_b64decode(token + "="), "big")
    except (binascii.Error, ValueError):
        raise refused from None
    if not 0 < row_id <= _MAX_ROW_ID or next_token(row_id) != token:
        raise refused
    return row_id


def _single(given: dict[str, list[str]], name: str) -> str | None:
    values = given.get(name)
    if values is None:
        return None
    if len(values) > 1:
        raise BadRequest(f"give {name} once, not {len(values)} times")
    return values[0]


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_PAGE
    if not text.isascii() or not text.isdigit():
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_PAGE}, not {text!r}")
    if len(text) > _LIMIT_DIGITS:
        return MAX_PAGE
    limit = int(text)
    if limit < 1:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_PAGE}, not {text!r}")
    return min(limit, MAX_PAGE)


def _added_after(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_time(text, "added_after")
    except StixError as error:
        raise BadRequest(error.detail) from None


def _split(given: dict[str, list[str]], name: str) -> list[str]:
    """A filter's values: comma-separated, and the parameter may also be repeated."""
    values = [value.strip() for joined in given.get(name, []) for value in joined.split(",")]
    if any(not value for value in values):
        raise BadRequest(f"{name} lists an empty value; separate values by single commas")
    if len(values) > MAX_MATCH_VALUES:
        raise BadRequest(f"{name} lists {len(values)} values; at most {MAX_MATCH_VALUES}")
    return values


def _values(
    given: dict[str, list[str]], name: str, shape: re.Pattern[str], what: str
) -> frozenset[str]:
    values = _split(given, name)
    for value in values:
        if not shape.fullmatch(value):
            raise BadRequest(f"{name} value {value[:100]!r} is not {what}")
    return frozenset(values)


def _versions(joined: list[str]) -> frozenset[datetime] | None:
    values = _split({"match[version]": joined}, "match[version]")
    # Only the latest version of an object is kept: first, last and all are that one.
    if not values or any(value in _VERSION_WORDS for value in values):
        return None
    found = set()
    for value in values:
        try:
            found.add(parse_time(value, "match[version]"))
        except StixError:
            raise BadRequest(
                f"match[version] value {value[:100]!r} is not first, last, all or a "
                "timestamp like 2026-01-31T12:00:00.000Z"
            ) from None
    return frozenset(found)


def _spec_versions(joined: list[str]) -> bool:
    values = _split({"match[spec_version]": joined}, "match[spec_version]")
    for value in values:
        if not _SPEC.fullmatch(value):
            raise BadRequest(f"match[spec_version] value {value[:100]!r} is not like 2.1")
    return not values or SPEC_VERSION in values
