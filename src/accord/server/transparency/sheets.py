"""A period's figures as the harmonised report's sheets (Implementing Regulation (EU) 2024/2835,
Annex I): one ``Sheet`` per template sheet, its exact header row, and rows of plain values that
the CSV and XLSX writers (``files``) only format.

Every number comes from the one ``Figures`` the page and the API read too. Counts are ints,
medians hours (floats, 2 decimals), rates percents (2 decimals); an empty cell is ``None``.
What accord cannot know is left empty or zero with the reason in the contextual column, never
guessed. ``min_count`` turns the regulator's exact files into public ones: a count from 1 to
``min_count - 1`` becomes the text "fewer than N", and a median or rate over fewer cases than
that is left empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Final, NamedTuple, TypeAlias

from accord.server.db.base import utc_now
from accord.server.decisions.schemas import ACTION_LABELS, Action
from accord.server.notices.schemas import REASON_CATEGORY, REASON_LABELS, REASON_SHORT
from accord.server.statements.schemas import LABELS, Category
from accord.server.transparency import templates
from accord.server.transparency.schemas import (
    Durations,
    NoticeFigures,
    RestrictionFigures,
)

if TYPE_CHECKING:
    from accord.server.settings import Settings
    from accord.server.transparency.schemas import Figures

#: A cell: a count, hours or a percent, text, or empty.
Cell: TypeAlias = str | int | float | None

APPLICABLE: Final = "Applicable"
#: ``Service`` when the instance names none (``ACCORD_DSA_SERVICE_NAME``).
DEFAULT_SERVICE: Final = "accord"
#: The scope of a figure not broken down any further.
ALL: Final = "All"

#: The template's 15 categories in its order: alphabetical, "Other violation of the provider's
#: terms and conditions" last. NOT_SPECIFIED_NOTICE is a TDB key, not a template row.
TEMPLATE_CATEGORIES: Final = (
    *(
        category
        for category in Category
        if category not in (Category.NOT_SPECIFIED_NOTICE, Category.OTHER_VIOLATION_TC)
    ),
    Category.OTHER_VIOLATION_TC,
)

_NEVER_TAKEN: Final = "accord's decisions never take this measure."
_NO_ORDERS: Final = (
    "accord receives no orders from Member State authorities (DSA Arts. 9 and 10) through it: "
    "none are recorded, and the provider reports those it received by other means."
)
_SOLELY_AUTOMATED: Final = (
    "No person decided: a copy matched automatically to content a reviewer had already decided "
    "on, and that standing decision applied to it."
)
_NOT_RECORDED: Final = "Not recorded by accord."


class Sheet(NamedTuple):
    """One sheet of the report: its template name, exact header row and rows of cells."""

    name: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def report_sheets(
    figures: Figures,
    settings: Settings,
    *,
    min_count: int | None = None,
    published: date | None = None,
) -> list[Sheet]:
    """Every sheet of the quantitative template and the qualitative one, in order.

    ``published`` is the date of publication the report states (default: today, in the
    instance's time zone)."""
    report = _Report(figures, settings, min_count, published)
    sheets = [
        report.identification(),
        report.categories(),
        report.member_state_orders(),
        report.notices(),
        report.own_initiative(templates.OWN_INITIATIVE_ILLEGAL, "illegal"),
        report.own_initiative(templates.OWN_INITIATIVE_TERMS, "incompatible"),
        report.appeals(),
        report.automated_means(),
        report.qualitative(),
    ]
    if min_count is None:
        return sheets
    return [sheet._replace(rows=_hide_small(sheet.rows, min_count)) for sheet in sheets]


class _Report:
    def __init__(
        self, figures: Figures, settings: Settings, min_count: int | None, published: date | None
    ) -> None:
        self.figures = figures
        self.settings = settings
        self.min_count = min_count
        self.published = published or utc_now().astimezone(settings.zone).date()
        self.service = settings.dsa_service_name or DEFAULT_SERVICE
        self.period = figures.period.reporting_period

    # Sheets 1 and 2: who reports, and the categories.

    def identification(self) -> Sheet:
        period = self.figures.period
        values = [
            ("Name of the provider", self.settings.dsa_provider_name),
            ("Name of the service", self.service),
            ("Reporting period", period.reporting_period),
            ("Start date of the reporting period", period.first.isoformat()),
            ("End date of the reporting period", period.last.isoformat()),
            ("Date of publication", self.published.isoformat()),
            ("Time zone in which days are counted", self.settings.time_zone),
            (
                "Template",
                "Implementing Regulation (EU) 2024/2835, Annex I (harmonised templates)",
            ),
            ("Produced with", "accord"),
        ]
        name = templates.IDENTIFICATION
        return _sheet(
            name,
            (
                {"Applicability": APPLICABLE, "Service": self.service, "Indicator": k, "Value": v}
                for k, v in values
            ),
        )

    def categories(self) -> Sheet:
        category_header = "Category of illegal content / incompatible with the terms and conditions"
        rows: list[dict[str, Cell]] = [
            {
                "Category label": LABELS.get(category, category),
                "Category description": category,
                category_header: LABELS.get(category, category),
                "Contextual information": (
                    "A category of the template; accord's statements of reasons name it by"
                    " this key in the DSA Transparency Database."
                ),
            }
            for category in self._categories()
        ]
        rows.extend(
            {
                "Category label": REASON_SHORT[reason],
                "Category description": REASON_LABELS[reason],
                category_header: LABELS[category],
                "Contextual information": (
                    f"A reason a notifier gives on accord's notice form ({reason}); notices"
                    " giving it are counted under this category."
                ),
            }
            for reason, category in REASON_CATEGORY.items()
        )
        return _sheet(templates.CATEGORIES, rows)

    # Sheet 3: Member State orders, which accord does not receive.

    def member_state_orders(self) -> Sheet:
        def row(category: str) -> dict[str, Cell]:
            return {
                **self._common(category, "Category of illegal content"),
                "Scope": "All Member States",
                "Number of orders to act against illegal content received": 0,
                "Number of specific items of information included in the total number of"
                " orders to act against illegal content": 0,
                "Number of orders to provide information": 0,
                "Contextual information on number of orders to act against illegal content"
                " received": _NO_ORDERS,
                "Contextual information on Number of orders to provide information": _NO_ORDERS,
            }

        return _sheet(templates.MEMBER_STATE_ORDERS, map(row, self._categories()))

    # Sheet 4: Art. 16 notices.

    def notices(self) -> Sheet:
        def row(category: str) -> dict[str, Cell]:
            found = self.figures.notices.get(category, NoticeFigures())
            median, median_note = self._median(found.time_to_action, "notices acted on")
            median_tf, median_tf_note = self._median(
                found.time_to_action_trusted_flaggers, "trusted flaggers' notices acted on"
            )
            actions = (
                " Statements of reasons issued on notices: one per restricted copy of the"
                " content, counted by the day they were issued."
            )
            return {
                **self._common(category, "Category of illegal content"),
                "Number of notices received ": found.received,
                "Number of notices received from Trusted flaggers": found.from_trusted_flaggers,
                "Number of specific items of information included in the total number of"
                " notices": found.items,
                "Number of specific items of information included in the total number of"
                " notices by Trusted Flaggers (Trusted Flagger notices)": (
                    found.items_from_trusted_flaggers
                ),
                "Median time to take action": median,
                "Median time to take action (Trusted Flagger notices)": median_tf,
                "Number of actions taken on the basis of the law": found.actions_law,
                "Number of actions taken on the basis of the law (Trusted Flagger notices)": (
                    found.actions_law_trusted_flaggers
                ),
                "Number of actions taken on the basis of the terms and conditions of the"
                " service": found.actions_terms,
                "Number of actions taken on the basis of the terms and conditions of the"
                " service (Trusted Flagger notices)": found.actions_terms_trusted_flaggers,
                "Contextual information on Number of notices received ": (
                    "Notices under DSA Art. 16, counted by the day they arrived; a notice's"
                    " category follows the reason it gives."
                ),
                "Contextual information on Number of notices received from Trusted flaggers": (
                    "Notices sent with the API key of a trusted flagger (DSA Art. 22); also"
                    " counted in the notices received."
                ),
                "Contextual information on Number of specific items of information included"
                " in the total number of notices": (
                    "Distinct copies of content (files or posts) the notices named."
                ),
                "Contextual information on Median time to take action": median_note,
                "Contextual information on Median time to take action (Trusted Flagger"
                " notices)": median_tf_note,
                "Contextual information on Number of actions taken on the basis of the law": (
                    "Content illegal under Union or national law." + actions
                ),
                "Contextual information on Number of actions taken on the basis of the terms"
                " and conditions of the service": (
                    "Content incompatible with the terms and conditions." + actions
                ),
            }

        return _sheet(templates.NOTICES, map(row, self._categories()))

    # Sheets 5 and 6: measures taken on the provider's own initiative.

    def own_initiative(self, name: str, ground: str) -> Sheet:
        found_by_category = self.figures.own_initiative.get(ground, {})
        category_header = templates.headers(name)[3]

        def row(category: str) -> dict[str, Cell]:
            found = found_by_category.get(category, RestrictionFigures())
            values: dict[str, Cell] = {
                **self._common(category, category_header),
                "Number of measures taken at the provider's own initiative ": found.total,
                "Number of measures taken after detection with solely automated means ": (
                    found.solely_automated
                ),
                "Visibility restriction Removal": found.removal,
                "Visibility restriction Disable": found.disable,
                "Visibility restriction Demoted": found.demoted,
                "Visibility restriction Labelled ": found.labelled,
                "Account restriction Suspension": found.account_suspension,
                "Account restriction Termination": found.account_termination,
                "Contextual Information on Number of measures taken at the provider's own"
                " initiative ": (
                    "Statements of reasons issued for restrictions no notice asked for:"
                    " content found by matching uploads against banks of confirmed deceptive"
                    " content, and decisions applied automatically to copies found later."
                ),
                "Contextual Information on Number of measures taken after detection with"
                " solely automated means ": _SOLELY_AUTOMATED,
                "Contextual Information on Visibility restriction Labelled ": (
                    "Labelled as AI-generated or as altered."
                ),
                "Contextual Information on Account restriction Suspension": (
                    "The uploader's account suspended, as the statement of reasons records it."
                ),
                "Contextual Information on Account restriction Termination": (
                    "The uploader's account terminated, as the statement of reasons records it."
                ),
            }
            for measure in _NEVER_TAKEN_MEASURES:
                values[measure] = 0
                values[f"Contextual Information on {measure}"] = _NEVER_TAKEN
            return values

        return _sheet(name, map(row, self._categories()))

    # Sheet 7: complaints (Art. 20), out-of-court disputes (Art. 21), suspensions (Art. 23).

    def appeals(self) -> Sheet:
        appeals = self.figures.appeals
        art_20 = "Art. 20 complaints (internal complaint-handling system)"
        art_21 = "Art. 21 out-of-court dispute settlement"
        art_23 = "Art. 23 suspensions"
        median, median_note = self._median(appeals.time_to_decision, "complaints decided")
        by_appellant = {"uploader": 0, "notifier": 0, **appeals.by_appellant}
        by_action = {action.value: 0 for action in Action} | appeals.by_action
        appellants = {
            "uploader": "Uploaders, against a restriction of their content",
            "notifier": "Notifiers, against the decision on their notice",
        }
        rows: list[tuple[str, str, str, Cell, str]] = [
            (
                art_20,
                "Number of complaints received",
                ALL,
                appeals.received,
                "Counted by the day they arrived.",
            ),
            *(
                (
                    art_20,
                    "Number of complaints received, by basis",
                    appellants.get(kind, kind),
                    count,
                    "Who complained, and so against what.",
                )
                for kind, count in by_appellant.items()
            ),
            *(
                (
                    art_20,
                    "Number of complaints received, by type of decision complained of",
                    ACTION_LABELS.get(action, action),
                    count,
                    "The action the decision complained of took.",
                )
                for action, count in by_action.items()
            ),
            (
                art_20,
                "Number of complaints decided",
                ALL,
                appeals.upheld + appeals.reversed,
                "Of the complaints received in the period: upheld and reversed.",
            ),
            (
                art_20,
                "Number of decisions upheld",
                ALL,
                appeals.upheld,
                "The complaint was rejected: the decision stands.",
            ),
            (
                art_20,
                "Number of decisions reversed",
                ALL,
                appeals.reversed,
                "The complaint succeeded: the decision was reversed on every copy it applied to.",
            ),
            (
                art_20,
                "Number of complaints closed without a decision",
                ALL,
                appeals.moot,
                "Another complaint reversed the same decision first.",
            ),
            (
                art_20,
                "Number of complaints still open",
                ALL,
                appeals.still_open,
                "Not decided when the report was made.",
            ),
            (
                art_20,
                "Number of complaints decided after the deadline",
                ALL,
                appeals.decided_after_deadline,
                "Decided after the deadline accord sets for deciding a complaint.",
            ),
            (art_20, "Median time to decide a complaint", ALL, median, median_note),
            *(
                (art_21, indicator, ALL, None, _NOT_RECORDED + " " + reason)
                for indicator, reason in _OUT_OF_COURT
            ),
            *self._suspensions(art_23),
        ]
        return _long_sheet(templates.APPEALS, self, rows)

    def _suspensions(self, section: str) -> Iterator[tuple[str, str, str, Cell, str]]:
        found = self.figures.suspensions
        illegal = "Number of suspensions for the provision of manifestly illegal content"
        unfounded = "Number of suspensions for the submission of manifestly unfounded notices"
        imposed = "Imposed in the period, counted by the day they were imposed."
        yield (section, illegal, "Suspended", found.uploaders_suspended, imposed)
        yield (section, illegal, "Terminated", found.uploaders_terminated, imposed)
        yield (
            section,
            unfounded,
            "Suspended",
            found.notifiers_suspended,
            imposed + " accord no longer processes the notifier's notices.",
        )
        yield (section, unfounded, "Terminated", found.notifiers_terminated, imposed)
        yield (
            section,
            "Number of suspensions for the submission of manifestly unfounded complaints",
            ALL,
            None,
            _NOT_RECORDED + " accord does not suspend the handling of complaints.",
        )
        yield (
            section,
            "Number of prior warnings issued",
            ALL,
            found.warnings,
            "Warnings before a suspension (DSA Art. 23(1) and (2)), to uploaders and notifiers.",
        )

    # Sheet 8: automated means and their accuracy.

    def automated_means(self) -> Sheet:
        section = "Automated means used for content moderation"
        accuracy = "Indicators of accuracy of the automated means"
        found = self.figures.automation
        automated_rate, automated_note = self._rate(
            found.automated_appeals_reversed, found.automated_appeals_decided, "automated"
        )
        reviewer_rate, reviewer_note = self._rate(
            found.reviewer_appeals_reversed, found.reviewer_appeals_decided, "reviewers'"
        )
        rows: list[tuple[str, str, str, Cell, str]] = [
            (
                section,
                "Number of notices processed with automated means",
                ALL,
                found.notices_assessed_automatically,
                "Notices whose reported file was assessed automatically at triage (matching"
                " against banks, provenance, watermark, forensic and likeness evidence) to help"
                " a reviewer; the assessment does not decide.",
            ),
            (
                section,
                "Number of decisions taken",
                ALL,
                found.decisions,
                "Counted by the day they were taken.",
            ),
            (
                section,
                "Number of decisions taken solely by automated means",
                ALL,
                found.decisions_automated,
                _SOLELY_AUTOMATED,
            ),
            (
                section,
                "Number of decisions taken by reviewers",
                ALL,
                found.decisions_by_reviewers,
                "A person decided, possibly helped by the automated assessment.",
            ),
            (
                accuracy,
                "Number of complaints decided against decisions taken solely by automated means",
                ALL,
                found.automated_appeals_decided,
                "Decided in the period.",
            ),
            (
                accuracy,
                "Number of decisions taken solely by automated means reversed on complaint",
                ALL,
                found.automated_appeals_reversed,
                "A complaint is counted once, against the decision complained of.",
            ),
            (
                accuracy,
                "Reversal rate of decisions taken solely by automated means",
                ALL,
                automated_rate,
                automated_note,
            ),
            (
                accuracy,
                "Number of complaints decided against reviewers' decisions",
                ALL,
                found.reviewer_appeals_decided,
                "Decided in the period.",
            ),
            (
                accuracy,
                "Number of reviewers' decisions reversed on complaint",
                ALL,
                found.reviewer_appeals_reversed,
                "A reversal also reverses the decision's automatic copies; it is counted once.",
            ),
            (
                accuracy,
                "Reversal rate of reviewers' decisions",
                ALL,
                reviewer_rate,
                reviewer_note,
            ),
            (
                accuracy,
                "Possible rate of error of the automated means",
                ALL,
                None,
                "Not measured in operation beyond the reversal rates above; accord's matching"
                " and assessment are measured offline on labelled media (accord eval).",
            ),
            *_gate_rows(self.figures.generation_gate),
        ]
        return _long_sheet(templates.AUTOMATED_MEANS, self, rows)

    # Sheet 09: the qualitative template, in a few honest rows.

    def qualitative(self) -> Sheet:
        rows = (
            {
                "Applicability": APPLICABLE,
                "Service": self.service,
                "Reporting period": self.period,
                "Indicator": indicator,
                "Value": value,
            }
            for indicator, value in _QUALITATIVE
        )
        return _sheet(templates.QUALITATIVE, rows)

    # Shared pieces.

    def _categories(self) -> list[str]:
        """The template's categories, then any other key the figures count (so the rows add
        up to the totals even where a decision named a category the template lacks)."""
        keys = [category.value for category in TEMPLATE_CATEGORIES]
        figures = self.figures
        present = set(figures.notices)
        for by_category in (*figures.own_initiative.values(), *figures.actions.values()):
            present.update(by_category)
        return keys + sorted(present - set(keys))

    def _common(self, category: str, category_header: str) -> dict[str, Cell]:
        return {
            "Applicability": APPLICABLE,
            "Service": self.service,
            "Reporting period": self.period,
            category_header: LABELS.get(category, category),
        }

    def _median(self, durations: Durations, of_what: str) -> tuple[Cell, str]:
        if durations.median_hours is None:
            return None, f"Hours. None: no {of_what}."
        if self.min_count is not None and durations.count < self.min_count:
            return None, f"Hours. Left empty: fewer than {self.min_count} {of_what}."
        return round(durations.median_hours, 2), f"Hours, over the {of_what}."

    def _rate(self, reversed_: int, decided: int, whose: str) -> tuple[Cell, str]:
        if not decided:
            return None, f"Percent. None: no complaint against {whose} decisions was decided."
        if self.min_count is not None and decided < self.min_count:
            return None, f"Percent. Left empty: fewer than {self.min_count} complaints decided."
        return (
            round(100 * reversed_ / decided, 2),
            f"Percent of the complaints against {whose} decisions decided in the period that"
            " reversed the decision.",
        )


#: Measures accord's decisions never take: zero, and said so.
_NEVER_TAKEN_MEASURES: Final = (
    "Visibility restriction Age restricted",
    "Visibility restriction Interaction restricted",
    "Visibility restriction Other",
    "Monetary restriction Suspension",
    "Monetary restriction Termination",
    "Monetary restriction Other",
    "Provision of the service Suspension",
    "Provision of the service Termination",
)

_OUT_OF_COURT: Final = (
    (
        "Number of disputes submitted to out-of-court dispute settlement bodies",
        "Certified bodies' cases do not reach it; the provider reports them.",
    ),
    ("Outcomes of the disputes", "See above."),
    ("Median time to complete the dispute settlement procedure", "See above."),
    ("Share of disputes where the provider implemented the decision of the body", "See above."),
)

_QUALITATIVE: Final = (
    (
        "Summary of the content moderation engaged in",
        "accord handles notices of deceptive AI election content: AI-made or AI-altered audio,"
        " video and images of candidates, election officials and other key people, and false"
        " information about when, where and how to vote. Reviewers decide on each case; a"
        " decision applies to every copy of the content found, then or later.",
    ),
    (
        "Content moderation at the provider's own initiative",
        "Uploads are hashed and matched against banks of content already confirmed deceptive;"
        " a copy of content a reviewer decided on is restricted by that standing decision"
        " without a new review (reported as solely automated).",
    ),
    (
        "Automated means: qualitative description and purposes",
        "Perceptual hashing (PDQ, vPDQ, audio fingerprints), provenance checks (C2PA Content"
        " Credentials, accord's watermark) and forensic, likeness and model evidence assess"
        " each notice to help the reviewer; they do not decide. The only decision taken"
        " without a person is applying a reviewer's decision to a matched copy.",
    ),
    (
        "Automated means: indicators of accuracy and safeguards",
        "The share of automated decisions reversed on complaint (sheet 8_automated_means)."
        " Every restriction comes with a statement of reasons, submitted to the DSA"
        " Transparency Database, and can be appealed (Art. 20); a reversal undoes the"
        " restriction on every copy it applied to.",
    ),
    (
        "Orders from Member State authorities",
        "accord receives none (Arts. 9 and 10); the provider reports those it received by"
        " other means.",
    ),
    ("Out-of-court dispute settlement", _NOT_RECORDED),
)


def _sheet(name: str, rows: Iterable[Mapping[str, Cell]]) -> Sheet:
    header = templates.headers(name)
    return Sheet(name, header, [_ordered(header, row) for row in rows])


def _ordered(header: tuple[str, ...], values: Mapping[str, Cell]) -> tuple[Cell, ...]:
    """``values`` in the header's order, empty where not given; a name that is not one of the
    headers is a mistake, refused rather than silently dropped."""
    unknown = set(values) - set(header)
    if unknown:
        raise ValueError(f"not headers of the template: {sorted(unknown)}")
    return tuple(values.get(column) for column in header)


def _long_sheet(
    name: str, report: _Report, rows: Iterable[tuple[str, str, str, Cell, str]]
) -> Sheet:
    """Sheets 7 and 8: one figure a row (Section, Indicator, Scope, Value, context)."""
    return _sheet(
        name,
        (
            {
                "Applicability": APPLICABLE,
                "Service": report.service,
                "Reporting period": report.period,
                "Section": section,
                "Indicator": indicator,
                "Scope": scope,
                "Value": value,
                "Contextual Information": note,
            }
            for section, indicator, scope, value, note in rows
        ),
    )


def _gate_rows(gate: Mapping[str, object]) -> Iterator[tuple[str, str, str, Cell, str]]:
    """The generation gate's figures, flattened: a count is one row, a breakdown one row per
    part (its key the scope)."""
    section = "Generation gate (Tech Accord commitment 2; not a DSA figure)"
    note = "Prompts and outputs screened before and after generation, and bans of abusers."
    for key, value in gate.items():
        indicator = _words(key).capitalize()
        for scope, leaf in _leaves(value, ()):
            yield (section, indicator, " / ".join(scope) or ALL, leaf, note)


def _leaves(value: object, scope: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Cell]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, (*scope, _words(str(key))))
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield scope, value
    elif value is None:
        yield scope, None


def _words(key: str) -> str:
    return key.replace("_", " ")


def _hide_small(rows: list[tuple[Cell, ...]], min_count: int) -> list[tuple[Cell, ...]]:
    """Counts from 1 to ``min_count - 1`` as "fewer than N": none can single a person out."""
    hidden = f"fewer than {min_count}"
    return [
        tuple(hidden if isinstance(cell, int) and 0 < cell < min_count else cell for cell in row)
        for row in rows
    ]
