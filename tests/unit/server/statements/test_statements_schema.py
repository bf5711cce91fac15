"""Statements of reasons the DSA Transparency Database accepts: the model refuses what its API
would refuse, and exports the bodies it takes and the CSV layout of its dumps."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from accord.errors import BadRequest
from accord.server.statements.schemas import StatementOfReasons
from accord.server.statements.service import (
    BATCH_MAX,
    CSV_COLUMNS,
    Publication,
    batch_body,
    batches,
    to_csv,
    to_json,
    to_json_lines,
)
from accord.server.statements.vocabulary import (
    CONTENT_LANGUAGES,
    LABELS,
    TERRITORIAL_SCOPE,
    AccountType,
    AutomatedDecision,
    Category,
    ContentType,
    DecisionAccount,
    DecisionGround,
    DecisionMonetary,
    DecisionProvision,
    DecisionVisibility,
    Keyword,
    SourceType,
    YesNo,
)

DEEPFAKE_LABEL: dict[str, Any] = {
    "decision_visibility": (DecisionVisibility.CONTENT_LABELLED,),
    "decision_ground": DecisionGround.INCOMPATIBLE_CONTENT,
    "decision_ground_reference_url": "https://platform.example/terms#synthetic-media",
    "incompatible_content_ground": "Terms of service 4.2: synthetic media of real people",
    "incompatible_content_explanation": "The video shows a candidate saying words never said.",
    "incompatible_content_illegal": YesNo.NO,
    "category": Category.NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS,
    "category_specification": (Keyword.MISINFORMATION_DISINFORMATION,),
    "content_type": (ContentType.SYNTHETIC_MEDIA, ContentType.VIDEO),
    "content_language": "EN",
    "content_date": date(2026, 5, 2),
    "territorial_scope": ("DE", "FR"),
    "application_date": date(2026, 5, 3),
    "decision_facts": "A candidate reported the video; reviewers confirmed it was generated.",
    "source_type": SourceType.ARTICLE_16,
    "automated_detection": YesNo.YES,
    "automated_decision": AutomatedDecision.PARTIALLY,
    "puid": "accord-case-0001",
}

ILLEGAL_INSTEAD = {
    "decision_ground": DecisionGround.ILLEGAL_CONTENT,
    "illegal_content_legal_ground": "National electoral law, art. 12",
    "illegal_content_explanation": "Deceives voters about a candidate's statements.",
    "incompatible_content_ground": None,
    "incompatible_content_explanation": None,
    "incompatible_content_illegal": None,
}

# The reference's full CSV column order (notice-action-dsa-sharing.md section 1.4).
TDB_FULL_CSV_HEADER = (
    "uuid,decision_visibility,decision_visibility_other,end_date_visibility_restriction,"
    "decision_monetary,decision_monetary_other,end_date_monetary_restriction,decision_provision,"
    "end_date_service_restriction,decision_account,end_date_account_restriction,account_type,"
    "decision_ground,decision_ground_reference_url,illegal_content_legal_ground,"
    "illegal_content_explanation,incompatible_content_ground,incompatible_content_explanation,"
    "incompatible_content_illegal,category,category_addition,category_specification,"
    "category_specification_other,content_type,content_type_other,content_language,content_date,"
    "content_id_ean,territorial_scope,application_date,decision_facts,source_type,source_identity,"
    "automated_detection,automated_decision,platform_name,platform_uid,created_at"
)


def statement(**changes: Any) -> StatementOfReasons:
    return StatementOfReasons(**{**DEEPFAKE_LABEL, **changes})


def refusal(**changes: Any) -> str:
    with pytest.raises(BadRequest) as refused:
        statement(**changes)
    return refused.value.detail


def test_a_label_decision_for_a_deepfake_validates() -> None:
    sor = statement()
    assert sor.decision_visibility == (DecisionVisibility.CONTENT_LABELLED,)
    assert sor.to_json() == {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_LABELLED"],
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "decision_ground_reference_url": "https://platform.example/terms#synthetic-media",
        "incompatible_content_ground": "Terms of service 4.2: synthetic media of real people",
        "incompatible_content_explanation": "The video shows a candidate saying words never said.",
        "incompatible_content_illegal": "No",
        "category": "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        "category_specification": ["KEYWORD_MISINFORMATION_DISINFORMATION"],
        "content_type": ["CONTENT_TYPE_SYNTHETIC_MEDIA", "CONTENT_TYPE_VIDEO"],
        "content_language": "EN",
        "content_date": "2026-05-02",
        "territorial_scope": ["DE", "FR"],
        "application_date": "2026-05-03",
        "decision_facts": "A candidate reported the video; reviewers confirmed it was generated.",
        "source_type": "SOURCE_ARTICLE_16",
        "automated_detection": "Yes",
        "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
        "puid": "accord-case-0001",
    }


def test_a_statement_round_trips_through_the_tdb_request_body() -> None:
    sor = statement(
        decision_account=DecisionAccount.SUSPENDED,
        end_date_account_restriction=date(2026, 8, 3),
        account_type=AccountType.PRIVATE,
        content_id={"EAN-13": "0123456789123"},
        category_addition=(Category.CYBER_VIOLENCE,),
    )
    body = json.loads(json.dumps(sor.to_json()))
    assert StatementOfReasons.from_json(body) == sor
    assert body["content_id"] == {"EAN-13": "0123456789123"}
    assert body["end_date_account_restriction"] == "2026-08-03"


def test_a_removal_on_illegal_grounds_validates_without_the_terms_fields() -> None:
    sor = statement(**ILLEGAL_INSTEAD, decision_visibility=(DecisionVisibility.CONTENT_REMOVED,))
    assert "incompatible_content_ground" not in sor.to_json()
    assert sor.to_json()["illegal_content_legal_ground"] == "National electoral law, art. 12"


def test_tdb_keys_and_dates_given_as_text_become_members_and_dates() -> None:
    sor = statement(
        decision_visibility=["DECISION_VISIBILITY_CONTENT_REMOVED"],
        decision_monetary="DECISION_MONETARY_SUSPENSION",
        decision_provision="DECISION_PROVISION_PARTIAL_SUSPENSION",
        content_date="2026-05-02",
        automated_detection="No",
    )
    assert sor.decision_visibility == (DecisionVisibility.CONTENT_REMOVED,)
    assert sor.decision_monetary is DecisionMonetary.SUSPENSION
    assert sor.decision_provision is DecisionProvision.PARTIAL_SUSPENSION
    assert sor.content_date == date(2026, 5, 2)
    assert sor.automated_detection is YesNo.NO


def test_blank_text_is_absent_and_text_is_trimmed_as_the_tdb_does() -> None:
    sor = statement(source_identity="   ", decision_facts="  facts \n")
    assert sor.source_identity is None
    assert sor.decision_facts == "facts"
    assert "source_identity" not in sor.to_json()


def test_a_statement_is_immutable_and_hashable() -> None:
    sor = statement(content_id={"EAN-13": "0123456789123"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        sor.puid = "another"  # type: ignore[misc]
    assert hash(sor) == hash(statement(content_id={"EAN-13": "0123456789123"}))


LONG = "x" * 501

REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    ("no restriction at all", {"decision_visibility": ()}, "decision_visibility"),
    (
        "visibility other without its text",
        {"decision_visibility": (DecisionVisibility.OTHER,)},
        "decision_visibility_other",
    ),
    (
        "visibility other text without other",
        {"decision_visibility_other": "pinned a fact-check"},
        "decision_visibility_other",
    ),
    (
        "visibility other text over 500",
        {"decision_visibility": (DecisionVisibility.OTHER,), "decision_visibility_other": LONG},
        "decision_visibility_other",
    ),
    (
        "blank visibility other text",
        {"decision_visibility": (DecisionVisibility.OTHER,), "decision_visibility_other": "  "},
        "decision_visibility_other",
    ),
    (
        "monetary other without its text",
        {"decision_monetary": DecisionMonetary.OTHER},
        "decision_monetary_other",
    ),
    (
        "monetary other text without other",
        {"decision_monetary": DecisionMonetary.SUSPENSION, "decision_monetary_other": "held"},
        "decision_monetary_other",
    ),
    (
        "monetary other text over 500",
        {"decision_monetary": DecisionMonetary.OTHER, "decision_monetary_other": LONG},
        "decision_monetary_other",
    ),
    (
        "illegal ground without the legal ground",
        {**ILLEGAL_INSTEAD, "illegal_content_legal_ground": None},
        "illegal_content_legal_ground",
    ),
    (
        "illegal ground without the explanation",
        {**ILLEGAL_INSTEAD, "illegal_content_explanation": None},
        "illegal_content_explanation",
    ),
    (
        "illegal ground with a terms ground",
        {**ILLEGAL_INSTEAD, "incompatible_content_ground": "ToS 4.2"},
        "incompatible_content_ground",
    ),
    (
        "illegal ground saying whether it is also illegal",
        {**ILLEGAL_INSTEAD, "incompatible_content_illegal": YesNo.YES},
        "incompatible_content_illegal",
    ),
    (
        "illegal explanation over 2000",
        {**ILLEGAL_INSTEAD, "illegal_content_explanation": "x" * 2001},
        "illegal_content_explanation",
    ),
    (
        "legal ground over 500",
        {**ILLEGAL_INSTEAD, "illegal_content_legal_ground": LONG},
        "illegal_content_legal_ground",
    ),
    (
        "terms ground without the terms ground",
        {"incompatible_content_ground": None},
        "incompatible_content_ground",
    ),
    (
        "terms ground without the explanation",
        {"incompatible_content_explanation": " "},
        "incompatible_content_explanation",
    ),
    (
        "terms ground with a legal ground",
        {"illegal_content_legal_ground": "Penal code 1"},
        "illegal_content_legal_ground",
    ),
    ("terms ground over 500", {"incompatible_content_ground": LONG}, "incompatible_content_ground"),
    (
        "terms explanation over 2000",
        {"incompatible_content_explanation": "x" * 2001},
        "incompatible_content_explanation",
    ),
    ("also illegal neither yes nor no", {"incompatible_content_illegal": "Maybe"}, "illegal"),
    ("no content type", {"content_type": ()}, "content_type"),
    (
        "content type other without its text",
        {"content_type": (ContentType.OTHER,)},
        "content_type_other",
    ),
    (
        "content type other text without other",
        {"content_type_other": "hologram"},
        "content_type_other",
    ),
    (
        "content type other text over 500",
        {"content_type": (ContentType.OTHER,), "content_type_other": LONG},
        "content_type_other",
    ),
    (
        "keyword other without its text",
        {"category_specification": (Keyword.OTHER,)},
        "category_specification_other",
    ),
    (
        "keyword other text without keyword other",
        {"category_specification_other": "voice clone"},
        "category_specification_other",
    ),
    (
        "keyword other text over 500",
        {"category_specification": (Keyword.OTHER,), "category_specification_other": LONG},
        "category_specification_other",
    ),
    ("a v1 category", {"category": "STATEMENT_CATEGORY_MISINFORMATION"}, "category"),
    ("an unknown additional category", {"category_addition": ("ELECTIONS",)}, "category_addition"),
    (
        "a v1 keyword",
        {"category_specification": ("KEYWORD_DISINFORMATION",)},
        "category_specification",
    ),
    ("an unknown visibility decision", {"decision_visibility": ("HIDDEN",)}, "visibility"),
    (
        "a visibility decision that is not an array",
        {"decision_visibility": "DECISION_VISIBILITY_CONTENT_REMOVED"},
        "decision_visibility",
    ),
    ("a country outside the EEA", {"territorial_scope": ("DE", "CH")}, "territorial_scope"),
    ("a lowercase country", {"territorial_scope": ("de",)}, "territorial_scope"),
    ("a lowercase language", {"content_language": "en"}, "content_language"),
    ("a three letter language", {"content_language": "ENG"}, "content_language"),
    ("a made up language", {"content_language": "XX"}, "content_language"),
    ("content before 2000", {"content_date": date(1999, 12, 31)}, "content_date"),
    ("content after 2038", {"content_date": date(2038, 1, 2)}, "content_date"),
    ("a content date without leading zeroes", {"content_date": "2026-5-2"}, "content_date"),
    ("a content date that does not exist", {"content_date": "2026-02-30"}, "content_date"),
    ("a content date with a time", {"content_date": datetime(2026, 5, 2, tzinfo=UTC)}, "content"),
    ("application before 2020", {"application_date": date(2019, 12, 31)}, "application_date"),
    ("application after 2038", {"application_date": date(2038, 1, 2)}, "application_date"),
    (
        "a restriction ending before it applies",
        {"end_date_visibility_restriction": date(2026, 5, 1)},
        "end_date_visibility_restriction",
    ),
    (
        "a restriction ending after 2038",
        {"end_date_monetary_restriction": date(2038, 1, 2)},
        "end_date_monetary_restriction",
    ),
    ("an identifier other than EAN-13", {"content_id": {"ISBN": "9780000000000"}}, "content_id"),
    ("an EAN-13 with 12 digits", {"content_id": {"EAN-13": "012345678912"}}, "content_id"),
    ("an EAN-13 given as a number", {"content_id": {"EAN-13": 123456789012}}, "content_id"),
    (
        "an EAN-13 with a second key",
        {"content_id": {"EAN-13": "0123456789123", "GTIN": "1"}},
        "content_id",
    ),
    ("no facts", {"decision_facts": ""}, "decision_facts"),
    ("facts over 5000", {"decision_facts": "x" * 5001}, "decision_facts"),
    (
        "a notifier on an own-initiative decision",
        {"source_type": SourceType.VOLUNTARY, "source_identity": "Jane Doe's campaign"},
        "source_identity",
    ),
    ("a notifier over 500", {"source_identity": LONG}, "source_identity"),
    ("an unknown source", {"source_type": "SOURCE_OTHER"}, "source_type"),
    ("automated detection as a maybe", {"automated_detection": "Maybe"}, "automated_detection"),
    ("automated decision as a v1 yes", {"automated_decision": "Yes"}, "automated_decision"),
    ("a puid with a slash", {"puid": "case/1"}, "puid"),
    ("a puid with a space", {"puid": "case 1"}, "puid"),
    ("a puid with an accent", {"puid": "cas\u00e9-1"}, "puid"),
    ("a puid over 500", {"puid": "p" * 501}, "puid"),
    ("no puid", {"puid": None}, "puid: required"),
    ("no decision ground", {"decision_ground": None}, "decision_ground: required"),
    (
        "a reference that is not a url",
        {"decision_ground_reference_url": "see our terms"},
        "decision_ground_reference_url",
    ),
    (
        "a reference url over 500",
        {"decision_ground_reference_url": "https://platform.example/" + "t" * 480},
        "decision_ground_reference_url",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field"), [(c, f) for _, c, f in REFUSALS], ids=[i for i, _, _ in REFUSALS]
)
def test_a_statement_the_tdb_would_refuse_is_refused_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    assert field in refusal(**changes)


def test_every_problem_is_named_at_once() -> None:
    detail = refusal(puid="bad puid", decision_facts="x" * 5001, content_language="en")
    assert "puid" in detail
    assert "decision_facts" in detail
    assert "content_language" in detail


def test_reading_a_body_refuses_unknown_keys_and_missing_required_fields() -> None:
    body = statement().to_json()
    with pytest.raises(BadRequest, match="decision_fact: not a TDB statement field"):
        StatementOfReasons.from_json({**body, "decision_fact": "typo"})
    del body["puid"]
    with pytest.raises(BadRequest, match="puid: required"):
        StatementOfReasons.from_json(body)
    with pytest.raises(BadRequest, match="JSON object"):
        StatementOfReasons.from_json(["not", "an", "object"])


def test_reading_a_stored_body_treats_null_as_absent() -> None:
    body: dict[str, Any] = {
        **statement().to_json(),
        "decision_monetary": None,
        "source_identity": None,
    }
    assert StatementOfReasons.from_json(body) == statement()


def test_the_enumerations_have_the_v2_sizes() -> None:
    assert len(Category) == 16
    assert len(Keyword) == 69
    assert Keyword.OTHER.value == "KEYWORD_OTHER"
    assert len(DecisionVisibility) == 7
    assert len(DecisionMonetary) == 3
    assert len(DecisionProvision) == 4
    assert len(DecisionAccount) == 2
    assert len(AccountType) == 2
    assert len(DecisionGround) == 2
    assert len(ContentType) == 8
    assert len(SourceType) == 4
    assert len(AutomatedDecision) == 3
    assert len(TERRITORIAL_SCOPE) == 30
    assert {"IS", "LI", "NO"} <= TERRITORIAL_SCOPE
    assert len(CONTENT_LANGUAGES) == 184


def test_the_values_are_the_tdb_keys_with_their_prefixes() -> None:
    assert all(c.value.startswith("STATEMENT_CATEGORY_") for c in Category)
    assert all(k.value.startswith("KEYWORD_") for k in Keyword)
    assert all(v.value.startswith("DECISION_VISIBILITY_") for v in DecisionVisibility)
    assert all(t.value.startswith("CONTENT_TYPE_") for t in ContentType)
    assert SourceType.OTHER_NOTIFICATION.value == "SOURCE_TYPE_OTHER_NOTIFICATION"


def test_the_deepfake_and_election_keywords_are_tdb_keywords() -> None:
    for key in (
        "KEYWORD_MISINFORMATION_DISINFORMATION",
        "KEYWORD_VIOLATION_EU_LAW",
        "KEYWORD_VIOLATION_NATIONAL_LAW",
        "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
        "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
        "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
    ):
        assert Keyword(key).value == key


def test_every_value_has_its_tdb_label() -> None:
    enums = (
        DecisionVisibility,
        DecisionMonetary,
        DecisionProvision,
        DecisionAccount,
        AccountType,
        DecisionGround,
        ContentType,
        Category,
        Keyword,
        SourceType,
        AutomatedDecision,
        YesNo,
    )
    values = {member.value for enum in enums for member in enum}
    assert values == set(LABELS)
    assert DecisionVisibility.CONTENT_LABELLED.label == "Labelled content"
    assert Category.NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS.label == (
        "Negative effects on civic discourse or elections"
    )


def test_a_batch_takes_one_to_a_hundred_statements_with_distinct_puids() -> None:
    many = [statement(puid=f"case-{n}") for n in range(BATCH_MAX + 1)]
    assert len(batch_body(many[:BATCH_MAX])["statements"]) == BATCH_MAX
    with pytest.raises(BadRequest, match="1 to 100"):
        batch_body([])
    with pytest.raises(BadRequest, match="1 to 100"):
        batch_body(many)
    with pytest.raises(BadRequest, match="case-1"):
        batch_body([many[1], many[2], many[1]])
    assert json.loads(to_json(many[:2])) == {"statements": [s.to_json() for s in many[:2]]}


def test_any_number_of_statements_split_into_batches_the_tdb_takes() -> None:
    sizes = [
        len(body["statements"]) for body in batches(statement(puid=f"c{n}") for n in range(250))
    ]
    assert sizes == [100, 100, 50]
    assert list(batches([])) == []


def test_json_lines_hold_one_request_body_per_statement() -> None:
    sors = [statement(), statement(puid="accord-case-0002")]
    lines = to_json_lines(sors).splitlines()
    assert [json.loads(line) for line in lines] == [s.to_json() for s in sors]


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_header_is_the_tdb_full_dump_column_order() -> None:
    assert ",".join(CSV_COLUMNS) == TDB_FULL_CSV_HEADER
    assert to_csv([]).splitlines() == [TDB_FULL_CSV_HEADER]


def test_a_csv_row_fills_the_columns_as_the_tdb_dump_does() -> None:
    sor = statement(content_id={"EAN-13": "0123456789123"})
    brussels = timezone(timedelta(hours=2))
    published = {
        sor.puid: Publication(
            "4b989c23-3736-4fd9-8612-a975b98d88d6",
            datetime(2026, 5, 3, 11, 16, 55, tzinfo=brussels),
        )
    }
    header, row = rows(to_csv([sor], platform_name="Example Video", published=published))
    cell = dict(zip(header, row, strict=True))
    assert cell["uuid"] == "4b989c23-3736-4fd9-8612-a975b98d88d6"
    assert cell["decision_visibility"] == '["DECISION_VISIBILITY_CONTENT_LABELLED"]'
    assert cell["content_type"] == '["CONTENT_TYPE_SYNTHETIC_MEDIA","CONTENT_TYPE_VIDEO"]'
    assert cell["territorial_scope"] == '["DE","FR"]'
    assert cell["category_addition"] == ""
    assert cell["decision_monetary"] == ""
    assert cell["content_id_ean"] == "0123456789123"
    assert cell["content_date"] == "2026-05-02"
    assert cell["automated_detection"] == "Yes"
    assert cell["platform_name"] == "Example Video"
    assert cell["platform_uid"] == "accord-case-0001"
    assert cell["created_at"] == "2026-05-03 09:16:55"


def test_an_unpublished_statement_leaves_uuid_and_created_at_empty() -> None:
    _, row = rows(to_csv([statement()]))
    cell = dict(zip(CSV_COLUMNS, row, strict=True))
    assert cell["uuid"] == ""
    assert cell["created_at"] == ""


@pytest.mark.parametrize(
    "facts",
    ['=HYPERLINK("https://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1"],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused(facts: str) -> None:
    _, row = rows(to_csv([statement(decision_facts="ok", source_identity=facts)]))
    cell = dict(zip(CSV_COLUMNS, row, strict=True))
    assert cell["source_identity"] == "'" + facts.strip()
    assert cell["decision_facts"] == "ok"


def test_text_with_commas_quotes_and_newlines_survives_the_csv() -> None:
    facts = 'He said "vote on Monday",\nbut the election is on Sunday.'
    _, row = rows(to_csv([statement(decision_facts=facts)]))
    assert dict(zip(CSV_COLUMNS, row, strict=True))["decision_facts"] == facts
