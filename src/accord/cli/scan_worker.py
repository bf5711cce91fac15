"""What a Dask worker runs for ``accord scan --cluster``: hash a batch of files and look
their signals up in a snapshot of the bank indices.

The snapshot (the files an ``IndexSet`` saves: ``.npy`` arrays and JSON, never pickle) is
scattered to every worker once; each worker process loads it on its first task and keeps
it for the rest. The client applies the banks' rules to the hits (``scan_replay``), with
the database, so workers need no database: only accord, the files and the S3 settings.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.cli.matching import hash_for_scan
from accord.cli.scan_s3 import fetch_object, is_s3

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from accord.cli.scan_s3 import S3Access
    from accord.index.base import SignalIndex
    from accord.media.limits import MediaLimits

#: ``{index type: {value: [(item, distance, detail), ...]}}``: what a file's lookups found.
Lookups = dict[str, dict[str, list[tuple[int, float, dict[str, Any]]]]]


@dataclass(frozen=True, slots=True)
class IndexSnapshot:
    """The bank indices as the client had them, and how far to look in each."""

    #: Tells snapshots apart, so a worker loads each once.
    token: str
    #: Each index's saved files, by path relative to the snapshot folder.
    files: Mapping[str, bytes]
    #: The loosest threshold any bank in the scan sets, per index type; types that no
    #: bank would match on are neither shipped nor looked up.
    limits: Mapping[str, float]

    @classmethod
    def of_folder(cls, folder: Path, limits: Mapping[str, float]) -> IndexSnapshot:
        """The indices saved under ``folder`` (one sub-folder per type, as ``IndexSet.save``
        writes them) whose types are in ``limits``."""
        files = {
            str(path.relative_to(folder)): path.read_bytes()
            for name in limits
            for path in sorted((folder / name).rglob("*"))
            if path.is_file()
        }
        return cls(uuid.uuid4().hex, files, dict(limits))


@dataclass(slots=True)
class _Loaded:
    indices: dict[str, SignalIndex]
    #: Most indices take no queries from two threads at once (a worker may run several).
    locks: dict[str, threading.Lock] = field(default_factory=dict)


_loading = threading.Lock()
#: This worker process's snapshot: the latest one a task named.
_snapshots: dict[str, _Loaded] = {}
_s3_clients: dict[S3Access, S3Client] = {}


def accord_version() -> str:
    """Asked of every worker before a scan: it imports accord, and which version."""
    from accord import __version__  # noqa: PLC0415

    return __version__


def scan_batch(
    snapshot: IndexSnapshot,
    items: list[str],
    names: str,
    limits: MediaLimits,
    s3: S3Access | None,
) -> list[dict[str, Any]]:
    """Each file's record as ``hash_for_scan`` makes it, with its lookups (``Lookups``)
    under ``"lookups"``. Files are paths this worker can read or ``s3://`` objects."""
    loaded = _load(snapshot)
    records = []
    for item in items:
        record = _hash_item(item, names, limits, s3)
        if record.get("error") is None:
            record["lookups"] = _look_up(loaded, record["signals"], snapshot.limits)
        records.append(record)
    return records


def _hash_item(item: str, names: str, limits: MediaLimits, s3: S3Access | None) -> dict[str, Any]:
    if not is_s3(item):
        return hash_for_scan(item, names, limits)
    if s3 is None:
        return {"file": item, "error": "no S3 settings were sent with this scan"}
    folder = Path(tempfile.mkdtemp(prefix="accord-scan-"))
    try:
        fetched = fetch_object(_s3_client(s3), item, folder)
        if isinstance(fetched, str):
            return {"file": item, "error": fetched}
        return {**hash_for_scan(str(fetched), names, limits), "file": item}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _s3_client(access: S3Access) -> S3Client:
    """One client per worker process and settings: making one takes a tenth of a second."""
    with _loading:
        client = _s3_clients.get(access)
        if client is None:
            client = _s3_clients[access] = access.client()
        return client


def _load(snapshot: IndexSnapshot) -> _Loaded:
    with _loading:
        loaded = _snapshots.get(snapshot.token)
        if loaded is None:
            from accord.native_threads import use_one_native_thread  # noqa: PLC0415

            # Dask runs a process per worker: the processes use the cores.
            use_one_native_thread()
            _snapshots.clear()  # an earlier scan's, no longer wanted
            loaded = _snapshots[snapshot.token] = _read(snapshot)
        return loaded


def _read(snapshot: IndexSnapshot) -> _Loaded:
    from accord.index.registry import index_classes  # noqa: PLC0415

    classes = index_classes()
    folder = Path(tempfile.mkdtemp(prefix="accord-indexes-"))
    try:
        for name, data in snapshot.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        indices = {name: classes[name].load(folder / name) for name in snapshot.limits}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _Loaded(indices, {name: threading.Lock() for name in indices})


def _look_up(loaded: _Loaded, signals: Mapping[str, str], limits: Mapping[str, float]) -> Lookups:
    """Every signal that some index of the snapshot answers, looked up to the loosest
    threshold: the client's matcher asks for a subset of these (``scan_replay``)."""
    from accord.index.registry import index_type_for  # noqa: PLC0415
    from accord.signals.registry import get_signal_type  # noqa: PLC0415

    found: Lookups = {}
    for name, value in signals.items():
        index_type = index_type_for(name)
        index = loaded.indices.get(index_type)
        if index is None or len(index) == 0:
            continue
        canonical = get_signal_type(name).validate(value)  # as the matcher will ask
        with loaded.locks[index_type]:
            hits = index.query(canonical, limits[index_type])
        found.setdefault(index_type, {})[canonical] = [
            (hit.item, hit.distance, dict(hit.detail)) for hit in hits
        ]
    return found
