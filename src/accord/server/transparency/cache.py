"""A period's figures kept in memory for a while (``ACCORD_TRANSPARENCY_CACHE_SECONDS``), so
the public page answers from memory instead of counting a month of notices per visitor.

One cache per app, on ``app.state`` (made on first use): two apps in one process never
share figures. One count runs at a time: visitors who ask for a period while it is being
counted wait for that count instead of starting their own, and anonymous custom periods
never keep more than one core busy. Stale figures are served while they are counted again
in the background. The cache holds a few periods at most; a custom period pushes out the
least recent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

from accord.server.transparency.service import figures_for

if TYPE_CHECKING:
    from fastapi import Request
    from sqlalchemy.orm import Session

    from accord.server.runtime import Runtime
    from accord.server.transparency.period import Period
    from accord.server.transparency.schemas import Figures

#: Periods kept: the choices offered (a month and a few elections) and some custom ones.
MAX_PERIODS: Final = 32

Key = tuple[str, str, str]
logger = logging.getLogger("accord.transparency")
T = TypeVar("T")


def key_of(period: Period) -> Key:
    return (period.first.isoformat(), period.last.isoformat(), period.zone.key)


@dataclass(frozen=True, slots=True)
class _Entry:
    figures: Figures
    expires: float


class FiguresCache:
    def __init__(
        self,
        seconds: float,
        *,
        size: int = MAX_PERIODS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self._size = size
        self._clock = clock
        self._lock = threading.Lock()  # guards the entries' table, never held while counting
        # One count at a time per app: visitors who ask for a period being counted wait for
        # that count, and anonymous custom periods never keep more than one core busy.
        self._counting = threading.Lock()
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._recounting: set[Key] = set()

    def get(
        self,
        period: Period,
        compute: Callable[[], Figures],
        *,
        recount: Callable[[], Figures] | None = None,
    ) -> Figures:
        """The period's figures: kept ones while they are fresh, else ``compute()``d. Once
        they are stale, ``recount`` (which opens its own session: the request's is gone by
        then) counts them again in the background while visitors get the stale ones, so no
        visitor waits for a count the cache once had."""
        if self.seconds <= 0:
            return compute()
        key = key_of(period)
        entry = self._entry(key)
        if entry is not None and (self._clock() < entry.expires or self._recount(key, recount)):
            return entry.figures
        with self._counting:
            entry = self._entry(key)  # counted meanwhile by the caller we waited for
            if entry is not None and self._clock() < entry.expires:
                return entry.figures
            figures = compute()
            self._keep(key, figures)
            return figures

    def alone(self, compute: Callable[[], T]) -> T:
        """``compute()`` not kept, but run as the counts are: one at a time per app."""
        with self._counting:
            return compute()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _entry(self, key: Key) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def _recount(self, key: Key, recount: Callable[[], Figures] | None) -> bool:
        """Start counting ``key`` again in the background, unless a count is running (one
        at a time: it will be counted after); whether stale figures may be served."""
        if recount is None:
            return False
        with self._lock:
            if key in self._recounting:
                return True
            self._recounting.add(key)

        def run() -> None:
            try:
                with self._counting:
                    self._keep(key, recount())
            except Exception:  # the stale figures stay; the next visitor tries again
                logger.exception("recounting the transparency figures failed")
            finally:
                with self._lock:
                    self._recounting.discard(key)

        threading.Thread(target=run, name="accord-transparency-recount", daemon=True).start()
        return True

    def _keep(self, key: Key, figures: Figures) -> None:
        with self._lock:
            self._entries[key] = _Entry(figures, self._clock() + self.seconds)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def figures_cache(state: Any, seconds: float) -> FiguresCache:
    """The app's cache (``app.state``), made on first use."""
    cache: FiguresCache | None = getattr(state, "transparency_figures", None)
    if cache is None:
        with _MAKING:
            cache = getattr(state, "transparency_figures", None)
            if cache is None:
                cache = FiguresCache(seconds)
                state.transparency_figures = cache
    return cache


_MAKING = threading.Lock()


def cached_figures(request: Request, session: Session, period: Period) -> Figures:
    """The period's figures from the app's cache: counted with the request's session when it
    has none, and again in the background, with a session of its own, once they are stale."""
    runtime: Runtime = request.app.state.runtime
    settings = runtime.settings
    cache = figures_cache(request.app.state, settings.transparency_cache_seconds)

    def recount() -> Figures:
        with runtime.sessions() as own:
            return figures_for(own, settings, period)

    return cache.get(period, lambda: figures_for(session, settings, period), recount=recount)
