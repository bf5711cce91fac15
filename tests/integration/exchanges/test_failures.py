"""Whatever goes wrong while a page is applied (the database refusing it, a bug) stops
that exchange's fetch with one line in ``last_error``, logged with its traceback; the
page is not applied, and every other exchange is fetched as usual."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from accord.server.banks import service as banks
from accord.server.banks.models import Bank
from accord.server.exchanges import service as exchanges
from tests.integration.exchanges.conftest import LIMITS, Subscriber
from tests.integration.exchanges.taxii_peer import identity, indicator, pdq


def _two_exchanges(subscriber: Subscriber) -> None:
    """FROM_EC (the bank EC_DEEPFAKES) and, fetched after it, OTHERS (the bank OTHERS)."""
    subscriber.publish(indicator({"pdq": pdq(1)}))
    subscriber.subscribe()
    others = subscriber.peer.collection("OTHERS")
    subscriber.peer.publish(others, identity(), indicator({"pdq": pdq(2)}))
    subscriber.subscribe(name="OTHERS", collection="OTHERS", bank="OTHERS")


def _refuse_entries_of(db: Session, bank: str) -> None:
    """A trigger: the database refuses every new entry of ``bank`` (rolled back with the
    test's transaction, as the rest of its writes)."""
    bank_id = banks.get_bank(db, bank).id
    if db.get_bind().dialect.name == "postgresql":
        db.execute(
            text(
                "CREATE FUNCTION refuse_entry() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
            )
        )
        db.execute(
            text(
                "CREATE TRIGGER refuse_entry BEFORE INSERT ON bank_entries FOR EACH ROW "
                f"WHEN (NEW.bank_id = {bank_id}) EXECUTE FUNCTION refuse_entry()"
            )
        )
    else:
        db.execute(
            text(
                "CREATE TRIGGER refuse_entry BEFORE INSERT ON bank_entries "
                f"WHEN NEW.bank_id = {bank_id} "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        )
    db.commit()


def _fetch_all(subscriber: Subscriber) -> dict[str, exchanges.FetchReport]:
    reports = exchanges.fetch_all(
        subscriber.sessions, subscriber.http, master_key=subscriber.master_key, limits=LIMITS
    )
    return {report.exchange: report for report in reports}


def test_a_page_the_database_refuses_stops_only_its_exchange(
    subscriber: Subscriber, caplog: pytest.LogCaptureFixture
) -> None:
    _two_exchanges(subscriber)
    _refuse_entries_of(subscriber.db, "EC_DEEPFAKES")
    with caplog.at_level(logging.WARNING, logger="accord.exchanges"):
        reports = _fetch_all(subscriber)
    failed = reports["FROM_EC"]
    assert failed.error is not None
    assert failed.error.startswith("page 1: the database refused it (")
    assert failed.error.endswith("); the page was not applied")
    assert "refused by the test" not in failed.error  # the database's words go to the log
    assert (failed.added, failed.pages) == (0, 0)
    row = subscriber.row()
    assert (row.added_after, row.objects_fetched, row.last_error) == (None, 0, failed.error)
    assert subscriber.fetched() == {}
    [logged] = [r for r in caplog.records if r.exc_info]  # with its traceback
    assert logged.getMessage() == "exchange FROM_EC: page 1: the database refused it"
    assert "refused by the test" in caplog.text
    # The other exchange was fetched all the same.
    assert (reports["OTHERS"].added, reports["OTHERS"].error) == (1, None)
    assert len(subscriber.fetched("OTHERS")) == 1


def test_an_unexpected_failure_is_one_line_and_the_others_go_on(
    subscriber: Subscriber, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _two_exchanges(subscriber)
    real = banks.apply_remote_indicators

    def broken(session: Session, bank: Bank, exchange: str, *args: Any, **kw: Any) -> Any:
        if exchange == "FROM_EC":
            raise KeyError("a bug")  # nothing the code expects
        return real(session, bank, exchange, *args, **kw)

    monkeypatch.setattr(banks, "apply_remote_indicators", broken)
    with caplog.at_level(logging.WARNING, logger="accord.exchanges"):
        reports = _fetch_all(subscriber)
    error = reports["FROM_EC"].error
    assert error == "page 1: KeyError: 'a bug'; the page was not applied"
    assert subscriber.row().last_error == error
    assert any(r.exc_info for r in caplog.records if "page 1 failed" in r.getMessage())
    assert (reports["OTHERS"].added, reports["OTHERS"].error) == (1, None)
    monkeypatch.undo()
    assert subscriber.fetch().added == 1  # mended: nothing of the page had stayed
