"""Two ``accord serve`` nodes on one PostgreSQL database, one blob store and one Redis act
as one instance: a bank change made through one is matched by the other within the
sync interval, a notice filed on one is triaged and its actions delivered once while
both triage and deliver, and rate limits are counted once across both."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.server.accounts import service as accounts
from accord.server.auth.keys import create_key
from accord.server.auth.roles import Role
from accord.server.auth.sessions import CSRF_HEADER, SESSION_COOKIE
from accord.server.cases.models import Case, CaseItem
from accord.server.db.engine import make_engine, make_session_factory
from accord.server.notices.models import Notice
from accord.server.notices.router import NOTICE_TOKEN_HEADER
from accord.server.settings import Settings
from accord.server.webhooks.models import DeliveryAttempt, MessageStatus, OutboxMessage
from accord.server.webhooks.service import add_webhook
from tests.authenticator import Authenticator, enrol
from tests.integration.scale.conftest import Cluster
from tests.integration.serving import Served
from tests.s3_server import S3Server
from tests.webhook_receiver import receiving

#: The issue's bar: a change made through one node is matched by the other within 2 s
#: (the sync interval is 1 s). Kept by the median of several changes: one wait past it
#: is a machine busy with other tests, not a bug.
PROPAGATION_SECONDS = 2.0
#: Past this, something is taken as never happening.
GIVE_UP_SECONDS = 60.0
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's
PLATFORM = "videoshare"
REMOVE = {
    "action": "remove",
    "ground_text": "Terms 4.2: deceptive synthetic media about elections",
    "explanation": "The candidate never said this; the face is swapped.",
}


def eventually(check: Callable[[], bool]) -> float:
    """Seconds until ``check`` holds; fails after ``GIVE_UP_SECONDS``."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > GIVE_UP_SECONDS:
            pytest.fail(f"not seen within {GIVE_UP_SECONDS} s")
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def sessions(cluster: Cluster) -> Iterator[Any]:
    """Sessions on the nodes' database, for setting up and checking what they did."""
    engine = make_engine(cluster.database_url)
    yield make_session_factory(engine)
    engine.dispose()


def master_key(cluster: Cluster) -> str:
    """The master key the nodes run with (their settings', as a node reads them)."""
    settings = Settings(data_dir=cluster.folder, database_url=cluster.database_url)
    return settings.master_key.get_secret_value()


def matched(node: Served, picture: Path) -> bool:
    answer = httpx.post(
        f"{node.base}/v1/match",
        content=picture.read_bytes(),
        headers={"Content-Type": "image/jpeg"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["matched"])


def test_a_bank_change_through_one_node_is_matched_by_the_other(
    nodes: tuple[Served, Served], cluster: Cluster, s3_server: S3Server, corpus: Path
) -> None:
    writer, reader = nodes
    original = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    copy = corpus / "pdq" / "bridge-mods" / "blur-a-little.jpg"
    waits = []
    with httpx.Client(base_url=writer.base, timeout=30) as api:
        assert api.post("/v1/banks", json={"name": "NODES"}).status_code == 201
        assert not matched(reader, copy)
        with original.open("rb") as handle:
            banked = api.post(
                "/v1/banks/NODES/entries/file", files={"file": (original.name, handle)}
            )
        assert banked.status_code == 201, banked.text
        waits.append(eventually(lambda: matched(reader, copy)))
        # Its bytes went to the store every node shares, not to the writer's disk.
        bucket, _, prefix = cluster.blobs["ACCORD_BLOB_URL"].removeprefix("s3://").partition("/")
        kept = s3_server.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        assert kept.get("KeyCount", 0) >= 1

        entry = f"/v1/banks/NODES/entries/{banked.json()['id']}"
        assert api.patch(entry, json={"enabled": False}).status_code == 200
        waits.append(eventually(lambda: not matched(reader, copy)))
        assert api.patch(entry, json={"enabled": True}).status_code == 200
        waits.append(eventually(lambda: matched(reader, copy)))
        assert api.delete(entry).status_code == 204
        waits.append(eventually(lambda: not matched(reader, copy)))
    assert statistics.median(waits) < PROPAGATION_SECONDS, waits


def test_a_notice_is_triaged_once_and_its_actions_delivered_once(
    nodes: tuple[Served, Served], cluster: Cluster, sessions: Any, corpus: Path
) -> None:
    first, second = nodes
    media = corpus / "pdq" / "bridge-mods" / "high-contrast.jpg"
    with receiving() as (receiver, hook), sessions() as session:
        phone = _reviewer_and_webhook(session, master_key(cluster), hook, receiver)
        # 1. A notice filed on one node; both triage, one of them files it in a case.
        status = _wait_for_status(second, _send_notice(first, media, "v-1"), "in_review")
        # 2. A reviewer on the other node removes it: the platform is told, once.
        signed = httpx.post(
            f"{second.base}/v1/session",
            json={"email": "ada@ec.example", "password": PASSWORD, "code": phone.code()},
        )
        assert signed.status_code == 200, signed.text
        decided = httpx.post(
            f"{second.base}/v1/cases/{status['case']}/decision",
            headers={
                "Cookie": f"{SESSION_COOKIE}={signed.cookies[SESSION_COOKIE]}",
                CSRF_HEADER: signed.json()["csrf_token"],
            },
            json=REMOVE,
        )
        assert decided.status_code == 201, decided.text
        # 3. More copies of it, filed on either node while both triage: each is filed in
        #    the same case once, and gets the decision applied to it once.
        copies = [(nodes[n % 2], _send_notice(nodes[n % 2], media, f"v-{n}")) for n in range(2, 7)]
        for node, notice in copies:
            _wait_for_status(node, notice, "decided")
        eventually(lambda: _all_sent(session))
        session.expire_all()

        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.scalar(select(func.count()).select_from(CaseItem)) == 6
        notices = session.scalars(select(Notice)).all()
        assert len(notices) == 6
        assert len({notice.case_id for notice in notices}) == 1
        assert len({notice.item_id for notice in notices}) == 6
        messages = session.scalars(select(OutboxMessage)).all()
        assert len(messages) == 6  # a removal per copy
        attempts = session.scalar(select(func.count()).select_from(DeliveryAttempt))
        assert attempts == 6  # each sent once, by one node
        assert receiver.bad_signatures == 0
        assert len(receiver.deliveries) == 6
        assert sorted(receiver.acted.values()) == ["content.remove"] * 6


def _reviewer_and_webhook(session: Session, key: str, hook: str, receiver: Any) -> Authenticator:
    authority = accounts.create_organization(session, "Commission", "election_authority")
    reviewer = accounts.create_user(session, authority, "ada@ec.example", Role.REVIEWER, PASSWORD)
    phone = enrol(session, reviewer, key)
    _webhook, secret = add_webhook(session, PLATFORM, hook, key, platform=PLATFORM)
    receiver.secret = secret.encode()
    session.commit()
    return phone


def _send_notice(node: Served, media: Path, content_id: str) -> tuple[str, str]:
    """File a notice about ``media`` on ``node``: its tracking number and status token."""
    sent = httpx.post(
        f"{node.base}/v1/notices",
        data={
            "reason": "deceptive_ai_content",
            "explanation": "A fake video of the candidate conceding.",
            "good_faith": "true",
            "notifier_name": "A. Voter",
            "notifier_email": "voter@example.org",
            "platform": PLATFORM,
            "platform_content_id": content_id,
            "url": f"https://{PLATFORM}.example/{content_id}",
        },
        files={"file": (media.name, media.read_bytes(), "image/jpeg")},
        timeout=30,
    )
    assert sent.status_code == 201, sent.text
    receipt = sent.json()
    return str(receipt["tracking_number"]), str(receipt["status_token"])


def _wait_for_status(node: Served, notice: tuple[str, str], wanted: str) -> dict[str, Any]:
    """The notice's status (``_send_notice``'s tracking number and token) once ``wanted``."""
    tracking, token = notice
    found: dict[str, Any] = {}

    def reached() -> bool:
        answer = httpx.get(
            f"{node.base}/v1/notices/{tracking}",
            headers={NOTICE_TOKEN_HEADER: token},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        found.update(answer.json())
        return bool(found["status"] == wanted)

    eventually(reached)
    return found


def _all_sent(session: Session) -> bool:
    session.expire_all()
    statuses = session.scalars(select(OutboxMessage.status)).all()
    return len(statuses) == 6 and all(status == MessageStatus.DELIVERED for status in statuses)


def test_rate_limits_are_counted_once_across_the_nodes(
    nodes: tuple[Served, Served], cluster: Cluster, sessions: Any
) -> None:
    limit = 5
    with sessions() as session:
        _row, key = create_key(session, "partner", ["match"], rate_limit_per_minute=limit)
        session.commit()
    bearer = {"Authorization": f"Bearer {key}"}
    signals = {"signals": {"pdq": "f" * 64}}

    def match_on(node: Served) -> httpx.Response:
        return httpx.post(f"{node.base}/v1/match", json=signals, headers=bearer, timeout=30)

    assert [match_on(nodes[n % 2]).status_code for n in range(limit)] == [200] * limit
    for node in nodes:  # spent, whichever node is asked
        refused = match_on(node)
        assert refused.status_code == 429, refused.text
        assert float(refused.headers["Retry-After"]) > 0
    # Counted in Redis (each node alone would have let ``limit`` through on its own).
    shared = redis.Redis.from_url(cluster.redis_url)
    assert shared.keys("accord:rate:key:*")
    # Sign-in attempts per address likewise (``login_attempts_per_minute``: 4), from a
    # full allowance (another test signed in from this address).
    for spent in shared.scan_iter("accord:rate:login:*"):
        shared.delete(spent)
    shared.close()
    wrong = {"email": "nobody@ec.example", "password": "not the password at all"}
    answers = [
        httpx.post(f"{nodes[n % 2].base}/v1/session", json=wrong, timeout=30).status_code
        for n in range(4)
    ]
    assert answers == [401] * 4
    for node in nodes:
        refused = httpx.post(f"{node.base}/v1/session", json=wrong, timeout=30)
        assert refused.status_code == 429, refused.text
        assert "Retry-After" in refused.headers
