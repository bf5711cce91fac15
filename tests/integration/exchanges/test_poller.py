"""The server fetches every exchange in the background and sends their messages."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager

import pytest
from sqlalchemy.orm import Session

from accord.server.exchanges.service import ExchangeChannel, ExchangePoller
from accord.server.runtime import Runtime
from accord.server.settings import Settings
from tests.integration.exchanges.conftest import LIMITS, Subscriber
from tests.integration.exchanges.taxii_peer import indicator, pdq


def test_the_runtime_polls_every_exchange_and_sends_their_messages(
    settings: Settings,
) -> None:
    runtime = Runtime.build(settings.model_copy(update={"exchange_poll_seconds": 7.0}))
    try:
        assert runtime.exchange_poller.interval_seconds == 7.0
        assert any(isinstance(loop.channel, ExchangeChannel) for loop in runtime.outboxes)
    finally:
        runtime.close()
    assert Settings.model_fields["exchange_poll_seconds"].default == 300.0


def test_a_round_fetches_every_exchange(
    subscriber: Subscriber,
) -> None:
    subscriber.publish(indicator({"pdq": pdq(1)}))
    subscriber.subscribe()
    poller = ExchangePoller(
        subscriber.sessions, master_key=subscriber.master_key, limits=LIMITS, interval_seconds=60
    )
    try:
        poller.step()
    finally:
        poller.stop()
    assert len(subscriber.fetched()) == 1
    assert subscriber.row().last_success_at is not None


def test_a_failed_round_is_logged_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> AbstractContextManager[Session]:
        raise RuntimeError("the database went away")

    poller = ExchangePoller(
        broken,  # type: ignore[arg-type]
        master_key="k" * 16,
        limits=LIMITS,
        interval_seconds=60,
    )
    with caplog.at_level(logging.ERROR, logger="accord.exchanges"):
        poller.step()  # does not raise
    poller.stop()
    assert "exchange fetch round failed" in caplog.text
    assert "the database went away" in caplog.text
