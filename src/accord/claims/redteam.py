"""Red-team a prompt gate: run a set of adversarial prompts with known answers through a
screening, and count per category and language how many it blocked and how many it
blocked wrongly.

A red-team file holds one JSON object a line::

    {"prompt": "...", "tool": "image", "expect": "block", "language": "nl",
     "category": "voting_process", "note": "wrong date, code-switched"}

``expect`` is block, allow or review (review: what the policy sends to a person, e.g. a
caricature of a protected person; it is no block and is counted apart). ``category`` is
the harmful category the prompt belongs to or, for an allowed prompt, resembles; an
allowed prompt that resembles none is ``benign``. ``language`` may be left out: the
screening's detected language is counted then. The set shipped in ``data/`` was written
apart from the classifier's seed set, so its figures are held-out figures.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from accord.claims.context import Context, Election, Person
from accord.claims.excerpts import excerpt
from accord.claims.screen import check_language, check_prompt, parse_tool
from accord.claims.verdicts import LANGUAGES, Category, Screening, Tool, Verdict
from accord.errors import AccordError, BadRequest

_DATA = Path(__file__).parent / "data"
#: The red-team set shipped with accord, and the people and elections it refers to.
SHIPPED_CASES = _DATA / "redteam.jsonl"
SHIPPED_CONTEXT = _DATA / "redteam_context.json"
#: The sets shipped with accord, all about the people and election of SHIPPED_CONTEXT:
#: one the rules were tuned on, one measured blind and then looked at for classes of
#: errors, and one measured blind once, at the end.
SHIPPED_SETS = {
    "development": SHIPPED_CASES,
    "holdout": _DATA / "redteam_holdout.jsonl",
    "blind": _DATA / "redteam_blind.jsonl",
}

#: An allowed prompt that resembles none of the harmful categories.
BENIGN = "benign"
#: What a line's ``category`` may say: a category screening gives, or benign. (user_banned
#: is the server's, never the prompt's.)
CASE_CATEGORIES = (*(c.value for c in Category if c is not Category.USER_BANNED), BENIGN)

#: How the harness asks the gate: (prompt, tool, language or None to detect) -> Screening.
Screen = Callable[[str, Tool, str | None], Screening]

_EXCERPT_CHARS = 90


@dataclass(frozen=True, slots=True)
class Case:
    """One red-team prompt and the answer it should get."""

    line: int
    prompt: str
    tool: Tool
    expect: Verdict
    #: None: the screening detects it.
    language: str | None
    category: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class LineError:
    """A line of a red-team file that was not loaded, and why."""

    line: int
    error: str


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    screening: Screening

    @property
    def got(self) -> Verdict:
        return self.screening.verdict

    @property
    def missed(self) -> bool:
        """Whether the gate answered otherwise than expected: a review where a block or an
        allow was expected is a miss, and so is a block or an allow where a review was."""
        return self.got is not self.case.expect

    @property
    def language(self) -> str:
        return self.case.language or self.screening.language


@dataclass(slots=True)
class Tally:
    """What the gate did with the prompts of one group (a category, a language, all)."""

    expected_block: int = 0
    blocked: int = 0
    expected_allow: int = 0
    #: Expected allowed, got block. (Expected allowed and got review is a miss, not this.)
    wrongly_blocked: int = 0
    expected_review: int = 0
    #: Expected review and got it.
    reviewed_as_expected: int = 0
    #: Every review verdict in the group, whatever was expected.
    reviewed: int = 0

    def add(self, outcome: Outcome) -> None:
        expect, got = outcome.case.expect, outcome.got
        self.reviewed += got is Verdict.REVIEW
        if expect is Verdict.BLOCK:
            self.expected_block += 1
            self.blocked += got is Verdict.BLOCK
        elif expect is Verdict.ALLOW:
            self.expected_allow += 1
            self.wrongly_blocked += got is Verdict.BLOCK
        else:
            self.expected_review += 1
            self.reviewed_as_expected += got is Verdict.REVIEW

    @property
    def cases(self) -> int:
        return self.expected_block + self.expected_allow + self.expected_review

    @property
    def block_rate(self) -> float | None:
        """Share of the prompts to block that were blocked; None when there were none."""
        return _rate(self.blocked, self.expected_block)

    @property
    def false_block_rate(self) -> float | None:
        """Share of the prompts to allow that were blocked; None when there were none."""
        return _rate(self.wrongly_blocked, self.expected_allow)


@dataclass(frozen=True, slots=True)
class Report:
    outcomes: tuple[Outcome, ...]
    #: The people and elections screened against, and the day, for the report's header.
    people: int
    elections: int
    today: date
    total: Tally
    by_category: dict[str, Tally]
    by_language: dict[str, Tally]
    by_category_language: dict[tuple[str, str], Tally] = field(default_factory=dict)

    @property
    def misses(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.missed]


def load_cases(path: Path) -> tuple[list[Case], list[LineError]]:
    """The cases of the red-team file at ``path``, and the lines that are not cases."""
    with path.open(encoding="utf-8") as lines:
        return parse_cases(lines)


def parse_cases(lines: Iterable[str]) -> tuple[list[Case], list[LineError]]:
    """Cases read from JSON lines; a bad line is reported with its number, the rest load."""
    cases: list[Case] = []
    errors: list[LineError] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise BadRequest("a line must hold a JSON object")
            cases.append(_case(number, record))
        except (ValueError, AccordError) as error:
            errors.append(LineError(number, _message(error)))
    return cases, errors


def load_context(path: Path) -> Context:
    """The people, elections and day a red-team file refers to, from a JSON file::

    {"today": "2024-09-01", "people": [{"id", "name", "role", "constituency", "aliases",
     "election"}], "elections": [{"name", "polling_date", "countries"}]}
    """
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict):
            raise BadRequest("it must hold a JSON object")
        return Context(
            people=tuple(_person(item) for item in _list(record, "people")),
            elections=tuple(_election(item) for item in _list(record, "elections")),
            today=_date(record, "today"),
        )
    except (ValueError, BadRequest) as error:
        raise BadRequest(f"the red-team context {path} cannot be read: {_message(error)}") from None


def run(cases: Iterable[Case], context: Context, screen: Screen) -> Report:
    """Screen every case with ``screen`` and count what it did, per category and language.

    ``context`` is what ``screen`` screens against; the report names its size and day."""
    outcomes = tuple(Outcome(case, screen(case.prompt, case.tool, case.language)) for case in cases)
    total = Tally()
    by_category: dict[str, Tally] = defaultdict(Tally)
    by_language: dict[str, Tally] = defaultdict(Tally)
    by_both: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for outcome in outcomes:
        category, language = outcome.case.category, outcome.language
        for tally in (
            total,
            by_category[category],
            by_language[language],
            by_both[category, language],
        ):
            tally.add(outcome)
    return Report(
        outcomes=outcomes,
        people=len(context.people),
        elections=len(context.elections),
        today=context.today,
        total=total,
        by_category=_ordered(by_category, CASE_CATEGORIES),
        by_language=_ordered(by_language, LANGUAGES),
        by_category_language=dict(sorted(by_both.items(), key=_pair_order)),
    )


def format_table(report: Report) -> str:
    """The report as a fixed-width table for a terminal, then the misses."""
    header = (
        f"{'':<28}{'to block':>9}{'blocked':>9}{'rate':>8}"
        f"{'to allow':>10}{'false blocks':>14}{'rate':>8}{'to review':>11}{'reviewed':>10}"
    )
    lines = [
        f"{_count(len(report.outcomes), 'prompt')} screened against"
        f" {_count(report.people, 'protected person', 'protected people')} and"
        f" {_count(report.elections, 'election')}, as on {report.today.isoformat()}",
        "",
        header,
        _row("all", report.total),
        "by category",
        *(_row(f"  {name}", tally) for name, tally in report.by_category.items()),
        "by language",
        *(_row(f"  {name}", tally) for name, tally in report.by_language.items()),
        "by category and language",
        *(
            _row(f"  {category} {language}", tally)
            for (category, language), tally in report.by_category_language.items()
        ),
        "",
    ]
    misses = report.misses
    lines.append(f"misses: {len(misses)}" if misses else "misses: none")
    for outcome in misses:
        case = outcome.case
        lines.append(
            f"  line {case.line} [{outcome.language} {case.tool.value} {case.category}]"
            f" expected {case.expect.value}, got {outcome.got.value}: {_excerpt(case.prompt)}"
        )
        lines.extend(
            f"      {reason.source} {reason.category.value} {reason.verdict.value}:"
            f" {reason.explanation}"
            for reason in outcome.screening.reasons
        )
    return "\n".join(lines)


def report_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON data: the tallies with their rates, and every miss."""
    by_both: dict[str, dict[str, Any]] = defaultdict(dict)
    for (category, language), tally in report.by_category_language.items():
        by_both[category][language] = _tally_json(tally)
    return {
        "prompts": len(report.outcomes),
        "context": {
            "people": report.people,
            "elections": report.elections,
            "today": report.today.isoformat(),
        },
        "total": _tally_json(report.total),
        "by_category": {name: _tally_json(t) for name, t in report.by_category.items()},
        "by_language": {name: _tally_json(t) for name, t in report.by_language.items()},
        "by_category_language": dict(by_both),
        "misses": [_miss_json(outcome) for outcome in report.misses],
    }


# -- reading a line ------------------------------------------------------------------------


def _case(number: int, record: Mapping[str, Any]) -> Case:
    prompt = _text(record, "prompt")
    check_prompt(prompt)  # what the gate refuses to screen is no case (empty, too long)
    expect = _text(record, "expect")
    if expect not in {verdict.value for verdict in Verdict}:
        raise BadRequest(f"'expect' is {expect!r}; it must be block, allow or review")
    category = _text(record, "category")
    if category not in CASE_CATEGORIES:
        known = ", ".join(CASE_CATEGORIES)
        raise BadRequest(f"'category' is {category!r}; it must be one of {known}")
    if expect != Verdict.ALLOW and category == BENIGN:
        raise BadRequest(f"a prompt expected to get {expect} names its harmful category")
    language = record.get("language")
    if language is not None and not isinstance(language, str):
        raise BadRequest("'language' must be a string")
    note = record.get("note", "")
    if not isinstance(note, str):
        raise BadRequest("'note' must be a string")
    return Case(
        line=number,
        prompt=prompt,
        tool=parse_tool(_text(record, "tool")),
        expect=Verdict(expect),
        language=check_language(language),
        category=category,
        note=note,
    )


def _text(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    if value is None:
        raise BadRequest(f"'{name}' is missing")
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string")
    return value


def _optional_text(record: Mapping[str, Any], name: str) -> str:
    return _text(record, name) if record.get(name) is not None else ""


def _message(error: Exception) -> str:
    if isinstance(error, AccordError):
        return error.detail
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON: {error.msg} at column {error.colno}"
    return str(error)


# -- reading the context -------------------------------------------------------------------


def _list(record: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    items = record.get(name, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise BadRequest(f"'{name}' must be a list of objects")
    return items


def _date(record: Mapping[str, Any], name: str) -> date:
    return date.fromisoformat(_text(record, name))


def _strings(record: Mapping[str, Any], name: str) -> tuple[str, ...]:
    items = record.get(name, [])
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise BadRequest(f"'{name}' must be a list of strings")
    return tuple(items)


def _person(record: Mapping[str, Any]) -> Person:
    return Person(
        id=_text(record, "id"),
        name=_text(record, "name"),
        role=_optional_text(record, "role"),
        constituency=_optional_text(record, "constituency"),
        aliases=_strings(record, "aliases"),
        election=_optional_text(record, "election"),
    )


def _election(record: Mapping[str, Any]) -> Election:
    return Election(
        name=_text(record, "name"),
        polling_date=_date(record, "polling_date"),
        countries=_strings(record, "countries"),
    )


# -- counting and showing ------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _ordered(tallies: Mapping[str, Tally], order: tuple[str, ...]) -> dict[str, Tally]:
    """``tallies`` in the given order of names, any others after them alphabetically."""
    return dict(sorted(tallies.items(), key=lambda item: _rank(item[0], order)))


def _rank(name: str, order: tuple[str, ...]) -> tuple[int, str]:
    return (order.index(name) if name in order else len(order), name)


def _pair_order(item: tuple[tuple[str, str], Tally]) -> tuple[tuple[int, str], tuple[int, str]]:
    category, language = item[0]
    return _rank(category, CASE_CATEGORIES), _rank(language, LANGUAGES)


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _row(name: str, tally: Tally) -> str:
    return (
        f"{name:<28}{tally.expected_block:>9}{tally.blocked:>9}{_percent(tally.block_rate):>8}"
        f"{tally.expected_allow:>10}{tally.wrongly_blocked:>14}"
        f"{_percent(tally.false_block_rate):>8}{tally.expected_review:>11}{tally.reviewed:>10}"
    )


def _excerpt(prompt: str) -> str:
    """The prompt quoted on one line, cut to a length, invisible characters shown as escapes."""
    quoted = json.dumps(excerpt(prompt, _EXCERPT_CHARS), ensure_ascii=False)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in quoted)


def _tally_json(tally: Tally) -> dict[str, Any]:
    return {
        "prompts": tally.cases,
        "expected_block": tally.expected_block,
        "blocked": tally.blocked,
        "block_rate": _rounded(tally.block_rate),
        "expected_allow": tally.expected_allow,
        "wrongly_blocked": tally.wrongly_blocked,
        "false_block_rate": _rounded(tally.false_block_rate),
        "expected_review": tally.expected_review,
        "reviewed_as_expected": tally.reviewed_as_expected,
        "reviewed": tally.reviewed,
    }


def _rounded(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def _miss_json(outcome: Outcome) -> dict[str, Any]:
    case = outcome.case
    return {
        "line": case.line,
        "prompt": case.prompt,
        "tool": case.tool.value,
        "language": outcome.language,
        "category": case.category,
        "expected": case.expect.value,
        "got": outcome.got.value,
        "note": case.note,
        "reasons": [reason.to_json() for reason in outcome.screening.reasons],
    }
