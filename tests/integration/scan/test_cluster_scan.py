"""``accord scan --cluster``: the same records as a local scan, from a Dask scheduler and
workers started with dask's CLI, when a worker dies mid-scan, from S3, and resumed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from tests.integration.scan.conftest import (
    SCAN_SECONDS,
    DaskCluster,
    Instance,
    accord_run,
    by_name,
    dask_processes,
    read_records,
)
from tests.integration.serving import free_port
from tests.s3_server import S3Server

pytestmark = pytest.mark.xdist_group("scan-cluster")


def test_a_cluster_scan_equals_a_local_scan(
    instance: Instance,
    inbox: Path,
    expected: dict[str, dict[str, Any]],
    dask_cluster: DaskCluster,
    tmp_path: Path,
) -> None:
    results = tmp_path / "results.jsonl"
    done = accord_run(
        "scan", inbox, "-o", results, "--cluster", dask_cluster.address, "--batch-size", "4",
        env=instance.env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = read_records(results)
    assert sorted(record["file"] for record in records) == sorted(
        str(path) for path in inbox.iterdir()
    )
    assert by_name(records) == expected
    summary = json.loads((tmp_path / "results.jsonl.summary.json").read_text())
    assert (summary["files"], summary["scanned"], summary["errors"]) == (len(expected),) * 2 + (2,)
    assert summary["matched"] == sum(bool(r.get("matches")) for r in expected.values())


def test_a_worker_killed_mid_scan_loses_and_duplicates_nothing(
    instance: Instance,
    inbox: Path,
    expected: dict[str, dict[str, Any]],
    dask_cluster: DaskCluster,
    tmp_path: Path,
) -> None:
    many = tmp_path / "many"
    for copy in range(4):  # 84 files, a task each: both workers busy for a while
        shutil.copytree(inbox, many / f"copy-{copy}")
    results = tmp_path / "results.jsonl"
    [victim, *_] = dask_cluster.worker_pids()
    scan = subprocess.Popen(
        [sys.executable, "-m", "accord", "scan", str(many), "-o", str(results),
         "--cluster", dask_cluster.address, "--batch-size", "1"],
        env=instance.env,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + SCAN_SECONDS
        while not (results.exists() and results.read_text()) and time.monotonic() < deadline:
            assert scan.poll() is None, scan.communicate()[1]
            time.sleep(0.02)
        os.kill(victim, signal.SIGKILL)
        assert scan.poll() is None  # killed while the scan ran
        _, errors = scan.communicate(timeout=SCAN_SECONDS)
    finally:
        scan.kill()
    assert scan.returncode == 0, errors
    records = read_records(results)
    files = [record["file"] for record in records]
    assert len(files) == len(set(files)) == 4 * len(expected)
    for record in records:
        assert {**record, "file": None} == expected[Path(record["file"]).name]


def test_a_local_cluster_of_two_workers(
    instance: Instance, inbox: Path, expected: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    results = tmp_path / "results.csv"
    done = accord_run(
        "scan", inbox, "-o", results, "--cluster", "local", "--workers", "2", env=instance.env
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"scanned {len(expected)} files (0 done before)")
    rows = results.read_text().splitlines()
    assert rows[0].startswith("file,status,kind,sha256,matched")
    assert len(rows) == 1 + len(expected)
    matched = {Path(line.split(",")[0]).name for line in rows[1:] if ",yes," in line}
    assert matched == {name for name, record in expected.items() if record.get("matches")}


def test_an_interrupted_scan_resumes_with_the_files_left(
    instance: Instance,
    inbox: Path,
    expected: dict[str, dict[str, Any]],
    dask_cluster: DaskCluster,
    tmp_path: Path,
) -> None:
    results = tmp_path / "results.jsonl"
    # Interrupted mid-write: five records, a torn sixth line.
    written = [
        json.dumps({**record, "file": str(inbox / name)}) + "\n"
        for name, record in sorted(expected.items())[:6]
    ]
    results.write_text("".join(written[:5]) + written[5][:10])
    scan = ("scan", inbox, "-o", results, "--cluster", dask_cluster.address)
    done = accord_run(*scan, env=instance.env)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "results.jsonl.summary.json").read_text())
    assert (summary["already_done"], summary["scanned"]) == (5, len(expected) - 5)
    records = read_records(results)
    assert len(records) == len({record["file"] for record in records}) == len(expected)
    assert by_name(records) == expected
    # Nothing left: no cluster is asked at all.
    done = accord_run(*scan[:-2], "--cluster", "tcp://127.0.0.1:1", env=instance.env)
    assert done.returncode == 0, done.stderr
    assert f"scanned 0 files ({len(expected)} done before)" in done.stderr


def test_objects_in_s3_are_scanned_with_the_clients_settings(
    instance: Instance,
    inbox: Path,
    expected: dict[str, dict[str, Any]],
    dask_cluster: DaskCluster,
    s3_server: S3Server,
) -> None:
    bucket = s3_server.bucket("accord-scan-cluster")
    client = s3_server.client()
    for path in sorted(inbox.iterdir()):
        client.upload_file(str(path), bucket, f"inbox/{path.name}")
    client.put_object(Bucket=bucket, Key="elsewhere/aaa-orig.jpg", Body=b"not scanned")
    results = instance.data_dir.parent / "from-s3.jsonl"
    # The workers have no S3 settings of their own: they use the client's.
    env = {**instance.env, **s3_server.environment(bucket)}
    done = accord_run(
        "scan", f"s3://{bucket}/inbox", "-o", results, "--cluster", dask_cluster.address,
        env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = read_records(results)
    assert sorted(record["file"] for record in records) == sorted(
        f"s3://{bucket}/inbox/{name}" for name in expected
    )
    # The same records as the local scan's: an object is hashed as a file would be.
    assert by_name(records) == expected


def _matched(record: dict[str, Any]) -> list[tuple[str, int, float]]:
    return [(m["bank"], m["entry_id"], m["distance"]) for m in record.get("matches") or []]


def test_bad_cluster_options_are_one_line(inbox: Path, tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    cases = {
        ("--cluster", "somewhere"): "--cluster takes 'local' or a Dask scheduler's tcp://",
        ("--cluster", "tcp://127.0.0.1:8786", "--workers", "2"): "--workers goes with --cluster",
    }
    for options, message in cases.items():
        done = CliRunner().invoke(app, ["scan", str(inbox), "-o", str(results), *options])
        assert done.exit_code == 1
        assert done.stderr.startswith("accord: error: ")
        assert message in done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
    done = CliRunner().invoke(app, ["scan", "s3://bucket/prefix", "-o", str(results)])
    assert (done.exit_code, done.stderr.count("\n")) == (1, 1)
    assert "an S3 source is scanned on Dask; add --cluster local" in done.stderr
    assert not results.exists()


def test_an_unreachable_scheduler_is_one_line_within_the_timeout(
    instance: Instance, inbox: Path, tmp_path: Path
) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {**instance.env, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    started = time.monotonic()
    done = accord_run("scan", inbox, "-o", tmp_path / "r.jsonl", "--cluster", address, env=env)
    assert time.monotonic() - started < 30  # 2 s of waiting and the command's start
    assert done.returncode == 1
    assert done.stderr.startswith(f"accord: error: cannot reach the Dask scheduler at {address}: ")
    assert done.stderr.count("\n") == 1, done.stderr


def test_without_distributed_the_cluster_option_says_what_to_install(
    instance: Instance, inbox: Path, tmp_path: Path
) -> None:
    blocked = (
        "import sys; sys.modules['distributed'] = None; sys.argv[0] = 'accord';"
        "from accord.cli.main import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", blocked, "scan", str(inbox), "-o", str(tmp_path / "r.jsonl"),
         "--cluster", "local"],
        env=instance.env, capture_output=True, text=True, timeout=SCAN_SECONDS, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        "accord: error: --cluster needs Dask's distributed package: pip install 'accord[cluster]'\n"
    )


def test_a_worker_that_cannot_import_accord_is_named(
    instance: Instance, inbox: Path, tmp_path: Path
) -> None:
    without_accord = [
        sys.executable, "-c",
        "import sys; sys.modules['accord'] = None; "
        "from distributed.cli.dask_worker import main; sys.argv[0] = 'dask-worker'; main()",
        "--no-nanny", "--nthreads", "1", "--no-dashboard",
    ]  # fmt: skip
    with dask_processes(tmp_path, workers=1, worker_command=without_accord) as cluster:
        done = accord_run(
            "scan", inbox, "-o", tmp_path / "r.jsonl", "--cluster", cluster.address,
            env=instance.env,
        )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith("accord: error: a Dask worker cannot import accord")
    assert done.stderr.count("\n") == 1, done.stderr
