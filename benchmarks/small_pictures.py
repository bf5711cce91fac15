"""Small pictures: are 128-512 px copies of banked photos found, and nothing else?

    .venv/bin/python benchmarks/small_pictures.py [--sizes 128,256,512] [--distractors 60]

Suite: real photographs of shared/corpus (textured: bridge, houses, stairs, zebra, desk,
mars, people; plain: sea, mountain, ribbons, earth), each made square (centre crop) at
every size of ``--sizes`` and banked, as a JPEG at quality 92, in a bank of its own size
through accord's real path (``hash_for_bank`` then ``add_entry``, as ``accord bank add``
does), beside ``--distractors`` synthetic pictures per bank (``tests.edits.distractor``).
Each banked photo is then edited and looked up with ``match_file`` (the code behind
``POST /v1/match`` and ``accord match``: PDQ in every orientation, then keypoints when PDQ
finds nothing) in its size's bank:

- simple edits: JPEG at quality 35 and 50, resized to 40 %, 50 % and 200 %, mirrored,
  flipped, turned by 90, 180 and 270 degrees, greyscale, brighter, more contrast, a small
  blur, sharpened, re-encoded as PNG;
- hard edits: crops of 10, 15, 20 and 25 % per side and an uneven one (10-25 % a side),
  screenshots (the picture at its own size on a larger canvas with app bars and text; and
  scaled into a phone, browser or viewer frame), banners (a text bar added above or below,
  a news overlay on the picture), turns of 2, 4 and 5 degrees (and 3 on an expanded
  canvas), aspect changes (stretched 1.3x wide, squashed to 0.75 high).

A copy is found when its own original is among the matches; a match of any other picture
is false. Unrelated lookups: corpus pictures of other scenes (coasters, text, gradient,
flat and tiny pictures) at every size, plain and edited, and synthetic pictures, each
looked up in every bank: any match is false.

Peer: python-threatexchange's ``PdqSignal`` on the same files (its hash of each file, its
quality cut-off, and its ``compare_hash`` at threshold 31 against the banked originals'
hashes; it has no rotated lookup). Results also go to benchmarks/results/small_pictures.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the edit makers live with the tests

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps  # noqa: E402
from tests.edits import (  # noqa: E402
    WORDS,
    distractor,
    encoded,
    load_photo,
    overlay,
    scaled,
    screenshot,
)

CORPUS = REPO.parent / "shared" / "corpus"
RESULTS = REPO / "benchmarks" / "results" / "small_pictures.json"
#: Banked photos: name -> path under shared/corpus. Distinct scenes, textured and plain.
PHOTOS = {
    "bridge": "pdq/bridge-mods/aaa-orig.jpg",
    "houses": "pdq/reg-test-input/labelme-subset/q1050.jpg",
    "stairs": "pdq/reg-test-input/labelme-subset/q0746.jpg",
    "zebra": "pdq/reg-test-input/labelme-subset/q2821.jpg",
    "people": "pdq/reg-test-input/labelme-subset/q0291.jpg",
    "desk": "pdq/reg-test-input/exif-rotn/exif-rotn-1.jpg",
    "mars": "c2pa/mars.webp",
    "sea": "pdq/reg-test-input/labelme-subset/q0122.jpg",
    "mountain": "c2pa/test_xmp.webp",
    "ribbons": "c2pa/CA.jpg",
    "earth": "c2pa/earth_apollo17.jpg",
}
#: Pictures of none of those scenes, looked up to count false matches.
UNRELATED = {
    "coaster": "pdq/reg-test-input/pen-and-coaster.png",
    "coaster-2": "pdq/misc-images/c.png",
    "lorem-ipsum": "c2pa/no_manifest.jpg",
    "gradient": "c2pa/C.jpg",
    "blue": "pdq/reg-test-input/labelme-subset/q0003.jpg",
    "grey": "pdq/reg-test-input/labelme-subset/q0004.jpg",
    "black": "pdq/misc-images/small.jpg",
    "png-logo": "c2pa/libpng-test.png",
}
Edit = Callable[[Image.Image, np.random.Generator], Image.Image]


# Edits -----------------------------------------------------------------------------------


def _quality(quality: int) -> Edit:
    return lambda image, _: encoded(image, "JPEG", quality)


def _resized(factor: float) -> Edit:
    return lambda image, _: scaled(image, factor)


def _enhanced(kind: Callable[[Image.Image], ImageEnhance._Enhance], factor: float) -> Edit:
    return lambda image, _: kind(image).enhance(factor)


SIMPLE: dict[str, Edit] = {
    "jpeg q35": _quality(35),
    "jpeg q50": _quality(50),
    "resize 40%": _resized(0.4),
    "resize 50%": _resized(0.5),
    "resize 200%": _resized(2.0),
    "mirror": lambda image, _: ImageOps.mirror(image),
    "flip": lambda image, _: ImageOps.flip(image),
    "turn 90": lambda image, _: image.transpose(Image.Transpose.ROTATE_90),
    "turn 180": lambda image, _: image.transpose(Image.Transpose.ROTATE_180),
    "turn 270": lambda image, _: image.transpose(Image.Transpose.ROTATE_270),
    "greyscale": lambda image, _: image.convert("L").convert("RGB"),
    "brightness +25%": _enhanced(ImageEnhance.Brightness, 1.25),
    "contrast +30%": _enhanced(ImageEnhance.Contrast, 1.3),
    "blur r1": lambda image, _: image.filter(ImageFilter.GaussianBlur(1)),
    "sharpen": lambda image, _: image.filter(ImageFilter.SHARPEN),
    "png": lambda image, _: image,  # written as PNG below
}


def _cropped(fraction: float) -> Edit:
    def crop(image: Image.Image, _: np.random.Generator) -> Image.Image:
        dx, dy = round(image.width * fraction), round(image.height * fraction)
        return image.crop((dx, dy, image.width - dx, image.height - dy))

    return crop


def uneven_crop(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    left, top, right, bottom = rng.uniform(0.10, 0.25, 4)
    width, height = image.size
    box = (left * width, top * height, width - right * width, height - bottom * height)
    return image.crop(tuple(round(side) for side in box))


def small_screenshot(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The picture at its own size on a canvas 1.6-2.2x larger, with app bars and text."""
    scale = rng.uniform(1.6, 2.2)
    width, height = round(image.width * scale), round(image.height * scale)
    dark = bool(rng.integers(0, 2))
    canvas = Image.new("RGB", (width, height), (20, 20, 24) if dark else (250, 250, 250))
    draw = ImageDraw.Draw(canvas)
    ink = (230, 230, 230) if dark else (20, 20, 20)
    bar = max(12, height // 12)
    accent = tuple(int(channel) for channel in rng.integers(0, 200, 3))
    draw.rectangle((0, 0, width, bar), fill=accent)
    draw.text((6, bar // 4), _phrase(rng, 2), font=_font(bar * 0.6), fill="white")
    left = int(rng.integers(4, max(5, width - image.width - 4)))
    top = bar + int(rng.integers(4, max(5, height - image.height - 2 * bar)))
    canvas.paste(image, (left, top))
    y = top + image.height + 4
    while y + bar < height:
        draw.text((6, y), _phrase(rng, 3), font=_font(bar * 0.5), fill=ink)
        y += bar
    draw.rectangle((0, height - bar, width, height), fill=(60, 60, 60) if dark else (230,) * 3)
    return canvas


def banner(where: str) -> Edit:
    """A caption bar of 15-25 % of the height added above or below, as memes add them."""

    def add(image: Image.Image, rng: np.random.Generator) -> Image.Image:
        bar = max(12, round(image.height * rng.uniform(0.15, 0.25)))
        canvas = Image.new("RGB", (image.width, image.height + bar), "white")
        canvas.paste(image, (0, bar if where == "top" else 0))
        draw = ImageDraw.Draw(canvas)
        y = 0 if where == "top" else image.height
        draw.text((4, y + bar // 4), _phrase(rng, 3), font=_font(bar * 0.45), fill="black")
        return canvas

    return add


def _turned(degrees: float, *, expand: bool = False) -> Edit:
    def turn(image: Image.Image, _: np.random.Generator) -> Image.Image:
        return image.rotate(degrees, Image.Resampling.BICUBIC, expand=expand, fillcolor="black")

    return turn


def _stretched(width: float, height: float) -> Edit:
    def stretch(image: Image.Image, _: np.random.Generator) -> Image.Image:
        size = (round(image.width * width), round(image.height * height))
        return image.resize(size, Image.Resampling.LANCZOS)

    return stretch


HARD: dict[str, Edit] = {
    "crop 10%": _cropped(0.10),
    "crop 15%": _cropped(0.15),
    "crop 20%": _cropped(0.20),
    "crop 25%": _cropped(0.25),
    "crop uneven": uneven_crop,
    "screenshot": small_screenshot,
    "screenshot scaled": screenshot,
    "banner top": banner("top"),
    "banner bottom": banner("bottom"),
    "news overlay": overlay,
    "turn 2°": _turned(2.0),
    "turn -4°": _turned(-4.0),
    "turn 5°": _turned(5.0),
    "turn 3° expanded": _turned(3.0, expand=True),
    "stretch 1.3x wide": _stretched(1.3, 1.0),
    "squash 0.75 high": _stretched(1.0, 0.75),
}
#: Edits of the unrelated pictures looked up besides the plain picture.
UNRELATED_EDITS = ("jpeg q50", "mirror", "turn 90", "crop 15%", "screenshot", "banner top")


def _phrase(rng: np.random.Generator, words: int) -> str:
    return " ".join(str(word) for word in rng.choice(WORDS, words))


def _font(size: float) -> Any:
    from PIL import ImageFont

    return ImageFont.load_default(size=max(8, int(size)))


def square(photo: Image.Image, size: int) -> Image.Image:
    """The photo's centre square at ``size`` x ``size``."""
    side = min(photo.size)
    left, top = (photo.width - side) // 2, (photo.height - side) // 2
    cropped = photo.crop((left, top, left + side, top + side))
    return cropped.resize((size, size), Image.Resampling.LANCZOS)


def write(image: Image.Image, path: Path, *, edit: str) -> Path:
    """JPEG at 90 as uploads are, unless the edit is itself a codec (JPEG qN, PNG)."""
    if edit == "png":
        image.save(path.with_suffix(".png"), "PNG")
        return path.with_suffix(".png")
    if edit.startswith("jpeg"):  # already through JPEG; keep those very pixels
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        path.with_suffix(".png").write_bytes(buffer.getvalue())
        return path.with_suffix(".png")
    image.convert("RGB").save(path.with_suffix(".jpg"), "JPEG", quality=90)
    return path.with_suffix(".jpg")


# Accord's real path ----------------------------------------------------------------------


@contextmanager
def accord_runtime(folder: Path) -> Iterator[Any]:
    os.environ["ACCORD_DATA_DIR"] = str(folder)
    os.environ.pop("ACCORD_DATABASE_URL", None)
    from accord.cli.local import local_runtime

    with local_runtime() as runtime:
        yield runtime


def bank_files(runtime: Any, bank_name: str, files: dict[str, Path]) -> dict[int, str]:
    """Bank each file as ``accord bank add`` does; entry id -> name."""
    from accord.cli.local import transaction
    from accord.server.banks.schemas import EntryFields
    from accord.server.banks.service import add_entry, create_bank
    from accord.server.hashing.service import hash_for_bank, reliable_signals

    entries = {}
    with transaction(runtime) as session:
        bank = create_bank(session, bank_name)
        for name, path in files.items():
            signals = reliable_signals(hash_for_bank(runtime, path))
            entry = add_entry(session, bank, signals, EntryFields(source=name))
            entries[entry.id] = name
    return entries


@dataclass
class Lookup:
    matched: list[tuple[int, str, str]]  # (entry id, signal type, stage)
    seconds: float


def look_up(runtime: Any, path: Path, banks: list[str] | None) -> Lookup:
    from accord.cli.local import transaction
    from accord.server.matching.service import MatchOptions, match_file

    options = MatchOptions(banks=banks, report_sightings=False)
    started = time.perf_counter()
    with transaction(runtime) as session:
        _, report = match_file(runtime, session, path, options)
        matched = [(m.entry.id, m.signal_type, m.stage) for m in report.matches]
    return Lookup(matched, time.perf_counter() - started)


# python-threatexchange's PDQ ---------------------------------------------------------------


def peer_hash(path: Path) -> str:
    """pytx's hash of a file ('' below its quality cut-off), or '' without pytx."""
    try:
        from threatexchange.signal_type.pdq.signal import PdqSignal
    except ImportError:
        return ""
    return str(PdqSignal.hash_from_bytes(path.read_bytes()))


def peer_matches(query: str, banked: dict[str, str]) -> set[str]:
    from threatexchange.signal_type.pdq.signal import PdqSignal

    if not query:
        return set()
    return {
        name
        for name, value in banked.items()
        if value and PdqSignal.compare_hash(query, value).match
    }


# The run ---------------------------------------------------------------------------------


@dataclass
class Tally:
    found: int = 0
    total: int = 0
    peer: int = 0
    missed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"found": self.found, "total": self.total, "peer": self.peer, "missed": self.missed}


@dataclass
class Run:
    sizes: list[int]
    #: (edit, size) -> tally.
    tallies: dict[tuple[str, int], Tally] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)
    unrelated: int = 0
    false_matches: list[str] = field(default_factory=list)
    peer_false: int = 0
    seconds: list[float] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)


def run_suite(args: argparse.Namespace, folder: Path) -> Run:
    photos = {name: load_photo(CORPUS / path) for name, path in PHOTOS.items()}
    others = {name: load_photo(CORPUS / path) for name, path in UNRELATED.items()}
    run = Run(args.sizes)
    with accord_runtime(folder / "data") as runtime:
        banked: dict[int, dict[int, str]] = {}  # size -> entry id -> name
        peer_banked: dict[int, dict[str, str]] = {}
        for size in args.sizes:
            files = {}
            for name, photo in photos.items():
                files[name] = write(square(photo, size), folder / f"{name}-{size}", edit="")
            for number in range(args.distractors):
                rng = np.random.default_rng(10_000 * size + number)
                picture = square(Image.fromarray(distractor(rng)), size)
                files[f"distractor-{number}"] = write(
                    picture, folder / f"distractor-{size}-{number}", edit=""
                )
            banked[size] = bank_files(runtime, f"SMALL_{size}", files)
            peer_banked[size] = {name: peer_hash(path) for name, path in files.items()}
            print(f"banked {len(files)} pictures of {size} px", flush=True)
        warm(runtime)
        for size in args.sizes:
            edits = {**SIMPLE, **HARD}
            for index, (name, photo) in enumerate(photos.items()):
                original = square(photo, size)
                for number, (edit, make) in enumerate(edits.items()):
                    rng = np.random.default_rng([args.seed, size, number, index])
                    path = write(make(original, rng), folder / "copy", edit=edit)
                    lookup = look_up(runtime, path, [f"SMALL_{size}"])
                    names = {banked[size][entry] for entry, _, _ in lookup.matched}
                    tally = run.tallies.setdefault((edit, size), Tally())
                    tally.total += 1
                    if name in names:
                        tally.found += 1
                    else:
                        tally.missed.append(name)
                    stage = next((s for e, _, s in lookup.matched if banked[size][e] == name), "")
                    run.stages[stage or "missed"] = run.stages.get(stage or "missed", 0) + 1
                    run.wrong += [f"{name} {edit} {size} -> {other}" for other in names - {name}]
                    peer = peer_matches(peer_hash(path), peer_banked[size])
                    tally.peer += name in peer
                    run.seconds.append(lookup.seconds)
            print(f"looked up the copies of {size} px", flush=True)
        everything = {entry: name for names in banked.values() for entry, name in names.items()}
        peer_all = {
            f"{size}/{n}": v for size, hashes in peer_banked.items() for n, v in hashes.items()
        }
        for label, path in unrelated_files(others, args, folder):
            lookup = look_up(runtime, path, None)
            run.unrelated += 1
            run.false_matches += [f"{label} -> {everything[e]} ({t})" for e, t, _ in lookup.matched]
            run.peer_false += bool(peer_matches(peer_hash(path), peer_all))
            run.seconds.append(lookup.seconds)
    return run


def _unchanged(image: Image.Image, _: np.random.Generator) -> Image.Image:
    return image


def unrelated_files(
    others: dict[str, Image.Image], args: argparse.Namespace, folder: Path
) -> Iterator[tuple[str, Path]]:
    every = {**SIMPLE, **HARD}
    edits: dict[str, Edit] = {"plain": _unchanged} | {name: every[name] for name in UNRELATED_EDITS}
    for size in args.sizes:
        for name, photo in others.items():
            for number, (edit, make) in enumerate(edits.items()):
                rng = np.random.default_rng([args.seed, size, number, 7])
                path = write(make(square(photo, size), rng), folder / "other", edit=edit)
                yield f"{name} {edit} {size}", path
        for number in range(args.synthetic):
            rng = np.random.default_rng(99_000 + 1000 * size + number)
            picture = square(Image.fromarray(distractor(rng)), size)
            yield f"synthetic {number} {size}", write(picture, folder / "other", edit="")


def warm(runtime: Any) -> None:
    from accord.cli.local import warm_indexes

    warm_indexes(runtime)


def report_json(run: Run) -> dict[str, Any]:
    def family(edits: dict[str, Edit]) -> dict[str, int]:
        tallies = [t for (edit, _), t in run.tallies.items() if edit in edits]
        return {
            "found": sum(t.found for t in tallies),
            "peer": sum(t.peer for t in tallies),
            "total": sum(t.total for t in tallies),
        }

    return {
        "sizes": run.sizes,
        "photos": list(PHOTOS),
        "edits": {
            f"{edit} @ {size}": tally.to_json() for (edit, size), tally in run.tallies.items()
        },
        "simple": family(SIMPLE),
        "hard": family(HARD),
        "by_size": {
            str(size): {
                "simple": _sum(run, SIMPLE, size),
                "hard": _sum(run, HARD, size),
            }
            for size in run.sizes
        },
        "found_by_stage": run.stages,
        "wrong_matches": run.wrong,
        "unrelated_lookups": run.unrelated,
        "false_matches": run.false_matches,
        "peer_false_matches": run.peer_false,
        "lookup_ms": {
            "median": 1000 * statistics.median(run.seconds),
            "p90": 1000 * float(np.percentile(run.seconds, 90)),
        },
    }


def _sum(run: Run, edits: dict[str, Edit], size: int) -> dict[str, int]:
    tallies = [t for (edit, s), t in run.tallies.items() if edit in edits and s == size]
    return {
        "found": sum(t.found for t in tallies),
        "peer": sum(t.peer for t in tallies),
        "total": sum(t.total for t in tallies),
    }


def print_report(run: Run, report: dict[str, Any]) -> None:
    sizes = run.sizes
    header = " | ".join(f"{size} px accord (pytx)" for size in sizes)
    print(f"\n| edit | {header} |")
    print("|---|" + "---|" * len(sizes))
    for edits in (SIMPLE, HARD):
        for edit in edits:
            cells = []
            for size in sizes:
                tally = run.tallies[(edit, size)]
                cells.append(f"{tally.found}/{tally.total} ({tally.peer})")
            print(f"| {edit} | {' | '.join(cells)} |")
    for label in ("simple", "hard"):
        total = report[label]
        print(
            f"{label}: accord {total['found']}/{total['total']} "
            f"({total['found'] / total['total']:.1%}), pytx PDQ {total['peer']}/{total['total']}"
        )
    for size, families in report["by_size"].items():
        simple, hard = families["simple"], families["hard"]
        print(
            f"  {size} px: simple {simple['found']}/{simple['total']}, "
            f"hard {hard['found']}/{hard['total']}"
        )
    print(f"found by stage: {report['found_by_stage']}")
    print(
        f"unrelated lookups: {report['unrelated_lookups']}, false matches: "
        f"{len(report['false_matches'])} (pytx PDQ: {report['peer_false_matches']}); "
        f"copies matching another picture: {len(report['wrong_matches'])}"
    )
    for line in report["false_matches"] + report["wrong_matches"]:
        print(f"  false: {line}")
    missed = [
        f"{edit} @ {size}: {', '.join(t.missed)}"
        for (edit, size), t in run.tallies.items()
        if t.missed
    ]
    for line in missed:
        print(f"  missed {line}")
    lookup = report["lookup_ms"]
    print(f"lookup: median {lookup['median']:.1f} ms, p90 {lookup['p90']:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="128,256,512", help="sides of the banked squares")
    parser.add_argument("--distractors", type=int, default=60, help="synthetic pictures banked")
    parser.add_argument("--synthetic", type=int, default=10, help="synthetic lookups per size")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",")]
    import cv2

    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as temporary:
        run = run_suite(args, Path(temporary))
    report = report_json(run)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print_report(run, report)


if __name__ == "__main__":
    main()
