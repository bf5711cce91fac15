"""The signals feed never hands an id out twice, so index processes see every signal."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.server.banks import service as banks

PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_B = f"{int(PDQ_A, 16) ^ (2**256 - 1):064x}"


def test_a_signal_added_after_the_newest_was_deleted_is_seen(db_session: Session) -> None:
    bank = banks.create_bank(db_session, "FEED_IDS")
    first = banks.add_entry(db_session, bank, {"pdq": PDQ_A}, banks.EntryFields())
    seen = max(row[0] for row in banks.signals_after(db_session, 0, 100))
    banks.delete_entry(db_session, first)
    banks.add_entry(db_session, bank, {"pdq": PDQ_B}, banks.EntryFields())
    # An index that had read up to ``seen`` must find the new signal past it.
    assert [value for _, _, value in banks.signals_after(db_session, seen, 100)] == [PDQ_B]
