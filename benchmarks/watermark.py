"""accord's image watermark against invisible-watermark's dwtDctSvd, in the same run.

    make bench-peers   # once: invisible-watermark 0.2.0 without its PyTorch dependency
    .venv/bin/python benchmarks/watermark.py [--payloads 3] [--unmarked 10000]

Photos: the real photographs of shared/corpus (bridge, the C2PA sample photo and its
re-signing, mars, pen and coaster, the 12 MP exif-rotn photo reduced to 4 MP, a frame of
the doorknob HD video), each marked with ``--payloads`` random 64-bit payloads by both
methods. Each marked copy goes through every transformation in ``tests.edits``:
the named attacks (JPEG, WebP, downscale, crop, rotation, brightness, contrast,
greyscale), a text banner with a logo, and screenshots inside a phone app, a browser page
and a desktop viewer (the picture shown at 35-100 % of the screen's width). A copy counts
when the payload comes back exactly, all 64 bits.

dwtDctSvd (the imwatermark module, loaded without its package so PyTorch is not needed)
marks 64 bits with its defaults (U channel, scale 36, 4 x 4 blocks); it has no detector, so
"exact" is the only notion of success for it too.

Also measured: PSNR; embed and read time for a 4 MP picture on one core (median of 7, the
picture already decoded); and false readings on ``--unmarked`` pictures that were never
marked: random crops, scales, turns and JPEG qualities of the corpus photos and video
frames, and synthetic pictures. Results also go to benchmarks/results/watermark.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the edit makers live with the tests

import av  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402
from PIL import Image  # noqa: E402
from tests import edits  # noqa: E402

from accord.signals.watermark import embed_watermark, read_watermark  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
PHOTOS = {
    "bridge": "pdq/bridge-mods/aaa-orig.jpg",
    "c2pa-sample": "c2pa/C.jpg",
    "c2pa-sample-small": "c2pa/CA.jpg",
    "mars": "c2pa/mars.webp",
    "pen-and-coaster": "pdq/reg-test-input/pen-and-coaster.png",
    "exif-rotn-4mp": "pdq/reg-test-input/exif-rotn/exif-rotn-1.jpg",
}
VIDEO_FRAME = "video/doorknob-hd-no-bar.mp4"
FOUR_MP = (2310, 1732)
Picture = NDArray[np.uint8]
Attack = Callable[[Image.Image], Image.Image]


def photos() -> dict[str, Image.Image]:
    loaded = {name: edits.load_photo(CORPUS / path, 2400) for name, path in PHOTOS.items()}
    loaded["exif-rotn-4mp"] = loaded["exif-rotn-4mp"].resize(FOUR_MP, Image.Resampling.LANCZOS)
    loaded["doorknob-frame"] = Image.fromarray(next(video_frames(CORPUS / VIDEO_FRAME, 1)))
    return loaded


def video_frames(path: Path, count: int) -> Iterator[Picture]:
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index % 15 == 0:
                yield np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)
                count -= 1
                if count == 0:
                    return


def attacks() -> dict[str, Attack]:
    made: dict[str, Attack] = dict(edits.FIXED_ATTACKS)
    made["text banner + logo"] = lambda image: edits.overlay(image, np.random.default_rng(1))
    for name, frame in (
        ("phone", edits.in_phone),
        ("browser", edits.in_browser),
        ("viewer", edits.in_viewer),
    ):
        made[f"screenshot: {name}"] = _screenshot(frame)
    return made


def _screenshot(frame: Callable[[Image.Image, np.random.Generator, bool], Image.Image]) -> Attack:
    return lambda image: edits.encoded(frame(image, np.random.default_rng(2), False), "JPEG", 90)


class DwtDctSvd:
    """invisible-watermark's dwtDctSvd, 64 bits, its default settings."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def embed(self, picture: Picture, bits: NDArray[np.uint8]) -> Picture:
        coder = self.module.EmbedDwtDctSvd(bits.tolist(), wmLen=len(bits))
        bgr = coder.encode(cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
        return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), np.uint8)

    def read(self, picture: Picture, length: int) -> NDArray[np.uint8]:
        coder = self.module.EmbedDwtDctSvd(watermarks=[], wmLen=length)
        bits = coder.decode(cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
        return np.asarray(np.asarray(bits) > 0.5, np.uint8)


def load_peer() -> DwtDctSvd | None:
    """imwatermark's dwtDctSvd module alone: its package imports PyTorch for rivaGan."""
    spec = importlib.util.find_spec("imwatermark")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "dwtDctSvd.py"
    module_spec = importlib.util.spec_from_file_location("dwtDctSvd", path)
    if module_spec is None or module_spec.loader is None:
        return None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return DwtDctSvd(module)


def psnr(a: Picture, b: Picture) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float(10 * np.log10(255**2 / mse))


def robustness(payloads: int, peer: DwtDctSvd | None) -> dict[str, Any]:
    rng = np.random.default_rng(2026)
    named = attacks()
    ours: dict[str, list[bool]] = {name: [] for name in named}
    theirs: dict[str, list[bool]] = {name: [] for name in named}
    psnrs: dict[str, list[float]] = {"accord": [], "dwtDctSvd": []}
    per_photo: dict[str, int] = {}
    for photo_name, photo in photos().items():
        pixels = np.asarray(photo)
        for _ in range(payloads):
            payload = int.from_bytes(rng.bytes(8), "big")
            bits = np.unpackbits(np.frombuffer(payload.to_bytes(8, "big"), np.uint8))
            marked = embed_watermark(pixels, payload)
            psnrs["accord"].append(psnr(pixels, marked))
            peer_marked = peer.embed(pixels, bits) if peer else None
            if peer_marked is not None:
                psnrs["dwtDctSvd"].append(psnr(pixels, peer_marked))
            for attack_name, attack in named.items():
                copy = np.asarray(attack(Image.fromarray(marked)).convert("RGB"))
                reading = read_watermark(copy)
                found = reading is not None and reading.payload == payload
                ours[attack_name].append(found)
                per_photo[photo_name] = per_photo.get(photo_name, 0) + found
                if peer and peer_marked is not None:
                    their_copy = np.asarray(attack(Image.fromarray(peer_marked)).convert("RGB"))
                    theirs[attack_name].append(
                        bool(np.array_equal(peer.read(their_copy, 64), bits))
                    )
        print(f"  {photo_name}: {per_photo.get(photo_name, 0)}/{payloads * len(named)}", flush=True)
    return {"accord": ours, "dwtDctSvd": theirs, "psnr": psnrs, "per_photo": per_photo}


def timing(peer: DwtDctSvd | None, repeats: int = 7) -> dict[str, float]:
    cv2.setNumThreads(1)
    photo = photos()["exif-rotn-4mp"]
    pixels = np.asarray(photo)
    times: dict[str, list[float]] = {}

    def clock(name: str, work: Callable[..., Any], *arguments: object) -> Any:
        started = time.perf_counter()
        result = work(*arguments)
        times.setdefault(name, []).append(1000 * (time.perf_counter() - started))
        return result

    bits = np.unpackbits(np.arange(8, dtype=np.uint8))
    for payload in range(repeats):
        marked = clock("accord embed", embed_watermark, pixels, payload)
        clock("accord read (marked)", read_watermark, marked)
        clock("accord read (unmarked)", read_watermark, pixels)
        if peer:
            peer_marked = clock("dwtDctSvd embed", peer.embed, pixels, bits)
            clock("dwtDctSvd read", peer.read, peer_marked, 64)
    return {name: statistics.median(values) for name, values in times.items()}


def unmarked_picture(seed: int, sources: list[Picture]) -> Picture:
    """A picture never marked: a random view of a corpus photo or frame, or a synthetic one."""
    rng = np.random.default_rng(seed)
    if rng.random() < 0.2:
        return edits.distractor(rng)
    source = Image.fromarray(sources[int(rng.integers(len(sources)))])
    width, height = source.size
    keep_w, keep_h = rng.uniform(0.4, 1.0, 2)
    left = int(rng.uniform(0, 1 - keep_w) * width)
    top = int(rng.uniform(0, 1 - keep_h) * height)
    view = source.crop((left, top, left + int(keep_w * width), top + int(keep_h * height)))
    view = edits.scaled(view, float(rng.uniform(0.4, 1.0)))
    if rng.random() < 0.3:
        view = edits.turned(view, float(rng.uniform(-5, 5)))
    return np.asarray(edits.encoded(view, "JPEG", int(rng.integers(50, 96))))


def _count_false(seeds: range) -> tuple[int, int, float]:
    sources = [np.asarray(photo) for photo in photos().values()]
    sources += list(video_frames(CORPUS / "video" / "chair-orig-22-sd-bar.mp4", 8))
    false = 0
    spent = 0.0
    for seed in seeds:
        picture = unmarked_picture(seed, sources)
        started = time.perf_counter()
        false += read_watermark(picture) is not None
        spent += time.perf_counter() - started
    return false, len(seeds), spent


def false_readings(count: int, workers: int = 2) -> dict[str, float]:
    chunk = -(-count // workers)
    ranges = [range(start, min(count, start + chunk)) for start in range(0, count, chunk)]
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(_count_false, ranges))
    false = sum(result[0] for result in results)
    seconds = sum(result[2] for result in results)
    return {"pictures": count, "false_readings": false, "mean_read_ms": 1000 * seconds / count}


def _rate(values: list[bool]) -> str:
    return f"{sum(values)}/{len(values)}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payloads", type=int, default=3)
    parser.add_argument("--unmarked", type=int, default=10_000)
    args = parser.parse_args()
    peer = load_peer()
    if peer is None:
        print("dwtDctSvd is not installed (make bench-peers): accord alone")
    print("exact 64-bit payload recovery:")
    robust = robustness(args.payloads, peer)
    print(f"\n{'transformation':28} {'accord':>9} {'dwtDctSvd':>10}")
    for name, found in robust["accord"].items():
        print(f"{name:28} {_rate(found):>9} {_rate(robust['dwtDctSvd'][name]):>10}")
    for method, values in robust["psnr"].items():
        if values:
            print(
                f"PSNR {method}: min {min(values):.2f} dB, median {statistics.median(values):.2f}"
            )
    times = timing(peer)
    print("\n4 MP picture, one core, median of 7 (ms):")
    for name, value in times.items():
        print(f"  {name:24} {value:7.1f}")
    false = false_readings(args.unmarked) if args.unmarked else {}
    if false:
        print(
            f"\nunmarked pictures: {false['false_readings']:.0f} false readings in "
            f"{false['pictures']:.0f} (mean read {false['mean_read_ms']:.0f} ms)"
        )
    results = REPO / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    summary = {
        "payloads_per_photo": args.payloads,
        "recovered": {
            method: {name: [sum(found), len(found)] for name, found in robust[method].items()}
            for method in ("accord", "dwtDctSvd")
        },
        "psnr": robust["psnr"],
        "per_photo": robust["per_photo"],
        "timing_ms": times,
        "unmarked": false,
    }
    (results / "watermark.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
