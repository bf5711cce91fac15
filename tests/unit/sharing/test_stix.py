"""The STIX 2.1 mapping: what accord writes passes OASIS's validator and reads back the
same; everything else a peer might send is refused, naming the property at fault."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from stix2validator import ValidationOptions, validate_instance

from accord.errors import StixError
from accord.sharing import stix
from accord.signals.registry import signal_type_classes, stix_hash_names

STRICT = ValidationOptions(version="2.1", strict=True)
CREATED = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
MODIFIED = CREATED + timedelta(hours=2)
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
INDICATOR_ID = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#: A property left out of a body.
_DROP = object()


def banked_examples() -> dict[str, str]:
    """An example value of every signal type a bank holds (and a pattern carries)."""
    return {name: cls.examples()[0] for name, cls in signal_type_classes().items() if cls.banked}


def entry(**changes: Any) -> stix.SharedEntry:
    fields: dict[str, Any] = {
        "stix_id": INDICATOR_ID,
        "created": CREATED,
        "modified": MODIFIED,
        "bank": "DEEPFAKES",
        "entry_id": 7,
        "kind": "deceptive",
        "owner": "Electoral Commission",
        "marking": "TLP:AMBER",
        "signals": {"pdq": PDQ, "sha256": SHA256},
        "labels": ("deepfake", "robocall"),
        "case_reference": "C-2026-17",
        "note": "cloned voice of the commissioner",
    }
    return stix.SharedEntry(**(fields | changes))


def assert_valid(body: dict[str, Any]) -> None:
    result = validate_instance(body, STRICT)
    assert result.is_valid, [str(error) for error in result.errors]


# Writing -------------------------------------------------------------------------------


def test_every_banked_signal_type_makes_a_valid_indicator() -> None:
    examples = banked_examples()
    assert (
        set(examples)
        == set(stix_hash_names())
        == {
            "sha256",
            "md5",
            "pdq",
            "vpdq",
            "audio",
            "orb",
        }
    )
    for name, value in examples.items():
        body = stix.indicator(entry(signals={name: value}))
        assert_valid(body)
        assert stix.read_indicator(body).signals == {name: value}
    every = stix.indicator(entry(signals=examples))
    assert_valid(every)
    assert stix.read_indicator(every).signals == examples


def test_an_indicator_reads_back_as_written() -> None:
    body = stix.indicator(entry())
    assert body["pattern"] == (
        f"[file:hashes.x_accord_pdq = '{PDQ}' OR file:hashes.'SHA-256' = '{SHA256}']"
    )
    assert body["created"] == "2026-03-01T09:30:15.123456Z"
    assert body["indicator_types"] == ["malicious-activity"]
    assert body["object_marking_refs"] == [stix.TLP_MARKING_IDS["TLP:AMBER"]]
    read = stix.read_indicator(body)
    assert read == stix.RemoteIndicator(
        stix_id=INDICATOR_ID,
        modified=MODIFIED,
        revoked=False,
        signals={"pdq": PDQ, "sha256": SHA256},
        owner_ref=stix.identity_id("Electoral Commission"),
        marking="TLP:AMBER",
        labels=["deepfake", "robocall"],
        case_reference="C-2026-17",
        note="cloned voice of the commissioner",
        kind="deceptive",
    )
    revoked = stix.indicator(entry(revoked=True, labels=(), case_reference=None, note=""))
    assert_valid(revoked)
    assert "labels" not in revoked
    assert "external_references" not in revoked
    assert revoked["description"] == "An entry of the accord bank DEEPFAKES"
    assert stix.read_indicator(revoked).revoked is True


@pytest.mark.parametrize(
    "value",
    ["it's", "back\\slash", "\\'", "''", "\\\\'\\", "end\\", "a' OR file:hashes.MD5 = 'b"],
)
def test_patterns_round_trip_quotes_and_backslashes(value: str) -> None:
    signals = {"vpdq": value, "sha256": SHA256}
    pattern = stix.pattern_of(signals)
    assert stix.signals_of_pattern(pattern) == signals


@pytest.mark.parametrize(
    ("kind", "types"),
    [
        ("deceptive", ["malicious-activity"]),
        ("watch", ["anomalous-activity"]),
        ("allow", ["benign"]),
        ("authentic", ["benign", "attribution"]),
        ("generated", ["anomalous-activity", "attribution"]),
    ],
)
def test_every_bank_kind_is_written_and_read_back(kind: str, types: list[str]) -> None:
    """A partner's allow or authentic bank must never become deceptive here."""
    body = stix.indicator(entry(kind=kind))
    assert body["indicator_types"] == types
    assert_valid(body)
    assert stix.read_indicator(body).kind == kind


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        (_DROP, "watch"),
        ([], "watch"),
        (["unknown"], "watch"),
        (["compromised", "anonymization"], "watch"),
        (["attribution"], "authentic"),
        (["benign", "malicious-activity"], "deceptive"),
        (["anomalous-activity", "benign"], "watch"),
    ],
)
def test_indicator_types_nobody_wrote_here_read_as_watch_or_the_strongest(
    types: object, kind: str
) -> None:
    """What accord cannot tell is reported, never acted on; a mix reads as its most
    serious kind."""
    assert stix.read_indicator(indicator_body(indicator_types=types)).kind == kind


def test_identities_and_markings() -> None:
    identity = stix.identity("Electoral Commission", CREATED)
    assert_valid(identity)
    assert identity["id"] == stix.identity_id("Electoral Commission")
    # The same name is the same identity everywhere; another name another one. STIX asks
    # SDO ids for UUIDv4, and the strict validator refuses any other version.
    assert uuid.UUID(identity["id"].split("--")[1]).version == 4
    assert stix.identity_id("Electoral Commission") != stix.identity_id("electoral commission")
    for marking, marking_id in stix.TLP_MARKING_IDS.items():
        definition = stix.marking_definition(marking)
        assert definition["id"] == marking_id
        assert_valid(definition)


def test_opinions_and_sightings_are_valid_and_read_back() -> None:
    for verdict, said in [
        (stix.Verdict.TRUE_POSITIVE, "strongly-agree"),
        (stix.Verdict.FALSE_POSITIVE, "strongly-disagree"),
    ]:
        body = stix.opinion(INDICATOR_ID, verdict, author="Newsroom", note="why", created=CREATED)
        assert_valid(body)
        assert body["opinion"] == said
        read = stix.read_opinion(body)
        assert (read.stix_id, read.indicator_id, read.verdict) == (
            body["id"],
            INDICATOR_ID,
            verdict,
        )
        assert (read.note, read.created) == ("why", CREATED)
    silent = stix.opinion(
        INDICATOR_ID, stix.Verdict.TRUE_POSITIVE, author="N", note="", created=CREATED
    )
    assert "explanation" not in silent
    # The weaker words count as the same verdicts.
    assert stix.read_opinion(silent | {"opinion": "agree"}).verdict is stix.Verdict.TRUE_POSITIVE
    assert (
        stix.read_opinion(silent | {"opinion": "disagree"}).verdict is stix.Verdict.FALSE_POSITIVE
    )

    seen = stix.sighting(
        INDICATOR_ID, seen_by="Newsroom", count=4, first_seen=CREATED, last_seen=MODIFIED
    )
    assert_valid(seen)
    read_seen = stix.read_sighting(seen)
    assert (read_seen.indicator_id, read_seen.count) == (INDICATOR_ID, 4)
    assert (read_seen.first_seen, read_seen.last_seen) == (CREATED, MODIFIED)
    bare = {key: value for key, value in seen.items() if key not in {"count", "first_seen"}}
    bare.pop("last_seen")
    defaults = stix.read_sighting(bare)
    assert (defaults.count, defaults.first_seen, defaults.last_seen) == (1, MODIFIED, MODIFIED)


def test_times() -> None:
    paris = timezone(timedelta(hours=2))
    assert stix.stix_time(datetime(2026, 1, 1, 2, 0, tzinfo=paris)) == "2026-01-01T00:00:00.000000Z"
    assert stix.parse_time("2026-01-31T12:00:00Z") == datetime(2026, 1, 31, 12, tzinfo=UTC)
    assert stix.parse_time("2026-01-31T12:00:00.5Z").microsecond == 500_000
    assert stix.parse_time("2026-01-31T12:00:00.123456789Z").microsecond == 123_456
    for bad in ("2026-01-31", "2026-01-31T12:00:00+00:00", "2026-01-31 12:00:00Z", 20260131, None):
        with pytest.raises(StixError, match="RFC 3339 UTC timestamp"):
            stix.parse_time(bad)
    for impossible in ("2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "0000-01-01T00:00:00Z"):
        with pytest.raises(StixError, match="not a real date and time"):
            stix.parse_time(impossible)


# Refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (None, "pattern must be a string"),
        ("x" * (stix.MAX_PATTERN_CHARACTERS + 1), "longer than"),
        ("file:hashes.MD5 = 'a'", "one observation expression"),
        ("[]", "must OR comparisons of file hashes"),
        ("[file:name = 'a.jpg']", "must OR comparisons of file hashes"),
        ("[file:hashes.MD5 = 'a' AND file:hashes.'SHA-256' = 'b']", "joined by OR"),
        ("[file:hashes.MD5 = 'a' OR ]", "must OR comparisons of file hashes"),
        ("[file:hashes.MD5 = 'a'] OR [file:hashes.MD5 = 'b']", "joined by OR"),
        ("[file:hashes.MD5 = 'a\\']", "must OR comparisons of file hashes"),
        ("[file:hashes.MD5 != 'a']", "must OR comparisons of file hashes"),
        ("[file:hashes.'SHA-1' = 'a']", "names the hash 'SHA-1'; accord reads SHA-256"),
        ("[file:hashes.x_other = 'a']", "names the hash 'x_other'"),
        ("[file:hashes.MD5 = 'a' OR file:hashes.MD5 = 'b']", "names the hash 'MD5' twice"),
    ],
)
def test_signals_of_pattern_refusals(pattern: object, words: str) -> None:
    with pytest.raises(StixError, match=words.replace("(", r"\(")):
        stix.signals_of_pattern(pattern)


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def indicator_body(**changes: Any) -> dict[str, Any]:
    body = stix.indicator(entry())
    body.update(changes)
    return {key: value for key, value in body.items() if value is not _DROP}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("an indicator", "must be a JSON object"),
        (indicator_body(type=_DROP), "must have a type"),
        (indicator_body(type=""), "must have a type"),
        (indicator_body(type="malware"), "expected a STIX indicator, got 'malware'"),
        (indicator_body(id="indicator--nope"), "id must read indicator--<UUID>"),
        (indicator_body(id="opinion--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"), "id must read"),
        (indicator_body(spec_version="2.0"), "spec_version must be '2.1'"),
        (indicator_body(created="yesterday"), "created must be an RFC 3339"),
        (indicator_body(modified=_DROP), "modified must be an RFC 3339"),
        (indicator_body(revoked="yes"), "revoked must be true or false"),
        (indicator_body(pattern_type="sigma"), "pattern_type must be 'stix'"),
        (indicator_body(pattern="[file:name = 'x']"), f"{INDICATOR_ID}: pattern must OR"),
        (indicator_body(created_by_ref="organization--x"), "created_by_ref must name an identity"),
        (indicator_body(object_marking_refs="TLP:AMBER"), "object_marking_refs must be a list"),
        (indicator_body(object_marking_refs=[1]), "object_marking_refs must be a list of ids"),
        (indicator_body(labels="deepfake"), "labels must be at most 50 strings"),
        (indicator_body(labels=[""]), "labels must be at most 50 strings"),
        (indicator_body(labels=["x" * 101]), "of 1 to 100 characters"),
        (indicator_body(labels=["x"] * 51), "labels must be at most 50 strings"),
        (indicator_body(external_references={}), "external_references must be a list"),
        (
            indicator_body(
                external_references=[{"source_name": "accord-case", "external_id": "x" * 129}]
            ),
            "the case reference must be 1 to 128 characters",
        ),
        (
            indicator_body(external_references=[{"source_name": "accord-case"}]),
            "the case reference must be 1 to 128 characters",
        ),
        (indicator_body(description=["x"]), "description must be text"),
        (indicator_body(description="x" * 10_001), "at most 10000 characters"),
        (indicator_body(indicator_types="benign"), "indicator_types must be at most 50"),
        (indicator_body(indicator_types=[1]), "indicator_types must be at most 50 strings"),
        (indicator_body(indicator_types=["x" * 101]), "of at most 100 characters"),
        (indicator_body(description="a\x00b"), f"{INDICATOR_ID} holds text that is not valid"),
        (indicator_body(description="\ud800"), "not valid Unicode (a NUL or a lone surrogate"),
        (indicator_body(labels=["ok", "\udfff"]), "not valid Unicode"),
        (
            indicator_body(
                external_references=[{"source_name": "accord-case", "external_id": "\x00"}]
            ),
            "not valid Unicode",
        ),
        (indicator_body(x_extra={"\ud800": 1}), "not valid Unicode"),
        (indicator_body(x_deep=_nested(40)), f"{INDICATOR_ID} nests deeper than 32 levels"),
    ],
)
def test_read_indicator_refusals(body: Any, words: str) -> None:
    with pytest.raises(StixError, match=words.replace("(", r"\(")):
        stix.read_indicator(body)


def test_read_indicator_takes_the_strictest_marking_and_ignores_others() -> None:
    refs = [
        stix.TLP_MARKING_IDS["TLP:GREEN"],
        "marking-definition--00000000-0000-4000-8000-000000000000",
        stix.TLP_MARKING_IDS["TLP:AMBER+STRICT"],
        stix.TLP_MARKING_IDS["TLP:CLEAR"],
    ]
    assert stix.read_indicator(indicator_body(object_marking_refs=refs)).marking == (
        "TLP:AMBER+STRICT"
    )
    assert stix.read_indicator(indicator_body(object_marking_refs=[])).marking is None
    other = [{"source_name": "elsewhere", "external_id": "x" * 500}]
    assert stix.read_indicator(indicator_body(external_references=other)).case_reference is None


def opinion_body(**changes: Any) -> dict[str, Any]:
    body = stix.opinion(
        INDICATOR_ID, stix.Verdict.FALSE_POSITIVE, author="N", note="n", created=CREATED
    )
    body.update(changes)
    return {key: value for key, value in body.items() if value is not _DROP}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([], "must be a JSON object"),
        (opinion_body(type="note"), "expected a STIX opinion, got 'note'"),
        (opinion_body(id="opinion--1"), "id must read opinion--<UUID>"),
        (opinion_body(spec_version=_DROP), "spec_version must be '2.1'"),
        (opinion_body(created="2026-13-01T00:00:00Z"), "not a real date"),
        (opinion_body(opinion="neutral"), "neutral says nothing"),
        (opinion_body(opinion=_DROP), "opinion must be one of"),
        (opinion_body(opinion=["agree"]), "opinion must be one of"),
        (opinion_body(opinion={"a": 1}), "opinion must be one of"),
        (opinion_body(object_refs=INDICATOR_ID), "object_refs must name exactly one indicator"),
        (opinion_body(object_refs=[]), "object_refs must name exactly one indicator"),
        (opinion_body(object_refs=[INDICATOR_ID] * 2), "exactly one indicator"),
        (
            opinion_body(object_refs=["identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]),
            "exactly one indicator",
        ),
        (opinion_body(object_refs=[7]), "exactly one indicator"),
        (opinion_body(explanation=7), "explanation must be text"),
        (opinion_body(explanation="x" * 10_001), "at most 10000 characters"),
        (opinion_body(explanation="\x00"), "holds text that is not valid Unicode"),
        (opinion_body(authors=["\ud83d"]), "holds text that is not valid Unicode"),
    ],
)
def test_read_opinion_refusals(body: Any, words: str) -> None:
    with pytest.raises(StixError, match=words):
        stix.read_opinion(body)


def sighting_body(**changes: Any) -> dict[str, Any]:
    body = stix.sighting(INDICATOR_ID, seen_by="N", count=2, first_seen=CREATED, last_seen=MODIFIED)
    body.update(changes)
    return {key: value for key, value in body.items() if value is not _DROP}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("sighting", "must be a JSON object"),
        (sighting_body(type="indicator"), "expected a STIX sighting"),
        (sighting_body(id=INDICATOR_ID), "id must read sighting--<UUID>"),
        (sighting_body(modified="now"), "modified must be an RFC 3339"),
        (sighting_body(sighting_of_ref=_DROP), "sighting_of_ref must name an indicator"),
        (
            sighting_body(sighting_of_ref="malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
            "sighting_of_ref must name an indicator",
        ),
        (sighting_body(count=-1), "count must be a whole number from 0 to 999999999"),
        (sighting_body(count=1_000_000_000), "count must be a whole number"),
        (sighting_body(count=True), "count must be a whole number"),
        (sighting_body(count="3"), "count must be a whole number"),
        (sighting_body(count=None), "count must be a whole number"),
        (sighting_body(first_seen="earlier"), "first_seen must be an RFC 3339"),
        (sighting_body(last_seen=5), "last_seen must be an RFC 3339"),
        (sighting_body(x_note="\x00"), "holds text that is not valid Unicode"),
    ],
)
def test_read_sighting_refusals(body: Any, words: str) -> None:
    with pytest.raises(StixError, match=words):
        stix.read_sighting(body)


def test_identities_read_back_and_bad_ones_are_refused() -> None:
    body = stix.identity("Electoral Commission", CREATED)
    assert stix.read_identity(body) == stix.RemoteIdentity(body["id"], "Electoral Commission")
    long_name = "x" * (stix.MAX_OWNER_CHARACTERS + 1)
    for bad, words in [
        (body | {"id": "identity--1"}, "an identity's id must read identity--<UUID>"),
        (body | {"type": "indicator"}, "an identity's id must read"),
        (body | {"name": 5}, "name must be 1 to 200 characters"),
        (body | {"name": ""}, "name must be 1 to 200 characters"),
        (body | {"name": long_name}, "name must be 1 to 200 characters"),
        (body | {"name": "EC\x00"}, f"{body['id']}: name holds text that is not valid Unicode"),
        (body | {"name": "EC\udc80"}, "name holds text that is not valid Unicode"),
    ]:
        with pytest.raises(StixError, match=re.escape(words)):
            stix.read_identity(bad)


def test_check_text_walks_keys_values_and_lists() -> None:
    stix.check_text({"a": ["b", {"c": 1, "d": None}], "é": "ü"}, "it")
    for bad in ["\x00", ["x", "\ud800"], {"k\x00": 1}, {"k": {"k": ["\udfff"]}}]:
        with pytest.raises(StixError, match="it holds text that is not valid Unicode"):
            stix.check_text(bad, "it")
    stix.check_text(_nested(stix.MAX_DEPTH), "it")
    with pytest.raises(StixError, match="it nests deeper than 32 levels"):
        stix.check_text(_nested(stix.MAX_DEPTH + 1), "it")
