"""A node whose Redis goes away keeps serving, counting rate limits alone, and shares
them again once Redis is back; a node whose Redis does not answer at start refuses to
start, saying why in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import redis
from sqlalchemy.orm import Session

from accord.server.auth.keys import create_key
from accord.server.db.engine import make_engine
from tests.integration.scale.conftest import Cluster, RedisServer
from tests.integration.serving import STARTUP_SECONDS, closed_port, free_port

LIMIT = 3


def _key(cluster: Cluster) -> str:
    engine = make_engine(cluster.database_url)
    try:
        with Session(engine) as session:
            _row, key = create_key(session, "outage", ["match"], rate_limit_per_minute=LIMIT)
            session.commit()
    finally:
        engine.dispose()
    return key


def test_a_node_keeps_serving_while_redis_is_away(
    cluster: Cluster, redis_server: RedisServer
) -> None:
    bearer = {"Authorization": f"Bearer {_key(cluster)}"}
    with cluster.node("outage", redis_url=redis_server.url) as node:

        def match() -> int:
            body = {"signals": {"pdq": "0" * 64}}
            answer = httpx.post(f"{node.base}/v1/match", json=body, headers=bearer, timeout=30)
            assert answer.status_code in {200, 429}, answer.text  # never a 500
            return answer.status_code

        assert [match() for _ in range(LIMIT + 1)] == [200] * LIMIT + [429]
        redis_server.stop()
        # The node's own buckets count now, from a full allowance.
        assert [match() for _ in range(LIMIT + 1)] == [200] * LIMIT + [429]
        assert _logged(node.log, "Redis does not answer") == 1

        redis_server.start()  # empty: the key's allowance is whole there
        deadline = time.monotonic() + 30
        shared = redis.Redis.from_url(redis_server.url)
        while not shared.keys("accord:rate:key:*"):
            assert time.monotonic() < deadline, "the node never went back to Redis"
            match()
            time.sleep(0.1)
        shared.close()
        assert _logged(node.log, "Redis answers again") == 1


def _logged(log: list[str], start: str) -> int:
    """How many of the node's JSON log lines say something starting with ``start``."""
    messages = [json.loads(line).get("message", "") for line in log if line.startswith("{")]
    return sum(message.startswith(start) for message in messages)


def test_a_node_without_redis_at_start_says_so_and_stops(cluster: Cluster) -> None:
    with closed_port() as port:
        data, settings = cluster.node_settings("no-redis", redis_url=f"redis://127.0.0.1:{port}")
        env = {
            **os.environ,
            "ACCORD_DATA_DIR": str(data),
            **{f"ACCORD_{name.upper()}": value for name, value in settings.items()},
        }
        ended = subprocess.run(
            [sys.executable, "-m", "accord", "serve", "--port", str(free_port())],
            env=env,
            capture_output=True,
            text=True,
            timeout=STARTUP_SECONDS,
            check=False,
        )
    assert ended.returncode == 1
    (line,) = ended.stderr.strip().splitlines()  # one line, not a traceback
    assert line.startswith(
        f"accord: error: no Redis answers at ACCORD_REDIS_URL redis://127.0.0.1:{port}"
    )
