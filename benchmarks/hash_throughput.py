"""Hash throughput on one core: accord against python-threatexchange, in the same run.

    .venv/bin/python benchmarks/hash_throughput.py [--rounds 5]

Images: PDQ hashes per second for the corpus images and for 1, 4 and 12 MP JPEG photos
(real photos from the corpus, re-saved at those sizes): accord's default (PDQ as matrix
products), its lookup mode (``reduced``: large JPEGs decoded at 1/2 to 1/8 scale) and its
``exact`` mode (Meta's C++ through pdqhash) next to threatexchange's ``pdq_from_file``; each
round runs every hasher over the whole set, interleaved, and the median round is reported.
Hash fidelity: distance of the default and reduced hashes to the reference (exact) ones.
Video: vPDQ over the corpus videos (x real time, decoded frames per second). Audio: the
fingerprint over the corpus audio (x real time). Results also go to
benchmarks/results/hash_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# One core, before any library starts a thread pool.
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import av  # noqa: E402
from PIL import Image  # noqa: E402
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file  # noqa: E402

from accord.media.file import open_media  # noqa: E402
from accord.media.video import probe_video  # noqa: E402
from accord.signals.audio import AudioFingerprint  # noqa: E402
from accord.signals.hashing import hash_file  # noqa: E402
from accord.signals.pdq import Pdq, pdq_hex_distance  # noqa: E402
from accord.signals.vpdq import VideoPdq  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
RESULTS = Path(__file__).resolve().parent / "results" / "hash_throughput.json"
PHOTOS = sorted((CORPUS / "pdq" / "reg-test-input" / "exif-rotn").glob("*.jpg"))
MEGAPIXELS = (1, 4, 12)

Hasher = Callable[[Path], str]


def accord_fast(path: Path) -> str:
    signal = hash_file(path, signal_types=[Pdq]).signal("pdq")
    assert signal is not None
    return signal.value


def accord_reduced(path: Path) -> str:
    signal = hash_file(path, signal_types=[Pdq], reduced=True).signal("pdq")
    assert signal is not None
    return signal.value


def accord_exact(path: Path) -> str:
    signal = hash_file(path, signal_types=[Pdq], exact=True).signal("pdq")
    assert signal is not None
    return signal.value


def threatexchange(path: Path) -> str:
    return pdq_from_file(path)[0]


HASHERS: dict[str, Hasher] = {
    "accord": accord_fast,
    "accord reduced": accord_reduced,
    "accord --exact": accord_exact,
    "threatexchange": threatexchange,
}


def photo_set(folder: Path, megapixels: int) -> list[Path]:
    """The corpus photos re-saved as upright JPEG q90 of about ``megapixels``."""
    paths = []
    for source in PHOTOS:
        with Image.open(source) as image:
            upright = image.convert("RGB")
            scale = (megapixels * 1e6 / (upright.width * upright.height)) ** 0.5
            size = (round(upright.width * scale), round(upright.height * scale))
            resized = upright if scale >= 1 else upright.resize(size, Image.Resampling.LANCZOS)
            target = folder / f"{source.stem}-{megapixels}mp.jpg"
            resized.save(target, "JPEG", quality=90)
            paths.append(target)
    return paths


def images_per_second(hasher: Hasher, paths: Sequence[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        hasher(path)
    return len(paths) / (time.perf_counter() - started)


def bench_images(name: str, paths: Sequence[Path], rounds: int) -> dict[str, object]:
    for hasher in HASHERS.values():  # warm caches and imports
        hasher(paths[0])
    samples: dict[str, list[float]] = {label: [] for label in HASHERS}
    for _ in range(rounds):
        for label, hasher in HASHERS.items():
            samples[label].append(images_per_second(hasher, paths))
    medians = {label: statistics.median(values) for label, values in samples.items()}
    # Fidelity: the exact mode is Meta's reference PDQ.
    exact = [accord_exact(path) for path in paths]
    pairs = list(zip(paths, exact, strict=True))
    default = [pdq_hex_distance(accord_fast(path), reference) for path, reference in pairs]
    reduced = [pdq_hex_distance(accord_reduced(path), reference) for path, reference in pairs]
    return {
        "set": name,
        "images": len(paths),
        "images_per_second": medians,
        "ratio_vs_threatexchange": medians["accord"] / medians["threatexchange"],
        "reduced_ratio_vs_threatexchange": medians["accord reduced"] / medians["threatexchange"],
        "distance_to_reference": {
            "default": {"mean": statistics.mean(default), "max": max(default)},
            "reduced": {"mean": statistics.mean(reduced), "max": max(reduced)},
        },
    }


def bench_video(paths: Sequence[Path]) -> dict[str, float]:
    seconds = frames = 0.0
    for path in paths:  # probed outside the timed loop
        info = probe_video(open_media(path))
        seconds += info.duration or 0.0
        frames += (info.duration or 0.0) * (info.frame_rate or 0.0)
    started = time.perf_counter()
    for path in paths:
        hash_file(path, signal_types=[VideoPdq])
    elapsed = time.perf_counter() - started
    return {
        "video_seconds": seconds,
        "x_real_time": seconds / elapsed,
        "frames_per_second": frames / elapsed,
    }


def bench_audio(paths: Sequence[Path]) -> dict[str, float]:
    seconds = 0.0
    started = time.perf_counter()
    for path in paths:
        hash_file(path, signal_types=[AudioFingerprint])
    elapsed = time.perf_counter() - started
    for path in paths:
        with av.open(str(path)) as container:
            seconds += float(container.duration or 0) / 1e6
    return {"audio_seconds": seconds, "x_real_time": seconds / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    expected = json.loads((CORPUS / "pdq" / "expected.json").read_text())
    corpus_images = [CORPUS / "pdq" / name for name in expected]
    image_rows = []
    with tempfile.TemporaryDirectory() as scratch:
        sets = {"corpus": corpus_images}
        sets |= {f"{mp} MP JPEG": photo_set(Path(scratch), mp) for mp in MEGAPIXELS}
        for name, paths in sets.items():
            image_rows.append(bench_images(name, paths, args.rounds))
    videos = sorted((CORPUS / "video").glob("*.mp4"))
    audio = [CORPUS / "c2pa" / "sample1.mp3", CORPUS / "c2pa" / "sample1.wav"]
    report = {
        "machine": {"cores_used": 1, "python": sys.version.split()[0]},
        "rounds": args.rounds,
        "images": image_rows,
        "vpdq": bench_video(videos),
        "audio": bench_audio(audio),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    header = ("set", "n", "accord/s", "reduced/s", "exact/s", "pytx/s", "ratio", "distances")
    print("{:<12} {:>3} {:>9} {:>9} {:>8} {:>8} {:>13} {:>18}".format(*header))
    for row in image_rows:
        speed = row["images_per_second"]
        distance = row["distance_to_reference"]
        assert isinstance(speed, dict)
        assert isinstance(distance, dict)
        default, reduced = distance["default"], distance["reduced"]
        print(
            f"{row['set']:<12} {row['images']:>3} {speed['accord']:>9.1f} "
            f"{speed['accord reduced']:>9.1f} {speed['accord --exact']:>8.1f} "
            f"{speed['threatexchange']:>8.1f} "
            f"{row['ratio_vs_threatexchange']:>5.2f}x/"
            f"{row['reduced_ratio_vs_threatexchange']:>5.2f}x "
            f"{default['max']:>3} / {reduced['mean']:.1f}, {reduced['max']}"
        )
    video, sound = report["vpdq"], report["audio"]
    print(f"vpdq: {video['x_real_time']:.1f}x real time, ", end="")
    print(f"{video['frames_per_second']:.0f} decoded frames/s")
    print(f"audio fingerprint: {sound['x_real_time']:.1f}x real time")


if __name__ == "__main__":
    main()
