"""``accord scan --cluster``: the files hashed and looked up on a Dask cluster, the records
streamed back as batches complete.

The client connects to a scheduler (``tcp://host:port``) or starts a ``LocalCluster``,
checks that every worker runs this accord, scatters the index snapshot to every worker
once, and keeps a bounded number of batches in flight. Dask re-runs the tasks of a
worker that dies on another; a batch that kills workers again and again (a decoder
crash) is split, and a file that does so alone is reported as such. Each file is given
back once, whatever was re-run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accord.cli.local import fail

if TYPE_CHECKING:
    from distributed import Client, Future

    from accord.cli.scan_s3 import S3Access
    from accord.cli.scan_worker import IndexSnapshot
    from accord.media.limits import MediaLimits

LOCAL = "local"
#: ``tcp://host:port`` (or ``tls://``, with TLS set up in Dask's own configuration).
_ADDRESS = re.compile(r"(tcp|tls)://[^\s/:]+(:\d+)?|(tcp|tls)://\[[0-9A-Fa-f:.]+\](:\d+)?")
#: The longest wait for a scheduler's answer; Dask's own connect timeout, when shorter.
CONNECT_SECONDS = 10.0
#: How long a scan waits for the scheduler to have a worker.
WORKERS_SECONDS = 60.0
#: Batches in flight per worker thread: one running, one waiting, so none idles.
BATCHES_PER_THREAD = 2
#: How often the number of workers is asked again (workers may come and go).
RECOUNT_SECONDS = 5.0


def check_cluster_options(cluster: str, workers: int | None) -> None:
    """One readable line for a --cluster value that names no cluster, or --workers with a
    cluster that has the workers it has."""
    if cluster != LOCAL and not _ADDRESS.fullmatch(cluster):
        msg = f"--cluster takes 'local' or a Dask scheduler's tcp://HOST:PORT, not {cluster!r}"
        raise fail(msg)
    if cluster != LOCAL and workers is not None:
        raise fail("--workers goes with --cluster local: a scheduler has the workers it has")


@dataclass(frozen=True, slots=True)
class BatchWork:
    """What every batch task is sent besides its files."""

    names: str
    limits: MediaLimits
    s3: S3Access | None


@contextmanager
def connected(cluster: str, workers: int | None) -> Iterator[Client]:
    """A client of the scheduler at ``cluster``, or of a LocalCluster of ``workers``
    processes with one thread each, whose workers run this accord."""
    try:
        from distributed import Client, LocalCluster  # noqa: PLC0415
    except ImportError:
        raise fail(
            "--cluster needs Dask's distributed package: pip install 'accord[cluster]'"
        ) from None
    if cluster == LOCAL:
        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers or 1,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # Its HTTP server (health, metrics) starts anyway: on a free port, not
                # on 8787 with a warning when another cluster has that.
                scheduler_kwargs={"dashboard_address": ":0"},
            ) as local,
            Client(local, set_as_default=False) as client,  # type: ignore[no-untyped-call]
        ):
            _check_workers(client, cluster)
            yield client
        return
    try:
        client = Client(cluster, timeout=_connect_seconds(), set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as error:
        raise fail(f"cannot reach the Dask scheduler at {cluster}: {error}") from None
    with client:
        _check_workers(client, cluster)
        yield client


def _connect_seconds() -> float:
    import dask.config  # noqa: PLC0415
    from dask.utils import parse_timedelta  # noqa: PLC0415

    configured = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), "s")
    return min(CONNECT_SECONDS, float(configured or CONNECT_SECONDS))


def _check_workers(client: Client, cluster: str) -> None:
    """Fail with one line unless some worker is there and every one runs this accord."""
    from accord import __version__  # noqa: PLC0415
    from accord.cli.scan_worker import accord_version  # noqa: PLC0415

    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
    except TimeoutError:
        msg = (
            f"the Dask scheduler at {cluster} has no workers after {WORKERS_SECONDS:g} s; "
            f"start some with: dask worker {cluster}"
        )
        raise fail(msg) from None
    try:
        versions: dict[str, str] = client.run(accord_version)
    except Exception as error:  # noqa: BLE001 - whatever the worker could not do, said once
        raise fail(_worker_failure(error)) from None
    wrong = {address: found for address, found in versions.items() if found != __version__}
    if wrong:
        address, found = sorted(wrong.items())[0]
        msg = (
            f"the Dask worker {address} runs accord {found}, this command {__version__}; "
            "every worker needs the same version"
        )
        raise fail(msg)


def _worker_failure(error: BaseException) -> str:
    # Dask may wrap the worker's ImportError in a plain Exception that names it.
    if isinstance(error, ImportError) or "No module named 'accord" in str(error):
        return f"a Dask worker cannot import accord ({error}); install it on every worker"
    return f"a Dask worker failed: {type(error).__name__}: {error}"


def snapshot_future(client: Client, snapshot: IndexSnapshot) -> Future[IndexSnapshot]:
    """The snapshot on every worker now (a worker that joins later fetches it from a peer)."""
    futures: list[Future[IndexSnapshot]] = client.scatter(  # type: ignore[no-untyped-call]
        [snapshot], broadcast=True, hash=False
    )
    return futures[0]


def hashed_on_cluster(
    client: Client,
    items: list[str],
    snapshot: Future[IndexSnapshot],
    work: BatchWork,
    *,
    batch_size: int,
) -> Iterator[dict[str, Any]]:
    """Each file's record (``scan_worker.scan_batch``), once, in the order they complete.

    A task that fails for another reason than dying workers stops the scan with one line
    (the records already given back stay written)."""
    from distributed import as_completed  # noqa: PLC0415
    from distributed.scheduler import KilledWorker  # noqa: PLC0415

    from accord.cli.scan_worker import scan_batch  # noqa: PLC0415

    queue = iter([items[start : start + batch_size] for start in range(0, len(items), batch_size)])
    running: dict[Future[list[dict[str, Any]]], list[str]] = {}
    completed = as_completed(loop=client.loop)  # type: ignore[no-untyped-call]
    given: set[str] = set()
    room = _Room(client)

    def submit(batch: list[str]) -> None:
        future = client.submit(
            scan_batch, snapshot, batch, work.names, work.limits, work.s3, pure=False
        )
        running[future] = batch
        completed.add(future)  # type: ignore[no-untyped-call]

    def top_up() -> None:
        while len(running) < room.batches() and (batch := next(queue, None)) is not None:
            submit(batch)

    try:
        top_up()
        for future in completed:
            batch = running.pop(future)
            if future.status == "error":
                error = future.exception()
                if not isinstance(error, KilledWorker):
                    raise fail(_worker_failure(error))
                if len(batch) > 1:  # which file kills its workers? one task each
                    for path in batch:
                        submit([path])
                    continue
                records = [{"file": batch[0], "error": "the decoder crashed on this file"}]
            else:
                records = future.result()
            future.release()
            for record in records:
                if record["file"] not in given:
                    given.add(record["file"])
                    yield record
            top_up()
    finally:
        client.cancel(list(running))  # type: ignore[no-untyped-call]


class _Room:
    """How many batches to keep in flight for the workers there are now."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._asked_at = 0.0
        self._batches = 0

    def batches(self) -> int:
        if time.monotonic() - self._asked_at > RECOUNT_SECONDS:
            threads = sum(self._client.nthreads().values())  # type: ignore[no-untyped-call]
            self._batches = max(BATCHES_PER_THREAD, threads * BATCHES_PER_THREAD)
            self._asked_at = time.monotonic()
        return self._batches
