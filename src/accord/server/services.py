"""The long-lived objects one app holds, built once from settings by ``create_app``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from accord.server.db.engine import make_engine, make_session_factory
from accord.server.settings import Settings
from accord.server.storage.blobs import FolderBlobStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: FolderBlobStore
    #: Bounds the files hashed at once, so concurrent uploads cannot exhaust memory.
    hash_slots: threading.BoundedSemaphore

    @classmethod
    def build(cls, settings: Settings) -> Services:
        engine = make_engine(settings.effective_database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            blobs=FolderBlobStore(settings.blob_dir),
            hash_slots=threading.BoundedSemaphore(settings.hash_concurrency),
        )

    @contextmanager
    def hashing_slot(self) -> Iterator[None]:
        with self.hash_slots:
            yield

    def close(self) -> None:
        self.engine.dispose()
