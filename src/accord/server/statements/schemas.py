"""The DSA Transparency Database's statement of reasons (DSA Art. 17), validated as its API does.

The rules mirror the API's Laravel validator (``StatementStoreRequest``, and the batch rules
in ``GroupedSubmissionsService``, 242ba47f); the enumerations a statement draws on are the
TDB's own keys (``statements.vocabulary``, named here too for other domains). Where the TDB
silently drops a field that does not apply (``exclude_unless``), this model refuses it instead,
so that what we keep is what the TDB publishes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from accord.errors import BadRequest
from accord.server.statements.vocabulary import (
    CONTENT_ID_EAN_13,
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

__all__ = ["LABELS", "TERRITORIAL_SCOPE", "Category", "Keyword", "StatementOfReasons"]

# max: rules of the API's validator, in characters.
_LIMITS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "decision_visibility_other": 500,
        "decision_monetary_other": 500,
        "decision_ground_reference_url": 500,
        "illegal_content_legal_ground": 500,
        "illegal_content_explanation": 2000,
        "incompatible_content_ground": 500,
        "incompatible_content_explanation": 2000,
        "content_type_other": 500,
        "category_specification_other": 500,
        "decision_facts": 5000,
        "source_identity": 500,
        "puid": 500,
    }
)
# Laravel's regex:/^[a-zA-Z0-9-_]+$/D: letters, digits, hyphen and underscore, nothing else.
_PUID = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
_YMD = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_EAN_13 = re.compile(r"\d{13}", re.ASCII)
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*", re.ASCII)

# date rules: content_date after_or_equal:2000-01-01, application_date after_or_equal:2020-01-01,
# every date before_or_equal:2038-01-01 (GroupedSubmissionsService::multi_rules).
_CONTENT_DATE_MIN: Final = date(2000, 1, 1)
_APPLICATION_DATE_MIN: Final = date(2020, 1, 1)
_DATE_MAX: Final = date(2038, 1, 1)
_END_DATES: Final = (
    "end_date_visibility_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_account_restriction",
)
_ENUM_FIELDS: Final[Mapping[str, type[StrEnum]]] = MappingProxyType(
    {
        "decision_monetary": DecisionMonetary,
        "decision_provision": DecisionProvision,
        "decision_account": DecisionAccount,
        "account_type": AccountType,
        "decision_ground": DecisionGround,
        "incompatible_content_illegal": YesNo,
        "category": Category,
        "source_type": SourceType,
        "automated_detection": YesNo,
        "automated_decision": AutomatedDecision,
    }
)
_ENUM_ARRAY_FIELDS: Final[Mapping[str, type[StrEnum]]] = MappingProxyType(
    {
        "decision_visibility": DecisionVisibility,
        "category_addition": Category,
        "category_specification": Keyword,
        "content_type": ContentType,
    }
)
_TEXT_FIELDS: Final = (
    "decision_visibility_other",
    "decision_monetary_other",
    "decision_ground_reference_url",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "category_specification_other",
    "content_type_other",
    "content_language",
    "decision_facts",
    "source_identity",
    "puid",
)
_DATE_FIELDS: Final = ("content_date", "application_date", *_END_DATES)

_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True, kw_only=True, slots=True)
class StatementOfReasons:
    """One statement of reasons, field names exactly the TDB's JSON keys.

    Construction normalizes (TDB keys become enum members, lists tuples, ``YYYY-MM-DD``
    strings dates, blank text ``None`` as Laravel's middleware does) and then validates, so an
    instance that exists is one the TDB's ``POST /api/v1/statement`` accepts.
    """

    decision_visibility: tuple[DecisionVisibility, ...] = ()
    decision_visibility_other: str | None = None
    end_date_visibility_restriction: date | None = None
    decision_monetary: DecisionMonetary | None = None
    decision_monetary_other: str | None = None
    end_date_monetary_restriction: date | None = None
    decision_provision: DecisionProvision | None = None
    end_date_service_restriction: date | None = None
    decision_account: DecisionAccount | None = None
    end_date_account_restriction: date | None = None
    account_type: AccountType | None = None
    decision_ground: DecisionGround
    decision_ground_reference_url: str | None = None
    illegal_content_legal_ground: str | None = None
    illegal_content_explanation: str | None = None
    incompatible_content_ground: str | None = None
    incompatible_content_explanation: str | None = None
    incompatible_content_illegal: YesNo | None = None
    category: Category
    category_addition: tuple[Category, ...] = ()
    category_specification: tuple[Keyword, ...] = ()
    category_specification_other: str | None = None
    content_type: tuple[ContentType, ...]
    content_type_other: str | None = None
    content_language: str | None = None
    content_date: date
    content_id: Mapping[str, str] | None = field(default=None, hash=False)
    territorial_scope: tuple[str, ...] = ()
    application_date: date
    decision_facts: str
    source_type: SourceType
    source_identity: str | None = None
    automated_detection: YesNo
    automated_decision: AutomatedDecision
    puid: str

    def __post_init__(self) -> None:
        problems: list[str] = []
        self._normalize(problems)
        named = {problem.split(":", 1)[0] for problem in problems}
        problems.extend(
            f"{name}: required"
            for name in _REQUIRED
            if getattr(self, name) is None and name not in named
        )
        if not problems:
            self._check(problems)
        if problems:
            raise BadRequest("; ".join(problems))

    @classmethod
    def from_json(cls, body: object) -> StatementOfReasons:
        """Read a TDB request body (or a stored one); ``null`` means absent, unknown keys fail."""
        if not isinstance(body, Mapping):
            raise BadRequest("statement: must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(key) for key in body if key not in known)
        if unknown:
            raise BadRequest(f"{', '.join(unknown)}: not a TDB statement field")
        values = {key: value for key, value in body.items() if value is not None}
        missing = sorted(name for name in _REQUIRED if name not in values)
        if missing:
            raise BadRequest("; ".join(f"{name}: required" for name in missing))
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """The body ``POST /api/v1/statement`` takes: TDB keys, unset optional fields left out."""
        body: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value is None or value == ():
                continue
            if isinstance(value, tuple):
                body[spec.name] = [str(item) for item in value]
            elif isinstance(value, StrEnum):
                body[spec.name] = value.value
            elif isinstance(value, date):
                body[spec.name] = value.isoformat()
            elif isinstance(value, Mapping):
                body[spec.name] = dict(value)
            else:
                body[spec.name] = value
        return body

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _normalize(self, problems: list[str]) -> None:
        for name in _TEXT_FIELDS:
            self._set(name, _text(name, getattr(self, name), problems))
        for name, enum in _ENUM_FIELDS.items():
            self._set(name, _member(name, enum, getattr(self, name), problems))
        for name, enum in _ENUM_ARRAY_FIELDS.items():
            items = _array(name, getattr(self, name), problems)
            self._set(name, tuple(_member(name, enum, item, problems) for item in items))
        scope = _array("territorial_scope", self.territorial_scope, problems)
        self._set("territorial_scope", tuple(scope))
        for name in _DATE_FIELDS:
            self._set(name, _date(name, getattr(self, name), problems))
        self._set("content_id", _content_id(self.content_id, problems))

    def _check(self, problems: list[str]) -> None:
        self._check_decisions(problems)
        self._check_ground(problems)
        self._check_content(problems)
        self._check_dates(problems)
        self._check_source(problems)
        for name, limit in _LIMITS.items():
            value = getattr(self, name)
            if value is not None and len(value) > limit:
                problems.append(f"{name}: at most {limit} characters, got {len(value)}")

    def _check_decisions(self, problems: list[str]) -> None:
        # required_without_all: DSA Art. 17(1) needs at least one restriction.
        if not (
            self.decision_visibility
            or self.decision_monetary
            or self.decision_provision
            or self.decision_account
        ):
            problems.append(
                "decision_visibility: at least one of decision_visibility, decision_monetary, "
                "decision_provision or decision_account is required"
            )
        _only_with(
            "decision_visibility_other",
            self.decision_visibility_other,
            DecisionVisibility.OTHER in self.decision_visibility,
            "decision_visibility contains DECISION_VISIBILITY_OTHER",
            problems,
        )
        _only_with(
            "decision_monetary_other",
            self.decision_monetary_other,
            self.decision_monetary is DecisionMonetary.OTHER,
            "decision_monetary is DECISION_MONETARY_OTHER",
            problems,
        )

    def _check_ground(self, problems: list[str]) -> None:
        illegal = self.decision_ground is DecisionGround.ILLEGAL_CONTENT
        when_illegal = "decision_ground is DECISION_GROUND_ILLEGAL_CONTENT"
        when_incompatible = "decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT"
        for name in ("illegal_content_legal_ground", "illegal_content_explanation"):
            _only_with(name, getattr(self, name), illegal, when_illegal, problems)
        for name in ("incompatible_content_ground", "incompatible_content_explanation"):
            _only_with(name, getattr(self, name), not illegal, when_incompatible, problems)
        if illegal and self.incompatible_content_illegal is not None:
            problems.append(f"incompatible_content_illegal: only allowed when {when_incompatible}")
        url = self.decision_ground_reference_url
        if url is not None and not _is_url(url):
            problems.append("decision_ground_reference_url: must be an absolute URL")

    def _check_content(self, problems: list[str]) -> None:
        if not self.content_type:
            problems.append("content_type: at least one content type is required")
        _only_with(
            "content_type_other",
            self.content_type_other,
            ContentType.OTHER in self.content_type,
            "content_type contains CONTENT_TYPE_OTHER",
            problems,
        )
        _only_with(
            "category_specification_other",
            self.category_specification_other,
            Keyword.OTHER in self.category_specification,
            "category_specification contains KEYWORD_OTHER",
            problems,
        )
        outside = [code for code in self.territorial_scope if code not in TERRITORIAL_SCOPE]
        if outside:
            problems.append(
                f"territorial_scope: {', '.join(map(repr, outside))} not an EU/EEA country code"
            )
        language = self.content_language
        if language is not None and language not in CONTENT_LANGUAGES:
            problems.append(
                f"content_language: {language!r} is not an uppercase ISO 639-1 code such as 'EN'"
            )
        if not _PUID.fullmatch(self.puid):
            problems.append("puid: only letters, digits, '-' and '_' are allowed")

    def _check_dates(self, problems: list[str]) -> None:
        if not _CONTENT_DATE_MIN <= self.content_date <= _DATE_MAX:
            problems.append(f"content_date: must be between {_CONTENT_DATE_MIN} and {_DATE_MAX}")
        if not _APPLICATION_DATE_MIN <= self.application_date <= _DATE_MAX:
            problems.append(
                f"application_date: must be between {_APPLICATION_DATE_MIN} and {_DATE_MAX}"
            )
        for name in _END_DATES:
            end: date | None = getattr(self, name)
            if end is None:
                continue
            if end > _DATE_MAX:
                problems.append(f"{name}: must be on or before {_DATE_MAX}")
            # The API documentation (v2): "must be after or equal to the application date".
            if end < self.application_date:
                problems.append(f"{name}: must be on or after application_date")

    def _check_source(self, problems: list[str]) -> None:
        # The TDB drops source_identity for SOURCE_VOLUNTARY ("will not be taken into account").
        if self.source_type is SourceType.VOLUNTARY and self.source_identity is not None:
            problems.append("source_identity: must be empty when source_type is SOURCE_VOLUNTARY")


_REQUIRED: Final = tuple(
    spec.name
    for spec in fields(StatementOfReasons)
    if spec.default is MISSING and spec.default_factory is MISSING
)


def _text(name: str, value: object, problems: list[str]) -> str | None:
    """Trim, and treat blank as absent, as Laravel's TrimStrings/ConvertEmptyStringsToNull do."""
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"{name}: must be a string")
        return None
    return value.strip() or None


def _member(name: str, enum: type[_E], value: object, problems: list[str]) -> _E | None:
    if value is None or isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    problems.append(f"{name}: {value!r} is not one of the TDB's values")
    return None


def _array(name: str, value: object, problems: list[str]) -> Iterable[object]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return value
    problems.append(f"{name}: must be an array")
    return ()


def _date(name: str, value: object, problems: list[str]) -> date | None:
    # date_format:Y-m-d; a datetime would carry a time the TDB does not take.
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and _YMD.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"{name}: must be a date in the form YYYY-MM-DD")
    return None


def _content_id(value: object, problems: list[str]) -> Mapping[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {CONTENT_ID_EAN_13}:
        problems.append(f'content_id: must be {{"{CONTENT_ID_EAN_13}": "<13 digits>"}}')
        return None
    ean = value[CONTENT_ID_EAN_13]
    if not isinstance(ean, str) or not _EAN_13.fullmatch(ean):
        problems.append(f"content_id: {CONTENT_ID_EAN_13} must be a string of 13 digits")
        return None
    return MappingProxyType({CONTENT_ID_EAN_13: ean})


def _only_with(name: str, value: str | None, allowed: bool, when: str, problems: list[str]) -> None:
    """``required_if`` plus ``exclude_unless``: present exactly when its condition holds."""
    if allowed and value is None:
        problems.append(f"{name}: required when {when}")
    elif not allowed and value is not None:
        problems.append(f"{name}: only allowed when {when}")


def _is_url(value: str) -> bool:
    """Laravel's ``url`` rule, approximated: a scheme, a host and no whitespace."""
    if any(character.isspace() for character in value):
        return False
    parts = urlsplit(value)
    return bool(_URL_SCHEME.fullmatch(parts.scheme) and parts.netloc)
