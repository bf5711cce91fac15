"""``GET /metrics``: Prometheus' text format, for a key with the ``metrics`` scope or a
scraper on this machine."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CollectorRegistry
from prometheus_client.core import Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from accord.server.auth.guard import admit
from accord.server.auth.keys import Scope
from accord.server.deps import RuntimeDep
from accord.server.metrics.figures import FiguresCache, FiguresCollector
from accord.server.metrics.folder import forget_dead_workers, shared_folder
from accord.server.metrics.instruments import instruments
from accord.server.runtime import Runtime

router = APIRouter(tags=["operations"])

#: Headers a proxy adds: a request that came through one is not from this machine, even
#: when the proxy runs here.
_FORWARDED = ("forwarded", "x-forwarded-for")


async def metrics_reader(request: Request, runtime: RuntimeDep) -> None:
    """Admit a scrape from this machine, or with a key holding the ``metrics`` scope."""
    if not from_this_machine(request):
        await admit(request, runtime, Scope.METRICS)


def from_this_machine(request: Request) -> bool:
    if request.client is None or any(name in request.headers for name in _FORWARDED):
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:  # a name, not an address
        return False


@router.get(
    "/metrics",
    summary="Metrics in Prometheus' text format (scope metrics, or from this machine)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_PLAIN_0_0_4: {}}}},
)
def metrics(
    request: Request, runtime: RuntimeDep, _reader: Annotated[None, Depends(metrics_reader)]
) -> Response:
    """Every worker's request counts, latencies, lookups, guard verdicts and deliveries,
    and the queues' backlogs read from the database (at most every few seconds). The
    README's "Metrics" table lists them."""
    cache: FiguresCache = request.app.state.metrics_figures
    registry = scrape_registry(runtime, cache)
    # The format the scraper asks for: Prometheus' text format unless it names another.
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(registry), headers={"content-type": content_type})


def scrape_registry(runtime: Runtime, cache: FiguresCache) -> CollectorRegistry:
    """What one scrape reads: the instruments (every worker's, in multiprocess mode) and
    the figures."""
    registry = CollectorRegistry(auto_describe=False)
    folder = shared_folder()
    if folder is None:
        registry.register(_OwnInstruments())
    else:
        forget_dead_workers(folder)
        # Every process's files, summed (prometheus_client leaves its types out).
        MultiProcessCollector(registry, path=str(folder))  # type: ignore[no-untyped-call]
    registry.register(FiguresCollector(cache.get(runtime)))
    return registry


class _OwnInstruments:
    """This process's instruments, when it counts alone."""

    def collect(self) -> Iterable[Metric]:
        return instruments().own_registry.collect()
