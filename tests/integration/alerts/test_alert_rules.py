"""The example Prometheus alerting rules query only metrics that ``/metrics`` exposes."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from tests.integration.notice_action import runtime_of

RULES = Path(__file__).resolve().parents[3] / "docs" / "operations" / "alerts.rules.yml"
#: A metric name in a PromQL expression.
_METRIC = re.compile(r"\baccord_[a-z_]+\b")
_EXPR = re.compile(r"^\s*expr:\s*(.+)$", re.MULTILINE)


def test_every_metric_the_rules_use_is_exposed(client: TestClient, db_session: Session) -> None:
    # Each rule's one-line ``expr:`` (read without a YAML parser, which accord does not need).
    expressions = _EXPR.findall(RULES.read_text())
    assert len(expressions) >= 4, expressions
    used = {name for expression in expressions for name in _METRIC.findall(expression)}
    assert {"accord_cases_open", "accord_outbox_dead", "accord_tdb_oldest_age_seconds"} <= used
    # The test app runs no sync loop: synced once, its indices' age is exposed too.
    runtime_of(client).indexes.sync(db_session)
    answer = client.get("/metrics")
    assert answer.status_code == 200, answer.text
    exposed = {family.name for family in text_string_to_metric_families(answer.text)}
    assert used <= exposed, f"the rules use missing metrics: {used - exposed}"
