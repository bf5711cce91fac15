"""``GET /metrics``: what requests, lookups and the gate moved, the queues' figures read at
scrape time, and who may scrape."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from accord.server.auth.keys import create_key
from accord.server.cases.models import Case, CaseStatus
from accord.server.cases.queue import DUE_SOON, PRIORITY, URGENT
from accord.server.db.base import utc_now
from accord.server.mail.models import MailMessage
from accord.server.metrics.figures import FiguresCache
from accord.server.metrics.middleware import UNMATCHED
from tests.integration.metrics.scraped import families, value
from tests.integration.notice_action import send_notice

DASHBOARD = Path(__file__).resolve().parents[3] / "docs" / "operations" / "grafana-dashboard.json"
#: A metric name in a PromQL expression (``histogram_quantile`` and the like are no metric).
_METRIC = re.compile(r"\baccord_[a-z_]+\b")


def scrape(client: TestClient, **headers: str) -> str:
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return answer.text


def test_requests_are_counted_and_timed_by_route_template(client: TestClient) -> None:
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    for reference in ("C-NOPE1", "C-NOPE2"):  # two paths, one route
        assert client.get(f"/v1/cases/{reference}").status_code in {401, 403, 404}
    assert client.get("/no/such/page").status_code == 404
    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ok = {"method": "GET", "route": "/healthz", "status": "2xx"}
    assert moved("accord_http_requests_total", **ok) == 3
    assert moved("accord_http_request_duration_seconds_count", method="GET", route="/healthz") == 3
    assert moved("accord_http_request_duration_seconds_sum", route="/healthz") > 0
    cases = {"method": "GET", "route": "/v1/cases/{reference}", "status": "4xx"}
    assert moved("accord_http_requests_total", **cases) == 2
    assert "C-NOPE1" not in after  # a raw path never becomes a label
    unmatched = {"method": "GET", "route": UNMATCHED, "status": "4xx"}
    assert moved("accord_http_requests_total", **unmatched) == 1
    assert moved("accord_http_problems_total", code="http.404") >= 1


def test_refusals_are_counted_by_their_code(client: TestClient, corpus: Path) -> None:
    before = scrape(client)
    empty = client.post("/v1/hash", files={"file": ("empty.jpg", b"", "image/jpeg")})
    assert empty.json()["code"] == "media.empty", empty.text
    corrupt = (corpus / "c2pa" / "sample3.invalid.wav").read_bytes()
    refused = client.post("/v1/hash", files={"file": ("bad.wav", corrupt, "audio/wav")})
    assert refused.json()["code"] == "media.corrupt", refused.text
    after = scrape(client)
    for code in ("media.empty", "media.corrupt"):
        assert value(after, "accord_http_problems_total", code=code) > value(
            before, "accord_http_problems_total", code=code
        )


def test_lookups_and_guard_verdicts_are_counted(client: TestClient, corpus: Path) -> None:
    before = scrape(client)
    photo = (corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg").read_bytes()
    raw = client.post("/v1/match", content=photo, headers={"content-type": "image/jpeg"})
    assert raw.status_code == 200, raw.text
    signals = {"signals": {"pdq": "f" * 64}}
    assert client.post("/v1/match", json=signals).is_success
    prompt = {"prompt": "a watercolour of a lighthouse", "tool": "image", "user": "u1"}
    screened = client.post("/v1/guard/prompt", json=prompt)
    assert screened.status_code == 200, screened.text
    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # The empty banks match nothing; a file's lookup needs no keypoints then.
    assert moved("accord_match_lookups_total", stage="first", result="no_match") == 1
    assert moved("accord_match_lookups_total", stage="signals", result="no_match") == 1
    verdict = screened.json()["verdict"]
    assert moved("accord_guard_verdicts_total", kind="prompt", verdict=verdict) == 1
    # Raw uploads are answered before routing, yet counted under their route.
    matched = {"method": "POST", "route": "/v1/match", "status": "2xx"}
    assert moved("accord_http_requests_total", **matched) == 2
    assert moved("accord_hashing_seconds_count", kind="image") >= 1


def test_a_filed_notice_shows_in_the_triage_backlog(client: TestClient) -> None:
    sent = send_notice(client, url="https://videoshare.example/v/metrics")
    assert sent.status_code == 201, sent.text
    scraped = scrape(client)
    assert value(scraped, "accord_figures_up") == 1
    assert value(scraped, "accord_triage_backlog") >= 1
    assert value(scraped, "accord_triage_oldest_age_seconds") >= 0
    for channel in ("mail", "webhooks", "exchanges", "tdb"):
        assert value(scraped, "accord_outbox_dead", channel=channel) == 0
    assert "accord_index_entries" in families(scraped)
    assert value(scraped, "accord_index_behind_rows", feed="signals") >= 0


def test_other_machines_need_a_key_with_the_metrics_scope(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    _, matcher = create_key(db_session, "platform", ["match"])
    _, scraper = create_key(db_session, "prometheus", ["metrics"])
    client = client_with(require_api_keys=True)

    refused = client.get("/metrics", headers={"Authorization": f"Bearer {matcher}"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "metrics" in refused.json()["detail"]
    assert client.get("/metrics").status_code == 401
    assert "accord_http_requests" in families(scrape(client, Authorization=f"Bearer {scraper}"))


def test_this_machine_may_scrape_without_a_key_unless_a_proxy_forwarded_it(
    client_with: Callable[..., TestClient],
) -> None:
    app = client_with(require_api_keys=True).app
    local = TestClient(app, client=("127.0.0.1", 50000))  # make_client's overrides stay
    assert "accord_figures_up" in families(scrape(local))
    forwarded = local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status_code == 401


def test_every_metric_the_dashboard_queries_is_exposed(client: TestClient, corpus: Path) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        for name in _METRIC.findall(target["expr"])
    }
    assert len(queried) >= 10, queried  # the expressions were found
    photo = (corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg").read_bytes()
    client.post("/v1/match", content=photo, headers={"content-type": "image/jpeg"})
    exposed = _sample_names(scrape(client))
    assert queried <= exposed, f"the dashboard queries missing metrics: {queried - exposed}"


def _sample_names(text: str) -> set[str]:
    """Every name a query may use: each family's, and its samples' (``_total``,
    ``_bucket``, ``_count``, ``_sum``), even before a labelled one has any sample."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    return {
        family.name + suffix
        for family in text_string_to_metric_families(text)
        for suffix in ("", *suffixes.get(family.type, ()))
    }


def test_figures_are_read_once_per_max_age_whoever_scrapes(client: TestClient) -> None:
    app: Any = client.app
    app.state.metrics_figures = FiguresCache(max_age_seconds=3600)
    before = value(scrape(client), "accord_triage_backlog")
    assert send_notice(client, url="https://videoshare.example/v/cached").status_code == 201
    assert value(scrape(client), "accord_triage_backlog") == before  # the figures kept
    app.state.metrics_figures.max_age_seconds = 0
    assert value(scrape(client), "accord_triage_backlog") == before + 1


def test_open_cases_and_dead_letters_are_reported_as_they_stand(
    client: TestClient, db_session: Session
) -> None:
    now = utc_now()
    db_session.add_all(
        [
            Case(reference="C-URGENT", priority=URGENT, due_at=now - timedelta(minutes=1)),
            Case(reference="C-SOON", priority=PRIORITY, due_at=now + DUE_SOON / 2),
            Case(reference="C-CALM", priority=0, due_at=now + timedelta(days=2)),
            Case(reference="C-DONE", priority=URGENT, due_at=now, status=CaseStatus.DECIDED),
            MailMessage(recipient="a@example.org", subject="s", body="b", status="dead"),
            MailMessage(recipient="b@example.org", subject="s", body="b"),
        ]
    )
    db_session.flush()
    scraped = scrape(client)
    assert value(scraped, "accord_cases_open", priority="urgent", sla="breached") == 1
    assert value(scraped, "accord_cases_open", priority="priority", sla="due_soon") == 1
    assert value(scraped, "accord_cases_open", priority="standard", sla="on_time") == 1
    assert (
        sum(
            value(scraped, "accord_cases_open", priority=band, sla=state)
            for band in ("urgent", "priority", "standard")
            for state in ("on_time", "due_soon", "breached")
        )
        == 3
    )  # the decided case is not open
    assert value(scraped, "accord_outbox_dead", channel="mail") == 1
    assert value(scraped, "accord_outbox_pending", channel="mail") == 1
