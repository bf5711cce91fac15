"""Two ``accord serve`` processes on one database: a change made through one is seen by both."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.integration.banks.test_banks_api import BRIDGE_PDQ
from tests.integration.serving import Served, serve

#: The issue's bar is "within seconds"; the default sync interval is 1 s. Kept by the
#: median wait: one wait past it is a busy machine (other tests, xdist), not a bug.
PROPAGATION_SECONDS = 5.0
#: Past this a change is taken as never arriving.
GIVE_UP_SECONDS = 60.0
#: The bridge hash with 8 bits flipped.
NEAR_PDQ = f"{int(BRIDGE_PDQ, 16) ^ 0xFF:064x}"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Served]]:
    data = tmp_path_factory.mktemp("shared")
    with serve(data) as first, serve(data) as second:
        yield first, second


def eventually(check: Callable[[], bool], waits: list[float] | None = None) -> float:
    """Seconds until ``check`` holds (added to ``waits``); fails after GIVE_UP_SECONDS."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > GIVE_UP_SECONDS:
            pytest.fail(f"not seen within {GIVE_UP_SECONDS} s")
        time.sleep(0.05)
    waited = time.monotonic() - started
    if waits is not None:
        waits.append(waited)
    return waited


def matched(server: Served, signal: str = BRIDGE_PDQ) -> bool:
    response = httpx.post(f"{server.base}/v1/match", json={"signals": {"pdq": signal}})
    assert response.status_code == 200, response.text
    return bool(response.json()["matched"])


def test_changes_reach_the_other_process(pair: tuple[Served, Served]) -> None:
    writer, reader = pair
    waits: list[float] = []
    with httpx.Client(base_url=writer.base) as api:
        assert api.post("/v1/banks", json={"name": "SHARED"}).status_code == 201
        entry = api.post("/v1/banks/SHARED/entries", json={"signals": {"pdq": BRIDGE_PDQ}})
        assert entry.status_code == 201, entry.text
        entry_id = entry.json()["id"]
        assert matched(writer)  # the writer reads its own write at once
        eventually(lambda: matched(reader), waits)

        api.patch("/v1/banks/SHARED", json={"thresholds": {"pdq": 4}})
        eventually(lambda: not matched(reader, NEAR_PDQ), waits)
        api.patch("/v1/banks/SHARED", json={"thresholds": {"pdq": 31}})
        eventually(lambda: matched(reader, NEAR_PDQ), waits)

        api.patch(f"/v1/banks/SHARED/entries/{entry_id}", json={"enabled": False})
        eventually(lambda: not matched(reader), waits)
        api.patch(f"/v1/banks/SHARED/entries/{entry_id}", json={"enabled": True})
        eventually(lambda: matched(reader), waits)

        api.delete(f"/v1/banks/SHARED/entries/{entry_id}")
        eventually(lambda: not matched(reader), waits)

    def caught_up() -> bool:
        ready = httpx.get(f"{reader.base}/readyz").json()
        assert ready["checks"]["indexes"] == "ok"
        return bool(ready["indexes"]["behind"] == {"signals": 0, "removals": 0})

    eventually(caught_up, waits)
    assert statistics.median(waits) <= PROPAGATION_SECONDS, waits
