"""Run the fuzz targets: ``python -m fuzz [--seconds N | --runs N] [TARGET ...]``.

Each target runs in its own process (libFuzzer ends the process it runs in), one after
another. The corpus libFuzzer grows is kept in ``.cache/fuzz/<target>/corpus`` (or under
``--workdir``), so later runs start from the coverage earlier ones reached; a finding is
written beside it as ``crash-<sha1>``, the input that broke the contract. The exit status
is 1 if any target found something.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAMES = ("sniff", "structure", "image", "audio", "video", "metadata", "credentials")
#: libFuzzer's limit for one input; the targets' own MediaLimits stop decoding at 5 s.
INPUT_TIMEOUT_SECONDS = 60
#: Lines of a failed target's output shown (libFuzzer's report and the traceback).
_TAIL_LINES = 40


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__)
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--seconds", type=int, default=60, help="per target (default 60)")
    budget.add_argument("--runs", type=int, help="inputs per target, instead of a time")
    parser.add_argument("--workdir", type=Path, default=REPO / ".cache" / "fuzz")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("targets", nargs="*", choices=[[], *NAMES], metavar="TARGET")
    args = parser.parse_args()
    limit = f"-runs={args.runs}" if args.runs is not None else f"-max_total_time={args.seconds}"
    if args.child:
        return _fuzz_one(args.child, args.workdir / args.child, limit)
    failed = [name for name in args.targets or NAMES if not _run_child(name, args, limit)]
    if failed:
        print(f"fuzz: findings in {', '.join(failed)} (inputs under {args.workdir})")
        return 1
    print("fuzz: every exception that escaped was an accord error")
    return 0


def _run_child(name: str, args: argparse.Namespace, limit: str) -> bool:
    command = [sys.executable, "-m", "fuzz", "--child", name, "--workdir", str(args.workdir)]
    command += (
        ["--runs", str(args.runs)] if args.runs is not None else ["--seconds", str(args.seconds)]
    )
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, errors="replace", check=False
    )
    output = (done.stdout + done.stderr).splitlines()
    stats = next((line for line in reversed(output) if "DONE" in line.split()), "")
    seconds = time.monotonic() - started
    if done.returncode == 0:
        print(f"{name}: ok in {seconds:.0f} s  {stats.split('DONE', 1)[-1].strip()}")
        return True
    print(f"{name}: FAILED (exit status {done.returncode}, {limit})")
    print("\n".join(output[-_TAIL_LINES:]))
    return False


def _fuzz_one(name: str, folder: Path, limit: str) -> int:
    import atheris  # only the child fuzzes; the runner needs no libFuzzer

    with atheris.instrument_imports(include=["accord"]):
        from fuzz.targets import TARGETS, Harness

    from fuzz.seeds import SEEDS

    corpus, seeds = folder / "corpus", folder / "seeds"
    corpus.mkdir(parents=True, exist_ok=True)
    seeds.mkdir(parents=True, exist_ok=True)
    for index, data in enumerate(SEEDS[name]()):
        (seeds / f"seed-{index:02d}").write_bytes(data)
    argv = [
        sys.argv[0],
        limit,
        f"-timeout={INPUT_TIMEOUT_SECONDS}",
        f"-artifact_prefix={folder}{os.sep}",
        "-print_final_stats=0",
        str(corpus),  # the first folder is where libFuzzer adds what it finds
        str(seeds),
    ]
    atheris.Setup(argv, Harness(TARGETS[name]))
    atheris.Fuzz()
    return 0  # atheris.Fuzz ends the process; not reached


if __name__ == "__main__":
    sys.exit(main())
