"""Generator metadata: AI markers written into copies of corpus photos, as the generators
write them, read back by the producer; plain photos and hostile XMP."""

from __future__ import annotations

import json
import struct
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.assessment.producers.generator_metadata import (
    GeneratorMetadataProducer,
    source_type_name,
)
from accord.media.file import open_media
from accord.media.metadata import user_comment
from accord.media.xmp import MAX_XMP_BYTES
from tests.unit.assessment.contract import ProducerContract

PHOTO = Path("pdq") / "bridge-mods" / "aaa-orig.jpg"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
A1111 = (
    "a photo of a candidate shaking hands with a soldier, press photo\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567890, Size: 512x512, "
    "Model hash: 31e35c80fc, Model: sd_xl_base_1.0, Version: v1.7.0"
)
COMFYUI_PROMPT = {
    "3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 20, "model": ["4", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sdxl.safetensors"}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a ballot box on fire"}},
}
COMFYUI_WORKFLOW = {"last_node_id": 9, "nodes": [{"id": 3, "type": "KSampler"}], "links": []}
MIDJOURNEY = (
    "a candidate at a night rally, photorealistic --ar 16:9 --v 6.1 "
    "Job ID: 5b8c7a6e-1f2d-4f6a-9c1b-0a1b2c3d4e5f"
)


def xmp_packet(body: str) -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f"{body}</rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def source_type_xmp(value: str) -> bytes:
    """The attribute form Meta AI and Midjourney write."""
    return xmp_packet(f' Iptc4xmpExt:DigitalSourceType="{IPTC}{value}"/>')


@pytest.fixture(scope="module")
def photo(corpus: Path) -> Image.Image:
    with Image.open(corpus / PHOTO) as image:
        return image.convert("RGB").resize((400, 251))


def subject(path: Path) -> AssessedFile:
    return AssessedFile(open_media(path))


def png(photo: Image.Image, path: Path, texts: dict[str, str], *, xmp: bytes | None = None) -> Path:
    info = PngImagePlugin.PngInfo()
    for key, text in texts.items():
        info.add_text(key, text)
    if xmp is not None:
        info.add_itxt("XML:com.adobe.xmp", xmp.decode(), zip=True)
    photo.save(path, pnginfo=info)
    return path


def jpeg(
    photo: Image.Image, path: Path, *, exif: Image.Exif | None = None, xmp: bytes = b""
) -> Path:
    photo.save(path, quality=90, exif=Image.Exif() if exif is None else exif, xmp=xmp)
    return path


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def produce(path: Path) -> Sequence[Finding]:
    return GeneratorMetadataProducer().produce(subject(path))


def synthetic(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.direction is Direction.SYNTHETIC]


def the_marker(findings: Sequence[Finding]) -> Finding:
    [finding] = synthetic(findings)
    assert finding.code == "generator_metadata.generator_marker"
    assert finding.strength is Strength.STRONG
    return finding


class TestContract(ProducerContract):
    @pytest.fixture
    def producer(self) -> Producer:
        return GeneratorMetadataProducer()

    @pytest.fixture
    def subjects(self, corpus: Path, photo: Image.Image, tmp_path: Path) -> Sequence[AssessedFile]:
        return [
            subject(png(photo, tmp_path / "a1111.png", {"parameters": A1111})),
            subject(
                jpeg(photo, tmp_path / "ai.jpg", xmp=source_type_xmp("trainedAlgorithmicMedia"))
            ),
            subject(corpus / PHOTO),
            subject(corpus / "c2pa" / "sample1.png"),
            subject(corpus / "c2pa" / "video1_no_manifest.mp4"),
            subject(corpus / "c2pa" / "sample1.wav"),
        ]


# --- PNG text chunks -----------------------------------------------------------------


def test_automatic1111_parameters(photo: Image.Image, tmp_path: Path) -> None:
    finding = the_marker(produce(png(photo, tmp_path / "a.png", {"parameters": A1111})))

    assert finding.details["generator"] == "AUTOMATIC1111"
    assert finding.explanation.startswith(
        'PNG text chunk "parameters" written by AUTOMATIC1111: "a photo of a candidate'
    )
    [field] = finding.details["fields"]
    assert field == {
        "container": "PNG text chunk",
        "name": "parameters",
        "value": " ".join(A1111.split()),
    }


def test_forge_is_named_from_its_version(photo: Image.Image, tmp_path: Path) -> None:
    forge = A1111.replace("Version: v1.7.0", "Version: f2.0.1v1.10.1-previous-313-g8a042934")

    finding = the_marker(produce(png(photo, tmp_path / "f.png", {"parameters": forge})))

    assert finding.details["generator"].startswith("Forge")


def test_comfyui_prompt_and_workflow(photo: Image.Image, tmp_path: Path) -> None:
    texts = {"prompt": json.dumps(COMFYUI_PROMPT), "workflow": json.dumps(COMFYUI_WORKFLOW)}

    finding = the_marker(produce(png(photo, tmp_path / "c.png", texts)))

    assert finding.details["generator"] == "ComfyUI"
    assert [f["name"] for f in finding.details["fields"]] == ["prompt", "workflow"]
    assert finding.explanation.startswith('PNG text chunks "prompt" and "workflow" written by')


def test_a_prompt_chunk_that_is_not_a_comfyui_graph_is_no_marker(
    photo: Image.Image, tmp_path: Path
) -> None:
    texts = {"prompt": "Vote on Tuesday", "workflow": '{"steps": ["print", "post"]}'}

    assert not synthetic(produce(png(photo, tmp_path / "p.png", texts)))


@pytest.mark.parametrize(
    ("texts", "generator"),
    [
        (
            {
                "Software": "NovelAI",
                "Source": "NovelAI Diffusion V4.5 4BDE2A90",
                "Comment": json.dumps({"prompt": "a rally", "steps": 28, "uc": "lowres"}),
            },
            "NovelAI",
        ),
        ({"invokeai_metadata": json.dumps({"generation_mode": "txt2img"})}, "InvokeAI"),
        ({"Dream": '"a rally" -s 50 -S 42 -W 512 -H 512 -C 7.5'}, "InvokeAI"),
        ({"Description": MIDJOURNEY, "Author": "someone"}, "Midjourney"),
    ],
)
def test_other_web_ui_and_service_markers(
    photo: Image.Image, tmp_path: Path, texts: dict[str, str], generator: str
) -> None:
    finding = the_marker(produce(png(photo, tmp_path / "g.png", texts)))

    assert finding.details["generator"] == generator


def test_text_after_the_pixels_is_read(photo: Image.Image, tmp_path: Path) -> None:
    """PNG allows text chunks after IDAT; Pillow only sees them once it decodes."""
    path = png(photo, tmp_path / "late.png", {})
    data = path.read_bytes()
    late = png_chunk(b"tEXt", b"parameters\0" + A1111.encode())
    path.write_bytes(data[:-12] + late + data[-12:])

    assert the_marker(produce(path)).details["generator"] == "AUTOMATIC1111"


# --- EXIF and JPEG -------------------------------------------------------------------


def test_a1111_parameters_in_an_exif_user_comment(photo: Image.Image, tmp_path: Path) -> None:
    """A1111 saves JPEG and WebP with its parameters in UserComment, as UTF-16."""
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\0" + A1111.encode("utf-16-be")

    finding = the_marker(produce(jpeg(photo, tmp_path / "a.jpg", exif=exif)))

    assert finding.details["generator"] == "AUTOMATIC1111"
    assert finding.details["fields"][0]["name"] == "UserComment"
    assert "Steps: 30, Sampler: DPM++ 2M Karras" in finding.details["fields"][0]["value"]


@pytest.mark.parametrize(
    ("software", "generator"),
    [
        ("NovelAI", "NovelAI"),
        ("Adobe Firefly", "Adobe Firefly"),
        ("DALL-E 3", "OpenAI (DALL-E / ChatGPT / Sora)"),
        ("Midjourney", "Midjourney"),
    ],
)
def test_a_generator_named_in_exif_software(
    photo: Image.Image, tmp_path: Path, software: str, generator: str
) -> None:
    exif = Image.Exif()
    exif[0x0131] = software

    finding = the_marker(produce(jpeg(photo, tmp_path / "s.jpg", exif=exif)))

    assert finding.details["generator"] == generator
    assert finding.details["fields"] == [
        {"container": "EXIF", "name": "Software", "value": software}
    ]


def test_a_midjourney_description_in_exif(photo: Image.Image, tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010E] = MIDJOURNEY
    exif[0x013B] = "someone"

    finding = the_marker(produce(jpeg(photo, tmp_path / "mj.jpg", exif=exif)))

    assert finding.details["generator"] == "Midjourney"
    assert "Job ID: 5b8c7a6e" in finding.explanation


def test_editing_software_is_neutral(photo: Image.Image, tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0131] = "GIMP 2.10.34"

    [finding] = produce(jpeg(photo, tmp_path / "gimp.jpg", exif=exif))

    assert finding.code == "generator_metadata.editing_software"
    assert (finding.direction, finding.strength) == (Direction.NEUTRAL, Strength.WEAK)
    assert "edited with GIMP" in finding.explanation


def test_camera_tags_are_weakly_authentic(corpus: Path) -> None:
    findings = produce(corpus / "pdq" / "reg-test-input" / "exif-rotn" / "exif-rotn-1.jpg")

    [finding] = findings
    assert finding.code == "generator_metadata.camera"
    assert (finding.direction, finding.strength) == (Direction.AUTHENTIC, Strength.WEAK)
    assert "any editor can write these" in finding.limits.lower()
    names = {field["name"] for field in finding.details["fields"]}
    assert {"Make", "Model", "ExposureTime"} <= names


def test_user_comment_encodings() -> None:
    text = "Steps: 20, Sampler: Euler a"
    assert user_comment(b"UNICODE\0" + text.encode("utf-16-be")) == text
    assert user_comment(b"UNICODE\0" + text.encode("utf-16-le")) == text
    assert user_comment(b"ASCII\0\0\0" + text.encode()) == text


# --- XMP digital source type ---------------------------------------------------------


@pytest.mark.parametrize("container", ["jpeg", "png", "webp"])
def test_trained_algorithmic_media_in_xmp(
    photo: Image.Image, tmp_path: Path, container: str
) -> None:
    packet = source_type_xmp("trainedAlgorithmicMedia")
    path = tmp_path / f"ai.{container}"
    if container == "png":
        png(photo, path, {}, xmp=packet)
    else:
        photo.save(path, xmp=packet)

    [finding] = synthetic(produce(path))

    assert finding.code == "generator_metadata.ai_source_type"
    assert finding.strength is Strength.STRONG
    assert finding.details["source_type"] == "trainedAlgorithmicMedia"
    assert finding.details["name"] == "Iptc4xmpExt:DigitalSourceType"
    assert "made by generative AI" in finding.explanation


@pytest.mark.parametrize("container", ["jpeg", "png"])
def test_composite_with_trained_algorithmic_media_is_partly_ai(
    photo: Image.Image, tmp_path: Path, container: str
) -> None:
    # The element form, with rdf:resource, as Photoshop writes it.
    packet = xmp_packet(
        "><Iptc4xmpExt:DigitalSourceType rdf:resource="
        f'"{IPTC}compositeWithTrainedAlgorithmicMedia"/></rdf:Description>'
    )
    path = tmp_path / f"fill.{container}"
    if container == "png":
        png(photo, path, {}, xmp=packet)
    else:
        jpeg(photo, path, xmp=packet)

    [finding] = synthetic(produce(path))

    assert finding.strength is Strength.STRONG
    assert finding.details["source_type"] == "compositeWithTrainedAlgorithmicMedia"
    assert "partly AI (e.g. generative fill)" in finding.explanation


@pytest.mark.parametrize(
    ("value", "direction", "strength"),
    [
        ("algorithmicallyEnhanced", Direction.SYNTHETIC, Strength.WEAK),
        ("digitalCapture", Direction.AUTHENTIC, Strength.WEAK),
        ("screenCapture", Direction.NEUTRAL, Strength.WEAK),
    ],
)
def test_other_source_types(
    photo: Image.Image, tmp_path: Path, value: str, direction: Direction, strength: Strength
) -> None:
    [finding] = produce(jpeg(photo, tmp_path / "s.jpg", xmp=source_type_xmp(value)))

    assert (finding.direction, finding.strength) == (direction, strength)
    assert finding.details["source_type"] == value


def test_source_type_spellings() -> None:
    assert source_type_name(f"{IPTC}trainedAlgorithmicMedia") == "trainedAlgorithmicMedia"
    assert source_type_name("trainedAlgorithmicMedia") == "trainedAlgorithmicMedia"
    assert (
        source_type_name("https://schema.org/CompositeWithTrainedAlgorithmicMediaDigitalSource")
        == "compositeWithTrainedAlgorithmicMedia"
    )
    assert source_type_name(f"{IPTC}somethingNew") is None


def test_a_credit_line_naming_google_ai(photo: Image.Image, tmp_path: Path) -> None:
    packet = xmp_packet(' photoshop:Credit="Made with Google AI"/>')

    finding = the_marker(produce(jpeg(photo, tmp_path / "g.jpg", xmp=packet)))

    assert finding.details["generator"] == "Google (Gemini / Imagen)"


# --- Video -----------------------------------------------------------------------------


def test_a_video_tag_with_a_midjourney_job_id(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width = stream.height = 64
        stream.pix_fmt = "yuv420p"
        out.metadata["comment"] = MIDJOURNEY
        for shade in range(3):
            pixels = np.full((64, 64, 3), shade * 60, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)

    finding = the_marker(produce(path))

    assert finding.details["generator"] == "Midjourney"
    assert finding.details["fields"][0]["container"] == "container tag"


# --- Plain photos ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        str(PHOTO),
        "pdq/bridge-mods/blur-a-lot.jpg",
        "c2pa/C.jpg",
        "c2pa/no_manifest.jpg",
        "c2pa/sample1.png",
        "c2pa/test_xmp.webp",
        "c2pa/mars.webp",
        "c2pa/video1_no_manifest.mp4",
        "c2pa/sample1.mp3",
        "c2pa/sample1.wav",
    ],
)
def test_plain_corpus_files_give_no_synthetic_finding(corpus: Path, name: str) -> None:
    findings = produce(corpus / name)

    assert not synthetic(findings)
    assert all(f.code != "generator_metadata.unreadable" for f in findings)


# --- Hostile XMP -------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE x:xmpmeta ['
    '<!ENTITY a "trainedAlgorithmicMedia">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>"
)


def hostile_packets() -> dict[str, bytes]:
    ai = source_type_xmp("trainedAlgorithmicMedia").decode()
    laughs = BILLION_LAUGHS + ai.replace("trainedAlgorithmicMedia", "&j;")
    padding = " " * (MAX_XMP_BYTES + 1)
    return {
        "billion-laughs": laughs.encode(),
        "huge": ai.replace("<?xpacket end", padding + "<?xpacket end").encode(),
        "malformed": ai[: ai.index("</rdf:RDF>")].encode(),
        "undefined-entity": ai.replace("trainedAlgorithmicMedia", "&ai;").encode(),
        "deep": (
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">' + "<a>" * 100_000 + "</a>" * 100_000
        ).encode()
        + b"</x:xmpmeta>",
    }


@pytest.mark.parametrize("name", sorted(hostile_packets()))
def test_hostile_xmp_is_refused_quickly(photo: Image.Image, tmp_path: Path, name: str) -> None:
    packet = hostile_packets()[name]
    path = png(photo, tmp_path / "hostile.png", {}, xmp=packet)

    started = time.process_time()  # the work done, not the waits a busy machine adds
    findings = produce(path)
    elapsed = time.process_time() - started

    assert elapsed < 2.0
    assert not synthetic(findings)
    [finding] = findings  # the deep one is well-formed, but nests past MAX_DEPTH
    assert finding.code == "generator_metadata.unreadable"
    assert (finding.direction, finding.strength) == (Direction.NEUTRAL, Strength.WEAK)


def test_hostile_xmp_in_a_jpeg_and_a_webp(photo: Image.Image, tmp_path: Path) -> None:
    laughs = hostile_packets()["billion-laughs"]
    for path in (jpeg(photo, tmp_path / "h.jpg", xmp=laughs), tmp_path / "h.webp"):
        if path.suffix == ".webp":
            photo.save(path, xmp=hostile_packets()["huge"])
        [finding] = produce(path)
        assert finding.code == "generator_metadata.unreadable", path


def test_thousands_of_corrupt_text_chunks(photo: Image.Image, tmp_path: Path) -> None:
    path = png(photo, tmp_path / "many.png", {})
    chunks = b"".join(
        png_chunk(b"zTXt", b"parameters\0\0" + b"not zlib" * (1 + i % 7)) for i in range(5000)
    )
    data = path.read_bytes()
    path.write_bytes(data[:33] + chunks + data[33:])

    started = time.process_time()  # the work done, not the waits a busy machine adds
    findings = produce(path)

    assert time.process_time() - started < 2.0
    assert 1 <= len(findings) <= 3
    assert all(f.code == "generator_metadata.unreadable" for f in findings)


def test_a_png_text_bomb_is_skipped(photo: Image.Image, tmp_path: Path) -> None:
    """A few kilobytes of zTXt that inflate to 64 MiB."""
    path = png(photo, tmp_path / "bomb.png", {})
    chunk = png_chunk(
        b"zTXt", b"parameters\0\0" + zlib.compress(b"Steps: 1, Sampler: x " * (64 << 15), 9)
    )
    data = path.read_bytes()
    path.write_bytes(data[:33] + chunk + data[33:])

    started = time.process_time()  # the work done, not the waits a busy machine adds
    findings = produce(path)

    assert time.process_time() - started < 2.0
    assert not synthetic(findings)
    [finding] = findings
    assert finding.code == "generator_metadata.unreadable"
