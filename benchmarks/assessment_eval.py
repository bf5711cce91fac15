"""The assessment's evaluation set, made from the corpus, scored by ``accord eval``.

    .venv/bin/python benchmarks/assessment_eval.py [--out /tmp/accord-eval]

A fresh accord instance (its own data folder) gets an issuer, signs a set of corpus
photos, puts some pictures in a deceptive bank, and then a labelled folder is written:

- verified_authentic: the signed files themselves (the instance trusts its issuer);
- likely_authentic: copies of them stripped of credentials, re-encoded, resized, cropped;
- altered_from_authentic: stripped copies with a patch of another photo pasted in (a
  swapped face or sign), and the C2PA corpus file whose pixels changed after signing;
  face swaps: one candidate's face pasted over another's, in a signed press photo and in
  an unsigned one (which accord cannot know was altered: it should abstain);
- likely_ai_generated: pictures carrying an SD web UI's ``parameters`` text, an XMP
  ``trainedAlgorithmicMedia`` source type, an SDXL watermark embedded with the published
  algorithm, or Content Credentials from an unknown signer declaring generative AI;
- confirmed_deceptive: re-encoded copies of pictures in the deceptive bank;
- no_evidence_either_way: clean unsigned photos and video frames.

Then ``accord eval --json`` runs on it; the figures are printed and kept in
benchmarks/results/assessment_eval.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the media makers live with the tests

import av  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, PngImagePlugin  # noqa: E402
from tests import edits, sd_watermark  # noqa: E402
from tests.factories import encode_h264  # noqa: E402

from accord.provenance.certificates import IssuerName, issue_chain  # noqa: E402
from accord.provenance.signing import SourceType, sign_file  # noqa: E402
from accord.signals.faces import find_faces  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
#: Photos of two people (``make test-media``): the candidates of the face swaps.
FACES = REPO / ".cache" / "test-media" / "faces"
ACCORD = str(REPO / ".venv" / "bin" / "accord")
PHOTOS = [
    "pdq/bridge-mods/aaa-orig.jpg",
    "pdq/reg-test-input/pen-and-coaster.png",
    "c2pa/mars.webp",
    "c2pa/earth_apollo17.jpg",
    *[f"pdq/reg-test-input/labelme-subset/{name}" for name in ("q0122.jpg", "q0291.jpg")],
]
CONTROLS = [
    "pdq/reg-test-input/labelme-subset/q0746.jpg",
    "pdq/reg-test-input/labelme-subset/q1050.jpg",
    "pdq/reg-test-input/labelme-subset/q2821.jpg",
    "c2pa/no_manifest.jpg",
]
XMP_AI = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
    'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/'
    'trainedAlgorithmicMedia"/></rdf:RDF></x:xmpmeta>'
)


def run(*args: str | Path, environment: dict[str, str]) -> str:
    done = subprocess.run(
        [ACCORD, *map(str, args)], capture_output=True, text=True, env=environment, check=False
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"accord {args[0]} failed: {done.stderr}")
    return done.stdout


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def frames(path: Path, count: int, *, step: int = 20) -> Iterator[Image.Image]:
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index % step == 0:
                yield Image.fromarray(frame.to_ndarray(format="rgb24"))
                count -= 1
                if count == 0:
                    return


def build(out: Path, environment: dict[str, str]) -> Path:
    labelled = out / "labelled"
    bands = {
        "verified_authentic", "likely_authentic", "altered_from_authentic",
        "likely_ai_generated", "confirmed_deceptive", "no_evidence_either_way",
    }  # fmt: skip
    for band in bands:
        (labelled / band).mkdir(parents=True)
    run("issuer", "create", "ec", "--organization", "Electoral Commission", environment=environment)
    signed_dir = out / "signed"
    photos = [CORPUS / name for name in PHOTOS]
    run("sign", *photos, "--issuer", "ec", "--out-dir", signed_dir, environment=environment)
    donor = edits.load_photo(CORPUS / "c2pa" / "C.jpg")
    rng = np.random.default_rng(7)
    for signed in sorted(signed_dir.iterdir()):
        shutil.copy(signed, labelled / "verified_authentic" / signed.name)
        picture = Image.open(signed).convert("RGB")
        copies = {
            "reencoded": edits.encoded(picture, "JPEG", 75),
            "smaller": edits.scaled(picture, 0.6),
            "cropped": edits.cropped(picture, 0.05),
        }
        for how, copy in copies.items():
            (labelled / "likely_authentic" / f"{signed.stem}-{how}.jpg").write_bytes(jpeg(copy))
        width, height = picture.size
        patch = donor.crop((100, 100, 100 + width // 6, 100 + height // 5))
        for attempt in range(2):
            altered = picture.copy()
            where = (
                int(rng.integers(0, width - patch.width)),
                int(rng.integers(0, height - patch.height)),
            )
            altered.paste(patch, where)
            name = f"{signed.stem}-spliced-{attempt}.jpg"
            (labelled / "altered_from_authentic" / name).write_bytes(jpeg(altered))
    shutil.copy(CORPUS / "c2pa" / "XCA.jpg", labelled / "altered_from_authentic" / "XCA.jpg")
    add_sound_and_video(out, labelled, environment)
    add_face_swaps(out, labelled, environment)

    generator = issue_chain(IssuerName("Some Image Generator", "Generator"))
    for index, name in enumerate(CONTROLS[:3]):
        photo = edits.load_photo(CORPUS / name)
        info = PngImagePlugin.PngInfo()
        info.add_text("parameters", "a candidate at a rally\nSteps: 30, Sampler: Euler a, Seed: 1")
        photo.save(labelled / "likely_ai_generated" / f"a1111-{index}.png", pnginfo=info)
        photo.save(labelled / "likely_ai_generated" / f"xmp-{index}.jpg", xmp=XMP_AI.encode())
    source = np.asarray(
        edits.load_photo(CORPUS / "pdq/reg-test-input/exif-rotn/exif-rotn-1.jpg", 4032)
    )
    bits = sd_watermark.number_bits(sd_watermark.SDXL_NUMBER)
    for index, (top, left) in enumerate(((200, 300), (1200, 1500), (2000, 2600))):
        crop = np.ascontiguousarray(source[top : top + 1024, left : left + 1024])
        marked = sd_watermark.embed_sdxl_stability(crop, bits)
        Image.fromarray(marked).save(labelled / "likely_ai_generated" / f"sdxl-{index}.png")
    for name in PHOTOS[:2]:
        made = sign_file(
            CORPUS / name, generator, author="Generator", source_type=SourceType.AI_GENERATED
        )
        (
            labelled / "likely_ai_generated" / f"c2pa-ai-{Path(name).stem}{Path(name).suffix}"
        ).write_bytes(made.data)

    deceptive = out / "deceptive"
    deceptive.mkdir()
    for index, frame in enumerate(frames(CORPUS / "video" / "doorknob-hd-no-bar.mp4", 3)):
        original = deceptive / f"fake-{index}.png"
        frame.save(original)
        (labelled / "confirmed_deceptive" / f"repost-{index}.jpg").write_bytes(jpeg(frame, 70))
    run("bank", "create", "FAKES", "--kind", "deceptive", environment=environment)
    run("bank", "add", "FAKES", *sorted(deceptive.iterdir()), environment=environment)

    for name in CONTROLS:
        shutil.copy(CORPUS / name, labelled / "no_evidence_either_way" / Path(name).name)
    for index, frame in enumerate(frames(CORPUS / "video" / "chair-orig-22-sd-bar.mp4", 3)):
        frame.save(labelled / "no_evidence_either_way" / f"frame-{index}.png")
    return labelled


def add_face_swaps(out: Path, labelled: Path, environment: dict[str, str]) -> None:
    """Two candidates registered as protected people; a signed press photo of one, and
    copies of it and of an unsigned photo with the other's face pasted in."""
    if not (FACES / "obama.jpg").is_file():
        sys.exit(f"the face photos are missing from {FACES}: run make test-media")
    run("person", "add", "Barack Obama", "--photo", FACES / "obama.jpg", environment=environment)
    run("person", "add", "Joe Biden", "--photo", FACES / "biden.jpg", environment=environment)
    press = out / "press"
    run("sign", FACES / "obama3.jpg", "--issuer", "ec", "--out-dir", press, environment=environment)
    signed = press / "obama3.signed.jpg"
    shutil.copy(signed, labelled / "verified_authentic" / "press-obama3.jpg")
    for name, target in (("press", signed), ("unsigned", FACES / "obama2.jpg")):
        swapped = face_swap(FACES / "biden.jpg", onto=target)
        (labelled / "altered_from_authentic" / f"faceswap-{name}.jpg").write_bytes(jpeg(swapped))


def face_swap(donor: Path, *, onto: Path) -> Image.Image:
    """A crude face swap: the donor's face, scaled into the target's face box."""
    target = Image.open(onto).convert("RGB")
    into = face_box(target)
    source = Image.open(donor).convert("RGB")
    face = source.crop(face_box(source)).resize((into[2] - into[0], into[3] - into[1]))
    target.paste(face, into[:2])
    return target


def face_box(picture: Image.Image, margin: float = 0.25) -> tuple[int, int, int, int]:
    """The picture's one face's box, grown by ``margin`` of its size on each side."""
    [face] = find_faces(np.asarray(picture))
    left, top, right, bottom = face.box
    grow_x, grow_y = margin * (right - left), margin * (bottom - top)
    return round(left - grow_x), round(top - grow_y), round(right + grow_x), round(bottom + grow_y)


def add_sound_and_video(out: Path, labelled: Path, environment: dict[str, str]) -> None:
    """A signed recording, and a video in an authentic bank: their stripped copies, and
    copies with three seconds replaced."""
    sound = CORPUS / "c2pa" / "sample1.wav"
    run("sign", sound, "--issuer", "ec", "--out-dir", out / "signed-sound", environment=environment)
    with wave.open(str(out / "signed-sound" / "sample1.signed.wav")) as recording:
        params = recording.getparams()
        samples = np.frombuffer(recording.readframes(params.nframes), "<i2").copy()
    write_wav(labelled / "likely_authentic" / "sound-stripped.wav", params, samples)
    start, end = (second * params.framerate * params.nchannels for second in (12, 15))
    noise = np.random.default_rng(3).normal(0, samples.std(), end - start).astype("<i2")
    samples[start:end] = noise
    write_wav(labelled / "altered_from_authentic" / "sound-replaced.wav", params, samples)

    clip = [
        np.asarray(frame.resize((320, 180)))
        for frame in frames(CORPUS / "video" / "doorknob-hd-no-bar.mp4", 80, step=3)
    ]
    other = [
        np.asarray(frame.resize((320, 180)))
        for frame in frames(CORPUS / "video" / "chair-orig-22-sd-bar.mp4", 20, step=3)
    ]
    original = encode_h264(out / "reel.mp4", clip, fps=10)
    encode_h264(labelled / "likely_authentic" / "reel-copy.mp4", clip, fps=10, pix_fmt="yuv444p")
    encode_h264(
        labelled / "altered_from_authentic" / "reel-replaced.mp4",
        [*clip[:30], *other, *clip[50:]],
        fps=10,
    )
    run("bank", "create", "NEWSREEL", "--kind", "authentic", environment=environment)
    run("bank", "add", "NEWSREEL", original, environment=environment)


def write_wav(path: Path, params: wave._wave_params, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as out:
        out.setparams(params)
        out.writeframes(samples.tobytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(tempfile.gettempdir()) / "accord-eval"
    parser.add_argument("--out", type=Path, default=default)
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    environment = {
        **os.environ,
        "ACCORD_DATA_DIR": str(args.out / "data"),
        "ACCORD_MASTER_KEY": "the evaluation instance's master key",
    }
    labelled = build(args.out, environment)
    figures = json.loads(run("eval", "--json", labelled, environment=environment))
    print(run("eval", labelled, environment=environment))
    results = REPO / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "assessment_eval.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
