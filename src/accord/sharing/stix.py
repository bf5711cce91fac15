"""Bank entries as STIX 2.1 objects, and back: the one place that knows the mapping.

An entry is an ``indicator`` whose pattern ORs its signals as file hashes::

    [file:hashes.'SHA-256' = '9f86…' OR file:hashes.x_accord_pdq = 'f8f8…']

Exact hashes use STIX's own names (``SHA-256``, ``MD5``); accord's perceptual signals use
custom hash keys ``x_accord_<signal type>`` (``signals.registry.stix_hash_names``), which
STIX allows in ``hashes`` and OASIS's validator accepts. The bank's TLP 2.0 marking is an
``object_marking_refs`` entry, the bank's owner an ``identity`` (``created_by_ref``), labels
are ``labels``, the case reference an ``external_references`` entry and the bank's kind
the ``indicator_types`` (``INDICATOR_TYPES``). The note is the ``description``; without
one, the description says which bank the entry is in, and reading drops that default (accord
publishes no notes: reviewers' notes stay home). A
withdrawn or disabled entry is a new version with ``revoked: true``.

Opinions on an entry are ``opinion`` objects (``strongly-agree``: a true positive,
``strongly-disagree``: a false positive) and a match seen elsewhere is a ``sighting``.

Reading is strict: ``read_indicator``, ``read_opinion``, ``read_sighting`` and
``read_identity`` accept only the forms written here, and no text a database would choke
on (``check_text``), and raise ``StixError`` naming the property at fault.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from accord.errors import StixError
from accord.signals.registry import stix_hash_names

SPEC_VERSION = "2.1"
#: TAXII 2.1's media type, and STIX 2.1's (an envelope's objects).
TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"

#: Names accord derives its STIX ids from (identities by owner name).
ACCORD_NAMESPACE = uuid.UUID("6b3f2c7e-9a1d-5e4f-8c2b-0d7a1e9f3c55")

#: The TLP 2.0 marking definitions FIRST and OASIS publish (fixed ids, one extension).
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_MARKING_IDS: Mapping[str, str] = {
    "TLP:CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "TLP:GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "TLP:AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "TLP:AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "TLP:RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
_MARKING_OF_ID = {marking_id: name for name, marking_id in TLP_MARKING_IDS.items()}
_TLP_CREATED = "2022-10-01T00:00:00.000Z"

#: What an entry's bank kind says of the content, in STIX's indicator-type-ov.
INDICATOR_TYPES: Mapping[str, tuple[str, ...]] = {
    "deceptive": ("malicious-activity",),
    "watch": ("anomalous-activity",),
    "allow": ("benign",),
    "authentic": ("benign", "attribution"),
    # STIX has no type for "made by AI": attributed, and worth a look, never benign. A
    # partner that does not know the pair reads it as watch, not as authentic.
    "generated": ("anomalous-activity", "attribution"),
}
#: The kind an indicator's ``indicator_types`` read as: the first row whose types it all
#: holds wins (so ``benign`` with ``attribution`` is authentic); none reads ``UNKNOWN_KIND``.
_KIND_OF_TYPE: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"malicious-activity"}), "deceptive"),
    (frozenset({"anomalous-activity", "attribution"}), "generated"),
    (frozenset({"anomalous-activity"}), "watch"),
    (frozenset({"attribution"}), "authentic"),
    (frozenset({"benign"}), "allow"),
)
#: What a kind nobody said reads as: a watch entry's matches are reported, never acted on.
UNKNOWN_KIND = "watch"
#: The external reference that carries an entry's case reference.
CASE_SOURCE = "accord-case"

#: Bounds on what is read from a peer: longer values are refused, not truncated.
MAX_PATTERN_CHARACTERS = 1_000_000
MAX_LABELS = 50
MAX_LABEL_CHARACTERS = 100
MAX_TEXT_CHARACTERS = 10_000
MAX_REFERENCE_CHARACTERS = 128
#: An identity's name becomes a bank's owner: the bound of ``banks.owner``.
MAX_OWNER_CHARACTERS = 200
#: Lists and objects inside lists and objects, deeper than any STIX object goes.
MAX_DEPTH = 32

_ID = re.compile(
    r"(?P<type>[a-z][a-z0-9-]{0,62})--(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z")
#: One comparison of a pattern: ``file:hashes.NAME = 'value'`` (NAME bare or quoted).
_COMPARISON = re.compile(
    r"file:hashes\.(?:'(?P<quoted>[A-Za-z0-9_-]{1,40})'|(?P<bare>[A-Za-z0-9_]{1,40}))"
    r" = '(?P<value>(?:[^'\\]|\\.)*)'"
)


class Verdict(StrEnum):
    """What a partner says of a shared entry after reviewing a match on it."""

    TRUE_POSITIVE = "true_positive"
    FALSE_POSITIVE = "false_positive"


#: A verdict as STIX's opinion-enum, and back (the weaker agree/disagree read the same).
_OPINION_OF: Mapping[Verdict, str] = {
    Verdict.TRUE_POSITIVE: "strongly-agree",
    Verdict.FALSE_POSITIVE: "strongly-disagree",
}
_VERDICT_OF_OPINION: Mapping[str, Verdict] = {
    "strongly-agree": Verdict.TRUE_POSITIVE,
    "agree": Verdict.TRUE_POSITIVE,
    "strongly-disagree": Verdict.FALSE_POSITIVE,
    "disagree": Verdict.FALSE_POSITIVE,
}


def stix_time(moment: datetime) -> str:
    """A STIX timestamp: UTC, microseconds, ``Z`` (versions of one object stay distinct)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: object, what: str = "timestamp") -> datetime:
    """A STIX or TAXII timestamp as an aware datetime; ``StixError`` when it is not one."""
    if not isinstance(text, str) or not _TIMESTAMP.fullmatch(text):
        raise StixError(f"{what} must be an RFC 3339 UTC timestamp like 2026-01-31T12:00:00Z")
    whole, _, fraction = text[:-1].partition(".")
    try:  # fromisoformat, not strptime: a fetch reads three timestamps per object
        return datetime.fromisoformat(f"{whole}.{fraction[:6]:0<6}+00:00")
    except ValueError:
        raise StixError(f"{what} {text!r} is not a real date and time") from None


def new_id(object_type: str) -> str:
    return f"{object_type}--{uuid.uuid4()}"


def identity_id(owner: str) -> str:
    """The identity of an owner's name, the same on every accord instance.

    Derived from the name like a UUIDv5, but with UUIDv4's version bits: STIX asks
    domain objects for UUIDv4 ids, and OASIS's validator refuses others in strict mode.
    """
    digest = hashlib.sha256(ACCORD_NAMESPACE.bytes + owner.encode()).digest()
    return f"identity--{uuid.UUID(bytes=digest[:16], version=4)}"


def identity(owner: str, created: datetime) -> dict[str, Any]:
    stamp = stix_time(created)
    return {
        "type": "identity",
        "spec_version": SPEC_VERSION,
        "id": identity_id(owner),
        "created": stamp,
        "modified": stamp,
        "name": owner,
        "identity_class": "organization",
    }


def marking_definition(marking: str) -> dict[str, Any]:
    """The TLP 2.0 marking definition object of ``marking`` (``TLP:AMBER``)."""
    return {
        "type": "marking-definition",
        "spec_version": SPEC_VERSION,
        "id": TLP_MARKING_IDS[marking],
        "created": _TLP_CREATED,
        "name": marking,
        "extensions": {
            TLP_EXTENSION: {
                "extension_type": "property-extension",
                "tlp_2_0": marking.removeprefix("TLP:").lower(),
            }
        },
    }


#: The description of an indicator without a note, followed by the bank's name.
_DEFAULT_DESCRIPTION = "An entry of the accord bank "


@dataclass(frozen=True, slots=True)
class SharedEntry:
    """What an indicator says of one bank entry."""

    stix_id: str
    created: datetime
    modified: datetime
    bank: str
    entry_id: int
    kind: str
    owner: str
    marking: str
    signals: Mapping[str, str]
    labels: Sequence[str] = ()
    case_reference: str | None = None
    note: str = ""
    revoked: bool = False


def indicator(entry: SharedEntry) -> dict[str, Any]:
    """The STIX indicator of ``entry`` (an ordered dict: the same entry, the same bytes)."""
    created = stix_time(entry.created)
    body: dict[str, Any] = {
        "type": "indicator",
        "spec_version": SPEC_VERSION,
        "id": entry.stix_id,
        "created": created,
        "modified": stix_time(entry.modified),
        "created_by_ref": identity_id(entry.owner),
        "name": f"{entry.bank} entry {entry.entry_id}",
        "description": entry.note or f"{_DEFAULT_DESCRIPTION}{entry.bank}",
        "indicator_types": list(INDICATOR_TYPES.get(entry.kind, ("unknown",))),
        "pattern": pattern_of(entry.signals),
        "pattern_type": "stix",
        "valid_from": created,
        "object_marking_refs": [TLP_MARKING_IDS[entry.marking]],
    }
    if entry.labels:
        body["labels"] = list(entry.labels)
    if entry.case_reference:
        body["external_references"] = [
            {"source_name": CASE_SOURCE, "external_id": entry.case_reference}
        ]
    if entry.revoked:
        body["revoked"] = True
    return body


def pattern_of(signals: Mapping[str, str]) -> str:
    """A STIX pattern matching a file by any of ``signals`` (banked types only)."""
    names = stix_hash_names()
    terms = []
    for signal_type, value in signals.items():
        key = names[signal_type]
        quoted = f"'{key}'" if "-" in key else key
        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
        terms.append(f"file:hashes.{quoted} = '{escaped}'")
    return f"[{' OR '.join(terms)}]"


def signals_of_pattern(pattern: object) -> dict[str, str]:
    """The signals of a pattern ``pattern_of`` wrote; ``StixError`` for any other form."""
    if not isinstance(pattern, str):
        raise StixError("pattern must be a string")
    if len(pattern) > MAX_PATTERN_CHARACTERS:
        raise StixError(f"pattern is longer than {MAX_PATTERN_CHARACTERS} characters")
    if not (pattern.startswith("[") and pattern.endswith("]")):
        raise StixError("pattern must be one observation expression: [ ... ]")
    by_key = {key: name for name, key in stix_hash_names().items()}
    signals: dict[str, str] = {}
    position, inner = 0, pattern[1:-1]
    while True:
        found = _COMPARISON.match(inner, position)
        if found is None:
            raise StixError(
                "pattern must OR comparisons of file hashes: "
                "file:hashes.'SHA-256' = '…' OR file:hashes.x_accord_pdq = '…'"
            )
        key = found["quoted"] or found["bare"]
        name = by_key.get(key)
        if name is None:
            known = ", ".join(by_key)
            raise StixError(f"pattern names the hash {key!r}; accord reads {known}")
        if name in signals:
            raise StixError(f"pattern names the hash {key!r} twice")
        signals[name] = re.sub(r"\\(.)", r"\1", found["value"])
        position = found.end()
        if position == len(inner):
            return signals
        if not inner.startswith(" OR ", position):
            raise StixError("pattern comparisons must be joined by OR")
        position += len(" OR ")


@dataclass(frozen=True, slots=True)
class RemoteIndicator:
    """An indicator read from a peer, checked."""

    stix_id: str
    modified: datetime
    revoked: bool
    signals: dict[str, str]
    owner_ref: str | None
    marking: str | None
    labels: list[str] = field(default_factory=list)
    case_reference: str | None = None
    note: str = ""
    #: The kind of bank it says it comes from (``indicator_types``).
    kind: str = UNKNOWN_KIND


def read_indicator(body: Mapping[str, Any]) -> RemoteIndicator:
    """The indicator ``body`` checked and read; ``StixError`` says what is wrong."""
    stix_id = _common(body, "indicator")
    revoked = body.get("revoked", False)
    if not isinstance(revoked, bool):
        raise StixError(f"{stix_id}: revoked must be true or false")
    if body.get("pattern_type") != "stix":
        raise StixError(f"{stix_id}: pattern_type must be 'stix'")
    try:
        signals = signals_of_pattern(body.get("pattern"))
    except StixError as error:
        raise StixError(f"{stix_id}: {error.detail}") from None
    return RemoteIndicator(
        stix_id=stix_id,
        modified=parse_time(body.get("modified"), f"{stix_id}: modified"),
        revoked=revoked,
        signals=signals,
        owner_ref=_optional_id(body, "created_by_ref", "identity"),
        marking=_marking(body, stix_id),
        labels=_labels(body, stix_id),
        case_reference=_case_reference(body, stix_id),
        note=_note(body, stix_id),
        kind=_kind(body, stix_id),
    )


@dataclass(frozen=True, slots=True)
class RemoteOpinion:
    stix_id: str
    indicator_id: str
    verdict: Verdict
    note: str
    created: datetime


def opinion(
    indicator_id: str, verdict: Verdict, *, author: str, note: str, created: datetime
) -> dict[str, Any]:
    """An opinion on the shared indicator ``indicator_id``."""
    stamp = stix_time(created)
    body: dict[str, Any] = {
        "type": "opinion",
        "spec_version": SPEC_VERSION,
        "id": new_id("opinion"),
        "created": stamp,
        "modified": stamp,
        "created_by_ref": identity_id(author),
        "authors": [author],
        "opinion": _OPINION_OF[verdict],
        "object_refs": [indicator_id],
        "labels": [verdict.value.replace("_", "-")],
    }
    if note:
        body["explanation"] = note
    return body


def read_opinion(body: Mapping[str, Any]) -> RemoteOpinion:
    stix_id = _common(body, "opinion")
    said = body.get("opinion")
    # A list or an object is no verdict (and would not even be looked up: unhashable).
    verdict = _VERDICT_OF_OPINION.get(said) if isinstance(said, str) else None
    if verdict is None:
        known = ", ".join(_VERDICT_OF_OPINION)
        raise StixError(f"{stix_id}: opinion must be one of {known} (neutral says nothing)")
    refs = body.get("object_refs")
    if not isinstance(refs, list) or len(refs) != 1 or not _is_id(refs[0], "indicator"):
        raise StixError(f"{stix_id}: object_refs must name exactly one indicator")
    return RemoteOpinion(
        stix_id=stix_id,
        indicator_id=refs[0],
        verdict=verdict,
        note=_text(body, "explanation", stix_id),
        created=parse_time(body.get("created"), f"{stix_id}: created"),
    )


@dataclass(frozen=True, slots=True)
class RemoteSighting:
    stix_id: str
    indicator_id: str
    count: int
    first_seen: datetime
    last_seen: datetime


def sighting(
    indicator_id: str, *, seen_by: str, count: int, first_seen: datetime, last_seen: datetime
) -> dict[str, Any]:
    """``count`` matches on the shared indicator seen by the organisation ``seen_by``."""
    stamp = stix_time(last_seen)
    return {
        "type": "sighting",
        "spec_version": SPEC_VERSION,
        "id": new_id("sighting"),
        "created": stamp,
        "modified": stamp,
        "created_by_ref": identity_id(seen_by),
        "sighting_of_ref": indicator_id,
        "where_sighted_refs": [identity_id(seen_by)],
        "count": count,
        "first_seen": stix_time(first_seen),
        "last_seen": stamp,
    }


#: The most matches one sighting may report (STIX caps ``count`` at 999,999,999).
_MAX_SIGHTING_COUNT = 999_999_999


def read_sighting(body: Mapping[str, Any]) -> RemoteSighting:
    stix_id = _common(body, "sighting")
    target = body.get("sighting_of_ref")
    if not _is_id(target, "indicator"):
        raise StixError(f"{stix_id}: sighting_of_ref must name an indicator")
    count = body.get("count", 1)
    if (
        isinstance(count, bool)
        or not isinstance(count, int)
        or not 0 <= count <= _MAX_SIGHTING_COUNT
    ):
        raise StixError(f"{stix_id}: count must be a whole number from 0 to {_MAX_SIGHTING_COUNT}")
    created = parse_time(body.get("created"), f"{stix_id}: created")
    first = body.get("first_seen")
    last = body.get("last_seen")
    return RemoteSighting(
        stix_id=stix_id,
        indicator_id=str(target),
        count=count,
        first_seen=created if first is None else parse_time(first, f"{stix_id}: first_seen"),
        last_seen=created if last is None else parse_time(last, f"{stix_id}: last_seen"),
    )


@dataclass(frozen=True, slots=True)
class RemoteIdentity:
    """An identity read from a peer: who owns the indicators that name it."""

    stix_id: str
    name: str


def read_identity(body: Mapping[str, Any]) -> RemoteIdentity:
    """An identity's id and name, checked; the rest of it is not kept, so not asked for."""
    if object_type(body) != "identity" or not _is_id(body.get("id"), "identity"):
        raise StixError("an identity's id must read identity--<UUID>")
    stix_id, name = str(body["id"]), body.get("name")
    if not isinstance(name, str) or not 0 < len(name) <= MAX_OWNER_CHARACTERS:
        raise StixError(f"{stix_id}: name must be 1 to {MAX_OWNER_CHARACTERS} characters")
    check_text(name, f"{stix_id}: name")
    return RemoteIdentity(stix_id, name)


def check_text(value: object, what: str) -> None:
    """Refuse what a database or a later reader would choke on, anywhere in ``value`` (a
    JSON value; its keys too): NUL characters (PostgreSQL's text cannot hold them), lone
    surrogates (no encoding can write them) and nesting deeper than ``MAX_DEPTH``. ``what``
    names it in the error."""
    _check_depth(value, what, 0)
    # Every string at once, in C: JSON writes a NUL as \u0000 and keeps lone surrogates,
    # which then do not encode. (A string holding a literal backslash-u0000 is refused too.)
    text = json.dumps(value, ensure_ascii=False)
    if "\\u0000" in text or not _encodes(text):
        msg = f"{what} holds text that is not valid Unicode (a NUL or a lone surrogate)"
        raise StixError(msg)


def _check_depth(value: object, what: str, depth: int) -> None:
    children: Iterable[object]
    if isinstance(value, Mapping):
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return
    for child in children:
        if depth + 1 > MAX_DEPTH:
            raise StixError(f"{what} nests deeper than {MAX_DEPTH} levels")
        _check_depth(child, what, depth + 1)


def _encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def object_type(body: object) -> str:
    """The ``type`` of a STIX object read from a peer; ``StixError`` when it has none."""
    if not isinstance(body, Mapping):
        raise StixError("a STIX object must be a JSON object")
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        raise StixError("a STIX object must have a type")
    return kind


def _common(body: Mapping[str, Any], expected: str) -> str:
    """The id of ``body`` after checking the properties every object has."""
    kind = object_type(body)
    if kind != expected:
        raise StixError(f"expected a STIX {expected}, got {kind!r}")
    stix_id = body.get("id")
    if not _is_id(stix_id, expected):
        raise StixError(f"a {expected}'s id must read {expected}--<UUID>")
    if body.get("spec_version") != SPEC_VERSION:
        raise StixError(f"{stix_id}: spec_version must be {SPEC_VERSION!r}")
    parse_time(body.get("created"), f"{stix_id}: created")
    parse_time(body.get("modified"), f"{stix_id}: modified")
    check_text(body, str(stix_id))
    return str(stix_id)


def _is_id(value: object, object_type: str) -> bool:
    if not isinstance(value, str):
        return False
    found = _ID.fullmatch(value)
    return found is not None and found["type"] == object_type


def _optional_id(body: Mapping[str, Any], name: str, object_type: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not _is_id(value, object_type):
        raise StixError(f"{name} must name an {object_type}")
    return str(value)


def _marking(body: Mapping[str, Any], stix_id: str) -> str | None:
    """The TLP marking of ``body``, the strictest when several are given."""
    refs = body.get("object_marking_refs", [])
    if not isinstance(refs, list) or not all(isinstance(ref, str) for ref in refs):
        raise StixError(f"{stix_id}: object_marking_refs must be a list of ids")
    levels = [_MARKING_OF_ID[ref] for ref in refs if ref in _MARKING_OF_ID]
    order = list(TLP_MARKING_IDS)
    return max(levels, key=order.index) if levels else None


def _labels(body: Mapping[str, Any], stix_id: str) -> list[str]:
    labels = body.get("labels", [])
    if (
        not isinstance(labels, list)
        or len(labels) > MAX_LABELS
        or not all(
            isinstance(label, str) and 0 < len(label) <= MAX_LABEL_CHARACTERS for label in labels
        )
    ):
        raise StixError(
            f"{stix_id}: labels must be at most {MAX_LABELS} strings "
            f"of 1 to {MAX_LABEL_CHARACTERS} characters"
        )
    return list(labels)


def _kind(body: Mapping[str, Any], stix_id: str) -> str:
    """The bank kind ``indicator_types`` says; ``UNKNOWN_KIND`` when it says none."""
    types = body.get("indicator_types", [])
    if (
        not isinstance(types, list)
        or len(types) > MAX_LABELS
        or not all(isinstance(kind, str) and len(kind) <= MAX_LABEL_CHARACTERS for kind in types)
    ):
        raise StixError(
            f"{stix_id}: indicator_types must be at most {MAX_LABELS} strings "
            f"of at most {MAX_LABEL_CHARACTERS} characters"
        )
    for indicator_types, kind in _KIND_OF_TYPE:
        if indicator_types <= set(types):
            return kind
    return UNKNOWN_KIND


def _case_reference(body: Mapping[str, Any], stix_id: str) -> str | None:
    references = body.get("external_references", [])
    if not isinstance(references, list):
        raise StixError(f"{stix_id}: external_references must be a list")
    for reference in references:
        if isinstance(reference, Mapping) and reference.get("source_name") == CASE_SOURCE:
            value = reference.get("external_id")
            if not isinstance(value, str) or not 0 < len(value) <= MAX_REFERENCE_CHARACTERS:
                raise StixError(f"{stix_id}: the case reference must be 1 to 128 characters")
            return value
    return None


def _text(body: Mapping[str, Any], name: str, stix_id: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARACTERS:
        raise StixError(
            f"{stix_id}: {name} must be text of at most {MAX_TEXT_CHARACTERS} characters"
        )
    return value


def _note(body: Mapping[str, Any], stix_id: str) -> str:
    """The indicator's description as a note; the default one says nothing worth keeping."""
    description = _text(body, "description", stix_id)
    return "" if description.startswith(_DEFAULT_DESCRIPTION) else description
