"""A generated notice-and-action history for the transparency benchmark, written straight
into a PostgreSQL database with COPY.

The shape follows what accord's own flows write (``decisions.service.decide``,
``apply_standing_decision``, ``decisions.effects.apply_to_copy``, appeals and strikes):

- notices from four kinds of notifier (10% trusted flaggers) for three reasons, 1 to 5 per
  case, each naming one of its case's copies (``case_items``); triaged half a minute later;
- one reviewer decision per case (every action, ~12% "no action", both grounds, mostly the
  elections category); the cases no notice asked about are the provider's own initiative
  (bank matches), so that reviewers decide 80% of ``--decisions``;
- the other 20%: copies found later and decided automatically (``reviewer_id`` NULL), each a
  new case item with its own statement;
- an ``item_actions`` row per copy a decision covers, with the statement of reasons built
  by ``decisions.statements.statement_for`` itself (source type from the case's notices,
  ``decision_account`` where the uploader's strike led to a suspension or termination);
- appeals against ~2% of decisions (upheld, reversed, open, and a moot one where another
  appeal reversed the decision first; reversing a reviewer's decision reverses its copies);
- account measures: warnings, suspensions and terminations of uploaders, and of notifiers
  whose notices were manifestly unfounded (the strikes behind them are not written: no
  figure reads them).

Everything is decided inside ``[start, end)`` so that the period's counts equal what was
generated (``Generated.expected``), and row ids roughly follow time, as they would in a
database filled by use. Foreign keys are not checked during the load (``session_replication_role``
is ``replica``); every reference is consistent by construction.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

REVIEWERS = 25
PLATFORMS = ("videoshare", "photogram", "chirp", "clipstream")
#: (notifier kind, weight): a tenth of the notices come from trusted flaggers.
NOTIFIERS = (
    ("public", 0.50),
    ("partner", 0.25),
    ("protected_person", 0.15),
    ("trusted_flagger", 0.10),
)
REASONS = ("deceptive_ai_content", "voting_misinformation", "deepfake_of_me")
#: (action, weight) of reviewers' decisions.
ACTIONS = (
    ("remove", 0.33),
    ("disable", 0.10),
    ("label_ai_generated", 0.20),
    ("label_altered", 0.10),
    ("demote", 0.15),
    ("no_action", 0.12),
)
ELECTIONS = "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
#: (category, weight): mostly elections, some others so that several template rows fill.
CATEGORIES = (
    (ELECTIONS, 0.80),
    ("STATEMENT_CATEGORY_SCAMS_AND_FRAUD", 0.06),
    ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", 0.06),
    ("STATEMENT_CATEGORY_CYBER_VIOLENCE", 0.04),
    ("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", 0.04),
)
KEYWORDS = {
    ELECTIONS: ["KEYWORD_MISINFORMATION_DISINFORMATION"],
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD": ["KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING"],
}
MEDIA_KINDS = (("image", 0.5), ("video", 0.35), ("audio", 0.15))
CONTENT_TYPE = {
    "image": "CONTENT_TYPE_IMAGE",
    "video": "CONTENT_TYPE_VIDEO",
    "audio": "CONTENT_TYPE_AUDIO",
}
TERRITORIES = (["NL"], ["BE", "NL"], ["DE"], ["FR"], ["AT", "DE"])
ILLEGAL_SHARE = 0.3
#: Notices that send the file (triage assesses it automatically); the rest give a link.
MEDIA_SHARE = 0.85
APPEAL_SHARE = 0.02
#: What becomes of an appeal: (status, weight).
APPEAL_OUTCOMES = (("upheld", 0.55), ("reversed", 0.22), ("open", 0.23))
#: Share of restricted copies whose uploader's strike led to a measure, and which.
MEASURE_SHARE = 0.04
MEASURES = (("warning", 0.5), ("suspension", 0.35), ("termination", 0.15))
UNFOUNDED_SHARE = 0.3
NOTIFIER_MEASURE_SHARE = 0.2
#: Statements checked as the Transparency Database would (all would be slow; they are alike).
VALIDATED = 500
HOUR = 3600.0
DAY = 24 * HOUR

COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "name", "kind", "created_at"),
    "users": (
        "id", "email", "display_name", "organization_id", "role", "password_hash", "active",
        "last_login_at", "created_at",
    ),
    "cases": (
        "id", "reference", "status", "priority", "priority_reasons", "due_at",
        "breach_warned_at", "assignee_id", "person_id", "media_sha256", "media_kind",
        "assessment", "band", "watch_entry_id", "created_at", "decided_at",
    ),
    "case_items": (
        "id", "case_id", "url", "platform", "platform_content_id", "uploader", "reach",
        "first_seen_at", "note",
    ),
    "notices": (
        "id", "tracking_number", "status_token_sha256", "status", "reason", "notifier_kind",
        "notifier_user_id", "notifier_key", "notifier_name", "notifier_email", "person_id",
        "explanation", "good_faith", "text", "url", "platform", "platform_content_id",
        "uploader", "reach", "media_sha256", "media_name", "received_at", "case_id", "item_id",
        "triaged_at", "triage_lease_until", "triage_error",
    ),
    "decisions": (
        "id", "case_id", "reviewer_id", "action", "ground", "ground_text", "ground_url",
        "explanation", "category", "keywords", "content_types", "territories",
        "automated_detection", "automated_decision", "notices_unfounded", "decided_at",
        "reversed_at", "bank_entry_id",
    ),
    "item_actions": (
        "id", "decision_id", "item_id", "puid", "statement", "appeal_token_sha256",
        "appeal_token_sealed", "created_at", "undone_at",
    ),
    "appeals": (
        "id", "reference", "decision_id", "appellant_kind", "item_action_id", "notice_id",
        "reason", "contact_email", "status", "received_at", "due_at", "decided_by", "reasons",
        "decided_at",
    ),
    "account_measures": (
        "id", "subject_kind", "subject", "kind", "decision_id", "points", "created_at",
        "until", "lifted_at",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Plan:
    notices: int
    decisions: int
    #: UTC; everything counted happens in ``[start, end)``.
    start: datetime
    end: datetime
    seed: int = 19


@dataclass
class Generated:
    """Rows written per table, and the figures a correct report must find for the period."""

    rows: Counter[str] = field(default_factory=Counter)
    expected: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def database_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def create_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _weighted(rng: random.Random, choices: Sequence[tuple[str, float]], k: int) -> list[str]:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices], k=k)


class _Ids:
    def __init__(self) -> None:
        self._next: Counter[str] = Counter()

    def __call__(self, table: str) -> int:
        self._next[table] += 1
        return self._next[table]


class _History:
    """Generates one case at a time and writes its rows to the tables' COPY streams."""

    def __init__(self, plan: Plan, copies: dict[str, Any], reviewers: list[int]) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.copies = copies
        self.reviewers = reviewers
        self.ids = _Ids()
        self.generated = Generated()
        self.expected: Counter[str] = Counter()
        self.span = (plan.end - plan.start).total_seconds()
        # The last days are kept for decisions, copies and appeals of the latest cases.
        self.tail = min(4 * DAY, self.span / 3)
        self.uploaders = max(50, plan.notices // 4)

    def write(self, table: str, row: tuple[Any, ...]) -> None:
        self.copies[table].write_row(row)
        self.generated.rows[table] += 1

    def at(self, seconds: float) -> datetime:
        return self.plan.start + timedelta(seconds=seconds)

    def before_end(self, after: float, wanted: float) -> float:
        """``after + wanted`` if that is inside the period, else a moment between the two."""
        if after + wanted < self.span - 1:
            return after + wanted
        return after + self.rng.random() * max(0.0, self.span - 1 - after)

    def hex64(self) -> str:
        return f"{self.rng.getrandbits(256):064x}"

    # One case -------------------------------------------------------------------------

    def case(self, t0: float, notices: int, action: str | None, copies: int) -> None:
        """A case opened at ``t0`` (seconds into the period) by ``notices`` notices (none:
        the provider's own initiative), decided by a reviewer with ``action`` (None: still
        open), and ``copies`` later copies decided automatically."""
        rng = self.rng
        case_id = self.ids("cases")
        media_kind = _weighted(rng, MEDIA_KINDS, 1)[0]
        reference = f"C-{case_id:08X}"
        media = self.hex64()
        items = [self.item(case_id, t0) for _ in range(rng.choices((1, 2, 3), (80, 15, 5))[0])]
        arrivals = sorted(t0 + min(rng.expovariate(1 / (4 * HOUR)), DAY) for _ in range(notices))
        notice_rows = [
            self.notice(case_id, at, items, media, decided=action is not None) for at in arrivals
        ]
        last_arrival = arrivals[-1] if arrivals else t0
        decided_at = None
        if action is not None:
            delay = min(rng.lognormvariate(0, 1.2) * 6 * HOUR, 3 * DAY)
            decided_at = self.before_end(last_arrival, delay)
        assessment = {"band": "likely_deceptive", "summary": "A likeness of a protected person."}
        self.write(
            "cases",
            (
                case_id, reference, "open" if action is None else "decided",
                rng.randrange(100), "[]", self.at(t0 + DAY), None,
                rng.choice(self.reviewers), None, media, media_kind, json.dumps(assessment),
                assessment["band"], None, self.at(t0),
                None if decided_at is None else self.at(decided_at),
            ),
        )  # fmt: skip
        self.expected["notices"] += notices
        self.expected["trusted_flagger_notices"] += sum(
            n.notifier_kind == "trusted_flagger" for n in notice_rows
        )
        if action is None or decided_at is None:
            return
        case = SimpleNamespace(reference=reference, assessment=assessment)
        standing = self.decision(
            case, case_id, items, notice_rows, action, at=decided_at, media_kind=media_kind
        )
        # Copies are found while the decision stands: a reversal takes them down with it.
        stands_until = (
            self.span if standing.reversed_at is None
            else (standing.reversed_at - self.plan.start).total_seconds()
        )  # fmt: skip
        for _ in range(copies):
            found = decided_at + rng.random() * (stands_until - decided_at)
            if standing.reversed_at is None:
                found = self.before_end(decided_at, rng.expovariate(1 / (2 * DAY)))
            item = self.item(case_id, found)
            self.decision(
                case,
                case_id,
                [item],
                notice_rows,
                action,
                at=found,
                media_kind=media_kind,
                standing=standing,
            )

    def item(self, case_id: int, seen: float) -> SimpleNamespace:
        rng = self.rng
        item_id = self.ids("case_items")
        platform = rng.choice(PLATFORMS)
        content_id = f"{rng.getrandbits(48):012x}"
        item = SimpleNamespace(
            id=item_id,
            url=f"https://{platform}.example/p/{content_id}",
            platform=platform,
            platform_content_id=content_id,
            uploader=f"user{rng.randrange(self.uploaders)}",
            first_seen_at=self.at(seen),
        )
        self.write(
            "case_items",
            (
                item_id, case_id, item.url, platform, content_id, item.uploader,
                rng.randrange(100_000), item.first_seen_at, "",
            ),
        )  # fmt: skip
        return item

    def notice(
        self, case_id: int, at: float, items: list[SimpleNamespace], media: str, *, decided: bool
    ) -> SimpleNamespace:
        """A notice about one of ``items``; most send the file (``media``, its SHA-256)."""
        rng = self.rng
        notice_id = self.ids("notices")
        kind = _weighted(rng, NOTIFIERS, 1)[0]
        reason = "deepfake_of_me" if kind == "protected_person" else rng.choice(REASONS)
        key = f"{kind}-{rng.randrange(40)}" if kind in {"trusted_flagger", "partner"} else ""
        email = f"notifier{rng.randrange(self.uploaders)}@example.org" if kind == "public" else ""
        item = rng.choice(items)
        sent = media if rng.random() < MEDIA_SHARE else None
        self.expected["notices_with_file"] += sent is not None
        self.write(
            "notices",
            (
                notice_id, f"N-B-{notice_id:010d}", self.hex64(),
                "decided" if decided else "in_review", reason, kind, None, key,
                "A notifier" if email else "", email, None,
                "This video puts words in the candidate's mouth that were never said.",
                True, "", item.url, item.platform, item.platform_content_id, item.uploader,
                rng.randrange(100_000), sent, "post.mp4" if sent else "", self.at(at),
                case_id, item.id, self.at(at + 30), None, "",
            ),
        )  # fmt: skip
        self.expected["notices_" + reason] += 1
        return SimpleNamespace(
            id=notice_id, notifier_kind=kind, notifier_key=key, subject=key or email
        )

    def decision(
        self,
        case: SimpleNamespace,
        case_id: int,
        items: list[SimpleNamespace],
        notices: list[SimpleNamespace],
        action: str,
        *,
        at: float,
        media_kind: str,
        standing: SimpleNamespace | None = None,
    ) -> SimpleNamespace:
        """A reviewer's decision (``standing`` None) or an automatic copy of ``standing``,
        its item actions, appeals and measures."""
        rng = self.rng
        decision_id = self.ids("decisions")
        if standing is None:
            ground = "illegal" if rng.random() < ILLEGAL_SHARE else "incompatible"
            category = _weighted(rng, CATEGORIES, 1)[0]
            unfounded = action == "no_action" and bool(notices) and rng.random() < UNFOUNDED_SHARE
            decision = SimpleNamespace(
                id=decision_id,
                reviewer_id=rng.choice(self.reviewers),
                action=action,
                ground=ground,
                ground_text=(
                    "Art. 127 Kieswet (deceiving voters)"
                    if ground == "illegal"
                    else "Terms of service 4.2: deceptive synthetic media"
                ),
                ground_url="https://example.org/terms#4.2" if ground == "incompatible" else "",
                explanation="A deepfake of the candidate, made to deceive voters.",
                category=category,
                keywords=KEYWORDS.get(category, []),
                content_types=[CONTENT_TYPE[media_kind], "CONTENT_TYPE_SYNTHETIC_MEDIA"],
                territories=rng.choice(TERRITORIES),
                automated_detection=False,
                automated_decision="AUTOMATED_DECISION_NOT_AUTOMATED",
                notices_unfounded=unfounded,
                decided_at=self.at(at),
                reversed_at=None,
                copies=[],
            )
        else:
            decision = SimpleNamespace(
                **{
                    **vars(standing),
                    "id": decision_id,
                    "reviewer_id": None,
                    "explanation": (
                        f"A copy of content decided in case {case.reference} "
                        f"(decision {standing.id}): {standing.explanation}"
                    ),
                    "automated_detection": True,
                    "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
                    "notices_unfounded": False,
                    "decided_at": self.at(at),
                    # Reversing a reviewer's decision reverses its automatic copies.
                    "reversed_at": standing.reversed_at,
                    "copies": [],
                }
            )
            standing.copies.append(decision)
        self.expected["decisions"] += 1
        self.expected["decisions_automated" if standing else "decisions_by_reviewers"] += 1
        self.expected["decisions_" + action] += 1
        actions = [self.item_action(decision, case, item, notices, at) for item in items]
        if decision.notices_unfounded:
            self.notifier_measures(decision, notices, at)
        appealed = self.appeals(decision, actions, notices, at, standing)
        self.write(
            "decisions",
            (
                decision_id, case_id, decision.reviewer_id, action, decision.ground,
                decision.ground_text, decision.ground_url, decision.explanation,
                decision.category, json.dumps(decision.keywords),
                json.dumps(decision.content_types), json.dumps(decision.territories),
                decision.automated_detection, decision.automated_decision,
                decision.notices_unfounded, decision.decided_at, decision.reversed_at, None,
            ),
        )  # fmt: skip
        for row in actions:
            self.write("item_actions", (*row[:-1], decision.reversed_at))
        for row in appealed:
            self.write("appeals", row)
        return decision

    def item_action(
        self,
        decision: SimpleNamespace,
        case: SimpleNamespace,
        item: SimpleNamespace,
        notices: list[SimpleNamespace],
        at: float,
    ) -> tuple[Any, ...]:
        """The row (its last field, ``undone_at``, filled once appeals are known)."""
        from accord.server.decisions.statements import statement_for
        from accord.server.statements.schemas import StatementOfReasons

        action_id = self.ids("item_actions")
        if decision.action == "no_action":
            return (
                action_id,
                decision.id,
                item.id,
                None,
                None,
                None,
                None,
                decision.decided_at,
                None,
            )
        measure = self.uploader_measure(decision, item, at)
        puid = f"accord-{case.reference}-{item.id}-{decision.id}"
        # Stand-ins with the attributes statement_for reads, not the ORM models.
        build: Any = statement_for
        statement = build(
            puid=puid,
            decision=decision,
            case=case,
            item=item,
            notices=notices,
            measure=measure,
        )
        self.expected["statements"] += 1
        if self.expected["statements"] <= VALIDATED:
            StatementOfReasons.from_json(statement)  # as decisions.effects checks each
        self.expected["statements_" + statement["source_type"]] += 1
        self.expected["statements_" + decision.ground] += 1
        if "decision_account" in statement:
            self.expected["statements_" + statement["decision_account"]] += 1
        return (
            action_id, decision.id, item.id, puid, json.dumps(statement), self.hex64(), None,
            decision.decided_at, None,
        )  # fmt: skip

    def uploader_measure(
        self, decision: SimpleNamespace, item: SimpleNamespace, at: float
    ) -> SimpleNamespace | None:
        if self.rng.random() >= MEASURE_SHARE:
            return None
        kind = _weighted(self.rng, MEASURES, 1)[0]
        until = decision.decided_at + timedelta(days=30) if kind == "suspension" else None
        measure = SimpleNamespace(kind=kind, until=until)
        subject = f"{item.platform}:{item.uploader}"
        self.measure("uploader", subject, kind, decision, at=at, until=until)
        return measure

    def notifier_measures(
        self, decision: SimpleNamespace, notices: list[SimpleNamespace], at: float
    ) -> None:
        for notice in notices:
            if notice.subject and self.rng.random() < NOTIFIER_MEASURE_SHARE:
                kind = _weighted(self.rng, MEASURES, 1)[0]
                until = decision.decided_at + timedelta(days=30) if kind == "suspension" else None
                subject = (
                    f"key:{notice.subject}"
                    if "@" not in notice.subject
                    else f"email:{notice.subject}"
                )
                self.measure("notifier", subject, kind, decision, at=at, until=until)

    def measure(
        self,
        subject_kind: str,
        subject: str,
        kind: str,
        decision: SimpleNamespace,
        *,
        at: float,
        until: datetime | None,
    ) -> None:
        self.write(
            "account_measures",
            (self.ids("account_measures"), subject_kind, subject, kind, decision.id,
             {"warning": 3, "suspension": 6, "termination": 12}[kind], self.at(at), until, None),
        )  # fmt: skip
        self.expected[f"measures_{subject_kind}_{kind}"] += 1

    def appeals(
        self,
        decision: SimpleNamespace,
        actions: list[tuple[Any, ...]],
        notices: list[SimpleNamespace],
        at: float,
        standing: SimpleNamespace | None,
    ) -> list[tuple[Any, ...]]:
        """Appeal rows against ``decision``, reversing it (and its copies) where one does."""
        rng = self.rng
        if rng.random() >= APPEAL_SHARE:
            return []
        if decision.action == "no_action" or (notices and rng.random() < 0.15):
            if not notices:
                return []
            appellant, action_id, notice_id = "notifier", None, rng.choice(notices).id
        else:
            appellant, action_id, notice_id = "uploader", rng.choice(actions)[0], None
        if standing is not None and standing.reversed_at is not None:
            return []  # its copy fell with it; nothing left to appeal
        received = self.before_end(at, rng.expovariate(1 / (2 * DAY)))
        status = _weighted(rng, APPEAL_OUTCOMES, 1)[0]
        decided = received + min(rng.lognormvariate(0, 1) * 20 * HOUR, 10 * DAY)
        if status == "reversed":
            decided = self.before_end(received, decided - received)
        rows = [
            self.appeal(
                decision,
                appellant,
                (action_id, notice_id),
                received,
                status=status,
                decided=decided,
            )
        ]
        if status == "reversed":
            decision.reversed_at = self.at(decided)
            if rng.random() < 0.1:  # a second appeal, closed when the first reversed it
                second = received + rng.random() * (decided - received)
                rows.append(
                    self.appeal(
                        decision,
                        appellant,
                        (action_id, notice_id),
                        second,
                        status="moot",
                        decided=decided,
                    )
                )
        return rows

    def appeal(
        self,
        decision: SimpleNamespace,
        appellant: str,
        against: tuple[int | None, int | None],
        received: float,
        *,
        status: str,
        decided: float,
    ) -> tuple[Any, ...]:
        action_id, notice_id = against
        appeal_id = self.ids("appeals")
        self.expected["appeals"] += 1
        self.expected["appeals_" + status] += 1
        if status in {"upheld", "reversed"} and decided < self.span:
            kind = "reviewer" if decision.reviewer_id else "automated"
            self.expected[f"appeals_decided_{kind}"] += 1
            self.expected[f"appeals_decided_{kind}_{status}"] += 1
        closed = status != "open"
        return (
            appeal_id, f"A-{appeal_id:08X}", decision.id, appellant, action_id, notice_id,
            "The video is satire and says so.", "", status, self.at(received),
            self.at(received + 72 * HOUR), self.rng.choice(self.reviewers) if closed else None,
            "Reviewed again." if closed else "", self.at(decided) if closed else None,
        )  # fmt: skip


def _plan_cases(plan: Plan, rng: random.Random) -> Iterator[tuple[float, int, str | None, int]]:
    """(start, notices, reviewer's action or None, automatic copies) of every case, by start."""
    sizes: list[int] = []
    left = plan.notices
    while left > 0:
        sizes.append(min(left, rng.randint(1, 5)))
        left -= sizes[-1]
    reviewed = round(plan.decisions * 0.8)
    copies_wanted = plan.decisions - reviewed
    own_initiative = max(0, reviewed - len(sizes))
    sizes += [0] * own_initiative
    rng.shuffle(sizes)
    actions: list[str | None] = list(_weighted(rng, ACTIONS, min(reviewed, len(sizes))))
    actions += [None] * (len(sizes) - len(actions))  # more cases than decisions: some wait
    restrictive = [i for i, action in enumerate(actions) if action not in {None, "no_action"}]
    copies = Counter(rng.choices(restrictive, k=copies_wanted)) if restrictive else Counter()
    span = (plan.end - plan.start).total_seconds()
    opening = span - min(4 * DAY, span / 3)
    starts = sorted(rng.random() * opening for _ in sizes)
    for index, start in enumerate(starts):
        yield start, sizes[index], actions[index], copies[index]


def generate(name: str, plan: Plan) -> Generated:
    """Fill the migrated database ``name`` with ``plan``'s history."""
    started = time.perf_counter()
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with ExitStack() as stack:
        connections = {table: stack.enter_context(psycopg.connect(url)) for table in COLUMNS}
        for connection in connections.values():
            # Every reference is consistent by construction: no trigger per row.
            connection.execute("SET session_replication_role = replica")
        copies = {
            table: stack.enter_context(
                connections[table].cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")
            )
            for table, columns in COLUMNS.items()
        }
        reviewers = _staff(copies, plan.start)
        history = _History(plan, copies, reviewers)
        rng = random.Random(plan.seed + 1)
        for start, notices, action, copies_of_case in _plan_cases(plan, rng):
            history.case(start, notices, action, copies_of_case)
        stack.close()  # ends the COPYs, then commits each connection
    with psycopg.connect(url, autocommit=True) as connection:
        for table in COLUMNS:
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
    generated = history.generated
    generated.rows["organizations"] = 1
    generated.rows["users"] = len(reviewers)
    generated.expected = dict(history.expected)
    generated.seconds = time.perf_counter() - started
    return generated


def _staff(copies: dict[str, Any], at: datetime) -> list[int]:
    copies["organizations"].write_row((1, "Benchmark clearing house", "election_authority", at))
    for user_id in range(1, REVIEWERS + 1):
        copies["users"].write_row(
            (user_id, f"reviewer{user_id}@example.org", f"Reviewer {user_id}", 1, "reviewer",
             "$argon2id$not-a-password", True, None, at),
        )  # fmt: skip
    return list(range(1, REVIEWERS + 1))


def vacuum_analyze(name: str) -> float:
    """What autovacuum would have done in a database filled over a month: seconds taken."""
    started = time.perf_counter()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}", autocommit=True) as db:
        for table in COLUMNS:
            db.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def database_size_mib(name: str) -> float:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        row = admin.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
    return 0.0 if row is None else int(row[0]) / 2**20


def found_in(figures: Any) -> dict[str, int]:
    """The figures that the generated history fixes exactly (``Generated.expected``)."""
    on_notices = sum(
        f.actions_law + f.actions_terms for f in figures.notices.values()
    )  # by category; the total must agree
    own = figures.own_initiative
    actions = figures.actions
    appeals = figures.appeals
    automation = figures.automation
    suspensions = figures.suspensions
    found = {
        "notices": figures.notices_total.received,
        "notices_by_category_sum": sum(f.received for f in figures.notices.values()),
        "trusted_flagger_notices": figures.notices_total.from_trusted_flaggers,
        "notices_daily_sum": sum(day.notices for day in figures.daily),
        "statements": figures.statements_issued,
        "statements_daily_sum": sum(day.actions for day in figures.daily),
        "statements_on_notices": on_notices,
        "statements_SOURCE_VOLUNTARY": sum(r.total for g in own.values() for r in g.values()),
        "statements_illegal": sum(r.total for r in actions.get("illegal", {}).values()),
        "statements_incompatible": sum(r.total for r in actions.get("incompatible", {}).values()),
        "statements_DECISION_ACCOUNT_SUSPENDED": sum(
            r.account_suspension for g in actions.values() for r in g.values()
        ),
        "statements_DECISION_ACCOUNT_TERMINATED": sum(
            r.account_termination for g in actions.values() for r in g.values()
        ),
        "decisions": automation.decisions,
        "decisions_automated": automation.decisions_automated,
        "decisions_by_reviewers": automation.decisions_by_reviewers,
        "notices_with_file": automation.notices_assessed_automatically,
        "appeals": appeals.received,
        "appeals_upheld": appeals.upheld,
        "appeals_reversed": appeals.reversed,
        "appeals_moot": appeals.moot,
        "appeals_open": appeals.still_open,
        "appeals_decided_automated": automation.automated_appeals_decided,
        "appeals_decided_automated_reversed": automation.automated_appeals_reversed,
        "appeals_decided_reviewer": automation.reviewer_appeals_decided,
        "appeals_decided_reviewer_reversed": automation.reviewer_appeals_reversed,
        "measures_uploader_suspension": suspensions.uploaders_suspended,
        "measures_uploader_termination": suspensions.uploaders_terminated,
        "measures_notifier_suspension": suspensions.notifiers_suspended,
        "measures_notifier_termination": suspensions.notifiers_terminated,
    }
    for reason, count in figures.notices_by_reason.items():
        found[f"notices_{reason}"] = count
    return found


def expected_of(generated: dict[str, int]) -> dict[str, int]:
    """What ``found_in`` must find, from the generator's counts."""
    expected = dict(generated)
    expected["notices_by_category_sum"] = generated["notices"]
    expected["notices_daily_sum"] = generated["notices"]
    expected["statements_daily_sum"] = generated["statements"]
    expected["statements_on_notices"] = generated.get(
        "statements_SOURCE_ARTICLE_16", 0
    ) + generated.get("statements_SOURCE_TRUSTED_FLAGGER", 0)
    return expected


def differences(found: dict[str, int], expected: dict[str, int]) -> dict[str, dict[str, int]]:
    """The checked figures that differ from what was generated."""
    reasons = {f"notices_{reason}" for reason in REASONS}
    keys = found.keys() | (reasons & expected.keys())
    return {
        key: {"expected": expected.get(key, 0), "found": found.get(key, 0)}
        for key in sorted(keys)
        if found.get(key, 0) != expected.get(key, 0)
    }


__all__ = [
    "Generated",
    "Plan",
    "create_database",
    "database_size_mib",
    "database_url",
    "differences",
    "drop_database",
    "expected_of",
    "found_in",
    "generate",
    "vacuum_analyze",
]
