"""A backup taken while notices keep coming in: every notice acknowledged before it
started is restored, one still being written when it started is not (nor half of it), and
the restored audit log verifies."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

from fastapi.testclient import TestClient

from accord.server.backups.service import make_backup, restore_backup
from accord.server.notices.router import NOTICE_TOKEN_HEADER
from accord.server.notices.schemas import NoticeDraft, Notifier
from accord.server.notices.service import receive
from accord.server.settings import Settings
from tests.integration.backups.calls import LABELME, file_notice, tracked
from tests.integration.backups.conftest import runtime_of, serving

#: Notices acknowledged before the backup starts.
BEFORE = 5


def noticed_files(corpus: Path) -> list[Path]:
    return sorted((corpus / LABELME).glob("*.jpg"))[:4]


#: A liveness bound for the writer, far above what it needs on a busy machine.
DEADLINE_SECONDS = 120.0


class NoticeWriter:
    """A thread filing notices through the API until stopped, keeping each acknowledgement
    (tracking number and status token) as it arrives."""

    def __init__(self, api: TestClient, files: list[Path]) -> None:
        self.acknowledged: list[tuple[str, str]] = []
        self.failure: Exception | None = None
        self.warmed_up = threading.Event()
        self._api, self._files = api, files
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notice-writer")

    def __enter__(self) -> NoticeWriter:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def so_far(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.acknowledged)

    def _run(self) -> None:
        try:
            for number in itertools.count():
                if self._stop.is_set():
                    return
                acknowledged = file_notice(
                    self._api, self._files[number % len(self._files)], number
                )
                with self._lock:
                    self.acknowledged.append(acknowledged)
                    if len(self.acknowledged) >= BEFORE:
                        self.warmed_up.set()
        except Exception as error:  # noqa: BLE001 - the test reports it
            self.failure = error
            self.warmed_up.set()


def test_a_backup_under_a_load_of_notices_holds_every_one_acknowledged_before_it(
    origin: Settings, target: Settings, corpus: Path, tmp_path: Path
) -> None:
    with serving(origin) as api, NoticeWriter(api, noticed_files(corpus)) as writer:
        assert writer.warmed_up.wait(DEADLINE_SECONDS), "no notice was acknowledged"
        before = writer.so_far()
        make_backup(origin, tmp_path / "backup")
    assert writer.failure is None, writer.failure
    everything = writer.so_far()

    restored = restore_backup(target, tmp_path / "backup")

    assert restored.audit.intact, restored.audit.problems
    # Those acknowledged while the backup ran may be in it or not.
    assert len(before) <= restored.notices <= len(everything)
    with serving(target) as api:
        for tracking_number, token in before:
            assert tracked(api, tracking_number, token)["tracking_number"] == tracking_number


def test_a_notice_still_being_written_is_not_in_the_backup(
    origin: Settings, target: Settings, corpus: Path, tmp_path: Path
) -> None:
    with serving(origin) as api:
        runtime = runtime_of(api.app.state.runtime)  # type: ignore[attr-defined]
        # Its file stored, its rows written but not committed when the backup is taken:
        # the snapshot holds none of it, and the audit log stays whole.
        with runtime.sessions() as session, noticed_files(corpus)[0].open("rb") as upload:
            session.info["actor"] = "cli:test"
            draft = NoticeDraft("deceptive_ai_content", "Written during the backup.", True)
            sender = Notifier(name="B. Voter", email="b.voter@example.org")
            notice, token = receive(session, origin, runtime.blobs, draft, sender, upload=upload)
            session.flush()
            make_backup(origin, tmp_path / "backup")
            session.commit()
        assert tracked(api, notice.tracking_number, token)["tracking_number"] == (
            notice.tracking_number
        )

    restored = restore_backup(target, tmp_path / "backup")

    assert restored.audit.intact, restored.audit.problems
    with serving(target) as api:
        path = f"/v1/notices/{notice.tracking_number}"
        missing = api.get(path, headers={NOTICE_TOKEN_HEADER: token})
        assert missing.status_code == 404, missing.text
