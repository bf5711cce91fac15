"""``accord match`` and ``accord scan``: look files up in the banks from the command line."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from accord.cli.files import expand_files, os_reason, report_file_error
from accord.cli.local import fail, local_runtime, transaction, warm_indexes
from accord.errors import AccordError
from accord.native_threads import use_one_native_thread

if TYPE_CHECKING:
    from accord.cli.scan_worker import IndexSnapshot
    from accord.media.limits import MediaLimits
    from accord.server.matching.service import MatchOptions, MatchReport
    from accord.server.runtime import Runtime

BanksOption = Annotated[
    str | None, typer.Option(help="Comma-separated bank names (default: every enabled bank).")
]
SecondStageOption = Annotated[
    bool,
    typer.Option(
        help="If PDQ finds nothing, look for crops and screenshots by keypoints (on by default)."
    ),
]


def _options(banks: str | None, second_stage: bool) -> MatchOptions:
    from accord.server.matching.service import MatchOptions  # noqa: PLC0415

    chosen = [name.strip() for name in banks.split(",") if name.strip()] if banks else None
    return MatchOptions(banks=chosen, second_stage=second_stage)


def match_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Image, video or audio files, or folders (their media, recursively)."),
    ],
    banks: BanksOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    second_stage: SecondStageOption = True,
) -> None:
    """Match each file against the banks. A file that cannot be read is reported and the
    rest are still matched (exit status 1)."""
    from accord.server.matching.service import match_file  # noqa: PLC0415

    options = _options(banks, second_stage)
    failures = 0
    with local_runtime() as runtime:
        warm_indexes(runtime)
        for path in expand_files(files):
            try:
                with transaction(runtime) as session:
                    _, report = match_file(runtime, session, path, options)
            except (AccordError, OSError) as error:
                failures += 1
                report_file_error(path, error, as_json=as_json)
                continue
            _print_report(path, report, as_json=as_json)
    if failures:
        raise typer.Exit(code=1)


def _print_report(path: Path, report: MatchReport, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"file": str(path), **report.to_json()}))
        return
    if not report.matches:
        quiet = (
            f" ({len(report.suppressed)} suppressed by an allow bank)" if report.suppressed else ""
        )
        typer.echo(f"{path}\tno match{quiet}")
    for match in report.matches:
        typer.echo(
            f"{path}\t{match.bank.name}\t{match.bank.kind}\tentry {match.entry.id}"
            f"\t{match.signal_type}\tdistance={match.distance:g}\t{match.stage} stage"
            f"{_origin(match.entry.origin)}"
        )


def _origin(origin: dict[str, Any] | None) -> str:
    """Where a fetched entry came from, for the match line; nothing for a local one."""
    if not origin:
        return ""
    return f"\tfrom exchange {origin.get('exchange')}, published by {origin.get('owner')}"


# -- scan ----------------------------------------------------------------------------------

#: Files per Dask task: enough to make a task's overhead small, few enough that a worker's
#: death re-runs little and results stream back steadily.
DEFAULT_BATCH = 32


@dataclass
class ScanTally:
    already_done: int = 0
    scanned: int = 0
    matched: int = 0
    errors: int = 0
    by_bank: Counter[str] = field(default_factory=Counter)
    interrupted: bool = False

    def to_json(self, seconds: float) -> dict[str, Any]:
        return {
            "already_done": self.already_done,
            "scanned": self.scanned,
            "matched": self.matched,
            "errors": self.errors,
            "matches_by_bank": dict(self.by_bank),
            "seconds": round(seconds, 3),
            "files_per_second": round(self.scanned / seconds, 2) if seconds > 0 else None,
            "interrupted": self.interrupted,
        }


CSV_FIELDS = (
    "file",
    "status",
    "kind",
    "sha256",
    "matched",
    "banks",
    "entries",
    "distance",
    "error",
)


def scan_command(
    target: Annotated[
        str,
        typer.Argument(
            help="A folder (scanned recursively), a file list, or with --cluster an "
            "s3://bucket/prefix.",
            show_default=False,
        ),
    ],
    *,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Results: .jsonl or .csv (by suffix).")
    ] = Path("accord-scan.jsonl"),
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Hashing processes (default: one per core); with --cluster local, the Dask "
            "workers to start (default: 1).",
            show_default=False,
        ),
    ] = None,
    banks: BanksOption = None,
    second_stage: SecondStageOption = True,
    restart: Annotated[
        bool, typer.Option(help="Start over instead of resuming from the results file.")
    ] = False,
    cluster: Annotated[
        str | None,
        typer.Option(
            help="Hash and look up on Dask: 'local' starts a cluster of --workers processes "
            "here; tcp://HOST:PORT sends the work to a running scheduler's workers.",
            show_default=False,
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=10_000, help="With --cluster: files per task.")
    ] = DEFAULT_BATCH,
) -> None:
    """Hash and match many files in parallel, resumably. Files that cannot be read are
    reported in the results."""
    as_csv = output.suffix.lower() == ".csv"
    options = _options(banks, second_stage)
    if cluster is not None:
        _scan_command_on_cluster(
            target,
            output=output,
            as_csv=as_csv,
            restart=restart,
            options=options,
            cluster=cluster,
            workers=workers,
            batch_size=batch_size,
        )
        return
    from accord.cli.scan_s3 import is_s3  # noqa: PLC0415

    if is_s3(target):
        raise fail(f"{target}: an S3 source is scanned on Dask; add --cluster local")
    files = list(_targets(Path(target)))
    done = set() if restart else _finished(output, as_csv=as_csv)
    pending = [path for path in files if str(path) not in done]
    tally = ScanTally(already_done=len(files) - len(pending))
    started = time.monotonic()
    with local_runtime() as runtime:
        warm_indexes(runtime)
        with _results(output, as_csv=as_csv, append=not restart) as sink:
            try:
                _scan(
                    runtime,
                    pending,
                    workers=workers or os.cpu_count() or 1,
                    options=options,
                    sink=sink,
                    tally=tally,
                )
            except KeyboardInterrupt:
                tally.interrupted = True
    _finish(str(Path(target)), output, files=len(files), tally=tally, started=started)


def _finish(target: str, output: Path, *, files: int, tally: ScanTally, started: float) -> None:
    """Write the summary beside the results, say what was done, exit 130 if interrupted."""
    summary = {
        "target": target,
        "files": files,
        **tally.to_json(time.monotonic() - started),
    }
    output.with_name(output.name + ".summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    typer.echo(
        f"scanned {tally.scanned} files ({tally.already_done} done before), "
        f"{tally.matched} matched, {tally.errors} unreadable; results in {output}",
        err=True,
    )
    if tally.interrupted:
        raise typer.Exit(code=130)


def _targets(target: Path) -> Iterator[Path]:
    if target.is_dir():
        yield from expand_files([target])
        return
    try:
        lines = target.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"{target}: not a folder or a readable list of files ({error})") from None
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            yield Path(line.strip())


def _finished(output: Path, *, as_csv: bool) -> set[str]:
    """Files already in the results; a torn last line (a crash mid-write) is cut off."""
    if not output.exists():
        return set()
    data = output.read_bytes()
    if data and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        output.write_bytes(data)
    text = data.decode("utf-8", errors="replace")
    if as_csv:
        return {row["file"] for row in csv.DictReader(text.splitlines()) if row.get("file")}
    found = set()
    for line in text.splitlines():
        try:
            found.add(json.loads(line)["file"])
        except (ValueError, KeyError, TypeError):
            continue
    return found


class _Sink:
    """Appends result records and makes them durable every so often."""

    def __init__(self, handle: TextIO, *, as_csv: bool, write_header: bool) -> None:
        self._handle = handle
        self._csv = csv.DictWriter(handle, CSV_FIELDS, lineterminator="\n") if as_csv else None
        if self._csv is not None and write_header:
            self._csv.writeheader()
        self._synced = time.monotonic()

    def write(self, record: dict[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerow(_csv_record(record))
        else:
            self._handle.write(json.dumps(record) + "\n")
        self._handle.flush()
        if time.monotonic() - self._synced > 1.0:
            os.fsync(self._handle.fileno())
            self._synced = time.monotonic()


def _csv_record(record: dict[str, Any]) -> dict[str, Any]:
    matches = record.get("matches") or []
    return {
        "file": record["file"],
        "status": "error" if record.get("error") else "ok",
        "kind": record.get("kind", ""),
        "sha256": record.get("sha256", ""),
        "matched": "yes" if matches else "no",
        "banks": " ".join(sorted({m["bank"] for m in matches})),
        "entries": " ".join(str(m["entry_id"]) for m in matches),
        "distance": min((m["distance"] for m in matches), default=""),
        "error": record.get("error") or "",
    }


@contextmanager
def _results(output: Path, *, as_csv: bool, append: bool) -> Iterator[_Sink]:
    fresh = not append or not output.exists() or output.stat().st_size == 0
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w" if not append else "a", encoding="utf-8", newline="") as handle:
        sink = _Sink(handle, as_csv=as_csv, write_header=fresh)
        try:
            yield sink
        finally:
            handle.flush()
            os.fsync(handle.fileno())


def _scan(
    runtime: Runtime,
    paths: list[Path],
    *,
    workers: int,
    options: MatchOptions,
    sink: _Sink,
    tally: ScanTally,
) -> None:
    """Hash in worker processes, match here (one index in memory), write as results come."""
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import Progress  # noqa: PLC0415

    names = _signal_names(runtime, options)
    limits = runtime.settings.media_limits
    queue = iter(paths)
    pool = _hashing_pool(workers)
    running: dict[Future[dict[str, Any]], str] = {}
    try:
        # On stderr, which a person watches; stdout may be a pipe.
        console = Console(stderr=True)
        with Progress(console=console, disable=not console.is_terminal, transient=True) as progress:
            task = progress.add_task("scanning", total=len(paths))
            while True:
                # A bounded number in flight keeps memory flat for millions of files.
                while len(running) < workers * 4 and (path := next(queue, None)) is not None:
                    running[pool.submit(hash_for_scan, str(path), names, limits)] = str(path)
                if not running:
                    return
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    path_text = running.pop(future, None)
                    if path_text is None:
                        continue  # from a crashed pool, already submitted again
                    try:
                        record = future.result()
                    except BrokenProcessPool:
                        # A decoder crashed its process: report the file, start a new pool.
                        record = {"file": path_text, "error": "the decoder crashed on this file"}
                        pool.shutdown(cancel_futures=True)
                        pool = _hashing_pool(workers)
                        running = _resubmit(pool, running, names, limits)
                    if record.get("error") is None:
                        _add_matches(runtime, record, options)
                    _count(record, tally)
                    sink.write(record)
                    progress.advance(task)
    finally:
        pool.shutdown(cancel_futures=True)


def _signal_names(runtime: Runtime, options: MatchOptions) -> str:
    """The signals each file is hashed for: keypoints only when a bank holds some."""
    from accord.server.hashing.service import match_signal_names  # noqa: PLC0415
    from accord.server.matching.service import second_stage_wanted  # noqa: PLC0415

    return match_signal_names(keypoints=second_stage_wanted(runtime.indexes, options))


def _add_matches(runtime: Runtime, record: dict[str, Any], options: MatchOptions) -> None:
    """Match a hashed file's signals (taken out of its record) and record the matches."""
    from accord.server.matching.service import match_signals  # noqa: PLC0415

    with transaction(runtime) as session:
        signals = record.pop("signals")
        report = match_signals(runtime, session, signals, options)
    record["matches"] = [_compact(m.to_json()) for m in report.matches]
    record["suppressed"] = len(report.suppressed)


def _resubmit(
    pool: ProcessPoolExecutor,
    running: dict[Future[dict[str, Any]], str],
    names: str,
    limits: MediaLimits,
) -> dict[Future[dict[str, Any]], str]:
    """The files that were in flight in a crashed pool, submitted again to a new one."""
    return {pool.submit(hash_for_scan, path, names, limits): path for path in running.values()}


def _compact(match: dict[str, Any]) -> dict[str, Any]:
    entry = match.pop("entry")
    return {**match, "labels": entry["labels"], "case_reference": entry["case_reference"]}


def _count(record: dict[str, Any], tally: ScanTally) -> None:
    tally.scanned += 1
    if record.get("error") is not None:
        tally.errors += 1
        return
    if record["matches"]:
        tally.matched += 1
        tally.by_bank.update({match["bank"] for match in record["matches"]})


def _hashing_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes started fresh (not forked from this threaded process), one native
    thread each: the processes themselves use every core."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=use_one_native_thread)


def hash_for_scan(path: str, names: str, limits: MediaLimits) -> dict[str, Any]:
    """Run in a worker process: the signals of one file, or why it could not be read."""
    from accord.server.hashing.service import reliable_signals  # noqa: PLC0415
    from accord.signals.hashing import hash_file  # noqa: PLC0415
    from accord.signals.registry import parse_signal_names  # noqa: PLC0415

    try:
        chosen = parse_signal_names(names.split(","))
        result = hash_file(path, signal_types=chosen, limits=limits, reduced=True)
    except AccordError as error:
        return {"file": path, "error": f"{error.title.lower()}: {error.detail}"}
    except OSError as error:
        return {"file": path, "error": os_reason(error)}
    digest = result.signal("sha256")
    return {
        "file": path,
        "error": None,
        "kind": str(result.format.kind),
        "sha256": digest.value if digest else None,
        "signals": reliable_signals(result),
    }


# -- scan on a Dask cluster ----------------------------------------------------------------


def _scan_command_on_cluster(
    target: str,
    *,
    output: Path,
    as_csv: bool,
    restart: bool,
    options: MatchOptions,
    cluster: str,
    workers: int | None,
    batch_size: int,
) -> None:
    """``accord scan --cluster``: workers hash and look up, this process applies the
    banks' rules and writes the results, as the local scan does, each file once."""
    from accord.cli.cluster_scan import check_cluster_options  # noqa: PLC0415
    from accord.cli.scan_s3 import is_s3  # noqa: PLC0415

    check_cluster_options(cluster, workers)
    local_files = None if is_s3(target) else [str(path) for path in _targets(Path(target))]
    started = time.monotonic()
    with local_runtime() as runtime:
        files = local_files if local_files is not None else _s3_items(runtime, target)
        files = list(dict.fromkeys(files))  # a file listed twice is scanned once
        done = set() if restart else _finished(output, as_csv=as_csv)
        pending = [item for item in files if item not in done]
        tally = ScanTally(already_done=len(files) - len(pending))
        warm_indexes(runtime)
        try:
            _scan_on_cluster(
                runtime,
                pending,
                cluster=cluster,
                workers=workers,
                batch_size=batch_size,
                options=options,
                output=output,
                append=not restart,
                tally=tally,
            )
        except KeyboardInterrupt:
            tally.interrupted = True
    _finish(
        target if local_files is None else str(Path(target)),
        output,
        files=len(files),
        tally=tally,
        started=started,
    )


def _s3_items(runtime: Runtime, url: str) -> list[str]:
    from accord.cli.scan_s3 import S3Access, list_objects  # noqa: PLC0415

    try:
        found = list_objects(S3Access.of(runtime.settings), url)
    except (ValueError, OSError) as error:
        raise fail(str(error)) from None
    if not found:
        raise fail(f"no objects under {url}")
    return found


def _scan_on_cluster(
    runtime: Runtime,
    items: list[str],
    *,
    cluster: str,
    workers: int | None,
    batch_size: int,
    options: MatchOptions,
    output: Path,
    append: bool,
    tally: ScanTally,
) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import Progress  # noqa: PLC0415

    from accord.cli.cluster_scan import (  # noqa: PLC0415
        BatchWork,
        connected,
        hashed_on_cluster,
        snapshot_future,
    )
    from accord.cli.scan_replay import ReplayedLookups  # noqa: PLC0415
    from accord.cli.scan_s3 import S3Access, is_s3  # noqa: PLC0415

    if not items:
        return  # all done before: no cluster needed
    with transaction(runtime) as session:
        runtime.indexes.refresh(session)  # the banks' rules, for how far workers look
    limits = _lookup_limits(runtime, options)
    work = BatchWork(
        names=_signal_names(runtime, options),
        limits=runtime.settings.media_limits,
        s3=S3Access.of(runtime.settings) if any(is_s3(item) for item in items) else None,
    )
    replay = ReplayedLookups(runtime, limits)
    with (
        connected(cluster, workers) as client,
        _results(output, as_csv=output.suffix.lower() == ".csv", append=append) as sink,
    ):
        snapshot = snapshot_future(client, _index_snapshot(runtime, limits))
        console = Console(stderr=True)
        with Progress(console=console, disable=not console.is_terminal, transient=True) as progress:
            task = progress.add_task("scanning", total=len(items))
            for record in hashed_on_cluster(client, items, snapshot, work, batch_size=batch_size):
                if record.get("error") is None:
                    replay.use(record.pop("lookups"))
                    _add_matches(replay.runtime, record, options)
                _count(record, tally)
                sink.write(record)
                progress.advance(task)


def _lookup_limits(runtime: Runtime, options: MatchOptions) -> dict[str, float]:
    """How far workers look in each index: the loosest threshold of the banks this scan
    matches against (as the matcher asks); only indices that hold something."""
    from accord.index.registry import index_classes  # noqa: PLC0415

    wanted = None if options.banks is None else set(options.banks)
    banks = [
        bank
        for bank in runtime.indexes.banks.values()
        if (bank.enabled or options.include_disabled) and (wanted is None or bank.name in wanted)
    ]
    return {
        name: max(bank.threshold(name) for bank in banks)
        for name in index_classes()
        if banks and runtime.indexes.size(name) > 0
    }


def _index_snapshot(runtime: Runtime, limits: dict[str, float]) -> IndexSnapshot:
    import tempfile  # noqa: PLC0415

    from accord.cli.scan_worker import IndexSnapshot  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="accord-snapshot-") as folder:
        return IndexSnapshot.of_folder(runtime.indexes.save(Path(folder)), limits)
