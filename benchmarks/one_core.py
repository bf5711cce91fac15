"""Run a benchmark's measurement in a child process pinned to one CPU with one OpenMP
thread, so that a figure "on one core" is one core's, and the child's peak RSS its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def on_one_core(module: str, task: str, *args: Any) -> dict[str, Any]:
    """``benchmarks/<module>.py``'s ``task(*args)`` in a child on CPU 0; its JSON answer.
    Exits with the child's error when it fails."""
    taskset = shutil.which("taskset")
    if taskset is None:
        sys.exit("taskset (util-linux) is needed to pin the runs to one CPU")
    code = (
        f"import json, sys; sys.path.insert(0, 'benchmarks'); import {module};"
        f"print(json.dumps({module}.{task}(*json.loads(sys.argv[1]))))"
    )
    done = subprocess.run(
        [taskset, "-c", "0", sys.executable, "-c", code, json.dumps(args)],
        cwd=REPO,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"the {module}.{task} run failed: {done.stderr.strip()[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
