"""Work a server process repeats in the background, a thread per kind of work."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod

#: How long ``stop`` waits for a round in progress to finish.
_STOP_WAIT_SECONDS = 30.0


class BackgroundLoop(ABC):
    """A daemon thread that runs ``step`` every ``interval_seconds`` until stopped."""

    def __init__(self, name: str, interval_seconds: float) -> None:
        self.interval_seconds = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=_STOP_WAIT_SECONDS)

    @abstractmethod
    def step(self) -> None:
        """One round; it logs its own errors, so that the next round still comes."""

    def _run(self) -> None:
        while not self._stop.is_set():
            self.step()
            self._stop.wait(self.interval_seconds)
