"""While a report counts, PostgreSQL may use more memory, compiles nothing, and (for the
aggregates) hashes rather than sorts; afterwards the transaction is as it was."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.server.transparency.figures import room_to_count

NAMES = ("work_mem", "jit", "enable_sort")


def _settings(session: Session) -> dict[str, str]:
    return {
        name: session.execute(select(func.current_setting(name))).scalar_one() for name in NAMES
    }


@pytest.mark.parametrize("sorting", [True, False])
def test_the_settings_hold_inside_and_are_restored(db_session: Session, sorting: bool) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        with room_to_count(db_session, sorting=sorting):  # nothing to set on SQLite
            assert db_session.execute(select(1)).scalar_one() == 1
        return
    before = _settings(db_session)
    with room_to_count(db_session, sorting=sorting):
        inside = _settings(db_session)
    assert inside["work_mem"] == "128MB" != before["work_mem"]
    assert inside["jit"] == "off"
    assert inside["enable_sort"] == ("on" if sorting else "off")
    assert _settings(db_session) == before
