"""Mirrored video lookups (``vpdq_mirrored``): recall, false matches and what they cost.

    .venv/bin/python benchmarks/video_mirror.py [--videos 10] [--unrelated 20] [--runs 7]

Suite: ``--videos`` generated videos (``tests.factories.moving_scene``: a random texture
panning at its own speed and direction under moving discs, 3 s at 30 frames a second,
256x144), banked in a ``VideoPdqIndex`` with their plain vPDQ. Each is looked up in three
copies: mirrored left to right; mirrored and re-encoded (H.264 at CRF 34, 25 frames a
second); mirrored and downscaled to half size. A copy is found when the lookup (plain and
mirrored forms, as ``/v1/match`` looks them up) returns its original within the vPDQ
threshold, and no other video. For comparison, the plain form alone.

False matches: ``--unrelated`` further generated videos (other seeds), each looked up in
both forms against the bank; any hit is false.

Cost: one lookup (hash the file, query the index) of the same video, with the mirrored form
(``hash_video(mirrored=True)`` and two queries) and without (the plain pass and one query,
as before); the median of ``--runs`` alternating runs in one process, and their ratio.
Results also go to benchmarks/results/video_mirror.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the video makers live with the tests

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402
from PIL import Image  # noqa: E402
from tests.factories import encode_h264, mirrored, moving_scene  # noqa: E402

from accord.index.vpdq import VideoPdqIndex  # noqa: E402
from accord.media.file import open_media  # noqa: E402
from accord.signals.vpdq import VideoPdq, hash_video, serialize  # noqa: E402

Frames = list[NDArray[np.uint8]]
WIDTH, HEIGHT, FRAMES = 256, 144, 90
#: Seeds of the unrelated videos start here, far from the suite's.
UNRELATED_SEED = 10_000


def _half(frames: Frames) -> Frames:
    size = (WIDTH // 2, HEIGHT // 2)
    return [np.asarray(Image.fromarray(f).resize(size, Image.Resampling.BILINEAR)) for f in frames]


#: The copies looked up, by name: how each is made from the original's frames.
COPIES: dict[str, Callable[[Path, Frames], Path]] = {
    "mirrored": lambda path, frames: encode_h264(path, mirrored(frames)),
    "mirrored+re-encoded": lambda path, frames: encode_h264(path, mirrored(frames), fps=25, crf=34),
    "mirrored+downscaled": lambda path, frames: encode_h264(path, _half(mirrored(frames))),
}


def lookup(index: VideoPdqIndex, path: Path, *, mirror: bool) -> dict[int, float]:
    """Stored videos found for the file at ``path``: item -> distance, best form kept."""
    hashed = hash_video(open_media(path), mirrored=mirror)
    forms = [hashed.frames, hashed.mirrored] if mirror else [hashed.frames]
    found: dict[int, float] = {}
    for frames in forms:
        for hit in index.query(serialize(frames), VideoPdq.threshold):
            found[hit.item] = min(hit.distance, found.get(hit.item, hit.distance))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=10)
    parser.add_argument("--unrelated", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--timed", type=Path, help="a video to time lookups of (default: suite's)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="video-mirror-"))
    index = VideoPdqIndex()
    originals: list[tuple[Path, Frames]] = []
    for seed in range(args.videos):
        frames = moving_scene(seed, frames=FRAMES, width=WIDTH, height=HEIGHT)
        path = encode_h264(folder / f"original-{seed}.mp4", frames)
        originals.append((path, frames))
        index.add([(seed, serialize(hash_video(open_media(path)).frames))])

    recall: dict[str, dict[str, int]] = {}
    for name, make in COPIES.items():
        counts = {"found": 0, "found_plain_only": 0, "wrong": 0}
        for seed, (_, frames) in enumerate(originals):
            copy = make(folder / f"{name}-{seed}.mp4", frames)
            found = lookup(index, copy, mirror=True)
            counts["found"] += seed in found
            counts["wrong"] += len(set(found) - {seed})
            counts["found_plain_only"] += seed in lookup(index, copy, mirror=False)
        recall[name] = counts
        print(f"{name:22} found {counts['found']}/{args.videos}"
              f" (plain form alone {counts['found_plain_only']}/{args.videos}),"
              f" wrong videos {counts['wrong']}")  # fmt: skip

    false_matches = 0
    for number in range(args.unrelated):
        seed = UNRELATED_SEED + number
        other = moving_scene(seed, frames=FRAMES, width=WIDTH, height=HEIGHT)
        false_matches += len(
            lookup(index, encode_h264(folder / f"other-{seed}.mp4", other), mirror=True)
        )
    print(f"unrelated lookups      {false_matches} false matches in {args.unrelated}")

    timed = args.timed or originals[0][0]
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.runs):
        for mirror in (False, True):
            start = time.perf_counter()
            lookup(index, timed, mirror=mirror)
            times[mirror].append(time.perf_counter() - start)
    without, with_mirror = (statistics.median(times[flag]) for flag in (False, True))
    print(f"lookup of {timed.name}: {1000 * without:.1f} ms without the mirror, "
          f"{1000 * with_mirror:.1f} ms with it (x{with_mirror / without:.3f}, "
          f"median of {args.runs})")  # fmt: skip

    results: dict[str, Any] = {
        "videos": args.videos,
        "unrelated": args.unrelated,
        "recall": recall,
        "false_matches": false_matches,
        "lookup_ms": {"without_mirror": 1000 * without, "with_mirror": 1000 * with_mirror},
        "ratio": with_mirror / without,
        "runs": args.runs,
        "timed": timed.name,
    }
    out = REPO / "benchmarks" / "results" / "video_mirror.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
