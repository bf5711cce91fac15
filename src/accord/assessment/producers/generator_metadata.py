"""Generator metadata: what a file's own tags say about how it was made.

AI image tools leave fingerprints in metadata: Stable Diffusion web UIs write their
generation settings into PNG text chunks (``parameters``, ComfyUI's ``prompt`` and
``workflow``), Midjourney puts its job id in the description, services name themselves in
EXIF ``Software``, and Meta, Midjourney and Google declare an IPTC digital source type in
XMP. Cameras, in turn, write their make, model and exposure.

Everything here is read offline and without decoding pixels: XMP (JPEG APP1, PNG iTXt,
WebP, AVIF, TIFF), EXIF, PNG text chunks, and the tags of video and audio containers.
Metadata is stripped by most platforms and written by anyone, so no finding here is
conclusive. Content Credentials (C2PA) are the provenance producer's business.
"""

from __future__ import annotations

import json
import re
import struct
import warnings
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar
from xml.etree import ElementTree as ET

import av
import av.error
from PIL import Image, UnidentifiedImageError

from accord.assessment.evidence import Direction, Finding, Producer, Strength, Subject
from accord.errors import CorruptMedia
from accord.media.demuxers import CONTAINER_OPTIONS, demuxer_for
from accord.media.file import MediaFile
from accord.media.kinds import MediaKind

#: Largest XMP packet parsed. Real packets are a few kilobytes; Photoshop's document
#: history can swell them to hundreds.
MAX_XMP_BYTES = 1 << 20
#: Largest PNG text chunk read, after decompression (ComfyUI workflows reach ~1 MB).
MAX_TEXT_BYTES = 4 << 20
#: PNG text read from one file, in all, and chunks walked before giving up.
MAX_TEXT_TOTAL = 16 << 20
MAX_PNG_CHUNKS = 100_000
#: Characters of a value quoted in an explanation, and kept in ``details``.
QUOTE_CHARS = 120
VALUE_CHARS = 500
#: Fields taken from one file (XMP elements, container tags).
MAX_FIELDS = 2000
#: Fields kept per generator, and distinct source types reported: real files have one or
#: two; a hostile one could have thousands.
MAX_MARKER_FIELDS = 8
MAX_SOURCE_TYPES = 4
MAX_REFUSED = 3
#: Largest PNG eXIf chunk read (JPEG's EXIF fits in 64 KiB).
MAX_EXIF_BYTES = 1 << 20

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_PNG_XMP_KEY = "XML:com.adobe.xmp"

_XMP = "XMP"
_EXIF = "EXIF"
_PNG_TEXT = "PNG text chunk"
_JPEG_COMMENT = "JPEG comment"
_CONTAINER = "container tag"

_LIMITS = (
    "Metadata is easily removed (most platforms strip it on upload) and easily written: "
    "anyone can add these fields to any file, or copy them from another. It says how the "
    "file was saved, not who made the picture or what it shows."
)
_CAMERA_LIMITS = (
    "Any editor can write these tags, and they survive most edits and many AI tools: "
    "they do not show that a camera took this picture or that it is unaltered."
)


@dataclass(frozen=True, slots=True)
class Field:
    """One metadata value: where it was found, its name there, and its text."""

    container: str
    name: str
    value: str

    def where(self) -> str:
        return f'{self.container} "{self.name}"'

    def to_json(self) -> dict[str, str]:
        return {"container": self.container, "name": self.name, "value": _clip(self.value)}


class Unreadable(Exception):
    """Metadata present but refused: too large, hostile or malformed."""


# --- What the values mean -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SourceType:
    direction: Direction
    strength: Strength
    meaning: str


_AI = "made by generative AI"
_SOURCE_TYPES = {
    "trainedAlgorithmicMedia": _SourceType(Direction.SYNTHETIC, Strength.STRONG, _AI),
    "compositeWithTrainedAlgorithmicMedia": _SourceType(
        Direction.SYNTHETIC,
        Strength.STRONG,
        "partly AI (e.g. generative fill): a composite that includes generative-AI elements",
    ),
    "algorithmicMedia": _SourceType(
        Direction.SYNTHETIC,
        Strength.MODERATE,
        "made by an algorithm (without trained data), not captured from a real scene",
    ),
    "compositeSynthetic": _SourceType(
        Direction.SYNTHETIC, Strength.MODERATE, "a composite that includes synthetic elements"
    ),
    "algorithmicallyEnhanced": _SourceType(
        Direction.SYNTHETIC,
        Strength.WEAK,
        "enhanced by an algorithm or AI (e.g. upscaling, denoising, relighting)",
    ),
    "digitalCapture": _SourceType(
        Direction.AUTHENTIC, Strength.WEAK, "captured by a digital camera"
    ),
    "computationalCapture": _SourceType(
        Direction.AUTHENTIC,
        Strength.WEAK,
        "captured by a camera that merges several exposures (computational photography)",
    ),
    "negativeFilm": _SourceType(Direction.AUTHENTIC, Strength.WEAK, "scanned from film"),
    "positiveFilm": _SourceType(Direction.AUTHENTIC, Strength.WEAK, "scanned from film"),
    "print": _SourceType(Direction.AUTHENTIC, Strength.WEAK, "scanned from a print"),
    "minorHumanEdits": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "a capture with minor human edits"
    ),
    "humanEdits": _SourceType(Direction.NEUTRAL, Strength.WEAK, "edited by a person"),
    "compositeCapture": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "a composite of several captures"
    ),
    "screenCapture": _SourceType(Direction.NEUTRAL, Strength.WEAK, "a screenshot"),
    "dataDrivenMedia": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "a rendering of data (e.g. a visualisation)"
    ),
    "digitalArt": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "made by a person with software (digital art)"
    ),
    "digitalCreation": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "made by a person with software (digital art)"
    ),
    "virtualRecording": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "a recording of a virtual scene"
    ),
}
_SOURCE_TYPE_KEYS = {name.lower(): name for name in _SOURCE_TYPES}


def source_type_name(value: str) -> str | None:
    """The IPTC code in ``value``: a URI, a bare code, or schema.org's spelling."""
    code = re.split(r"[/#]", value.strip())[-1].strip().lower()
    code = code.removesuffix("digitalsource")
    return _SOURCE_TYPE_KEYS.get(code)


def _names(*words: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.])(?:" + "|".join(words) + r")(?![\w])", re.IGNORECASE)


#: Product names that only generative-AI tools write into a tool field.
_GENERATOR_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Midjourney", _names("midjourney")),
    (
        "OpenAI (DALL-E / ChatGPT / Sora)",
        _names(r"dall[-·‧ ]?e(?: ?[23])?", "chatgpt", "openai", "sora"),
    ),
    ("Adobe Firefly", _names(r"(?:adobe )?firefly")),
    (
        "Google (Gemini / Imagen)",
        _names(r"made with google ai", "imagen", r"google gemini", "gemini", "nano banana"),
    ),
    ("Stable Diffusion", _names(r"stable ?diffusion", r"stability ai", "dreamstudio", "sdxl")),
    ("NovelAI", _names("novelai", r"novel ai")),
    ("InvokeAI", _names("invokeai")),
    ("ComfyUI", _names("comfyui")),
    ("AUTOMATIC1111", _names("automatic1111", r"sd\.next", r"stable-diffusion-webui(?:-forge)?")),
    ("Fooocus", _names("fooocus")),
    ("Draw Things", _names("draw things")),
    ("DiffusionBee", _names("diffusionbee")),
    ("Leonardo.Ai", _names(r"leonardo\.ai", r"leonardo ai")),
    ("Ideogram", _names("ideogram")),
    (
        "Microsoft (Bing Image Creator / Designer)",
        _names(r"bing image creator", r"image creator from microsoft", r"microsoft designer"),
    ),
    ("Meta AI", _names(r"meta ai", r"imagine with meta")),
    ("FLUX (Black Forest Labs)", _names(r"flux\.1", r"black forest labs")),
    ("Runway", _names(r"runwayml", r"runway gen-?\d")),
    ("Kling AI", _names(r"kling ai", "kling")),
    ("Luma Dream Machine", _names(r"luma dream machine", r"dream machine")),
    ("Craiyon", _names("craiyon")),
    ("NightCafe", _names("nightcafe")),
    ("Grok (xAI)", _names(r"grok imagine", r"xai aurora")),
)
#: Editors: the file was edited, which says nothing either way.
_EDITORS = _names(
    r"adobe photoshop(?: lightroom)?",
    "photoshop",
    "lightroom",
    "gimp",
    r"affinity photo",
    "pixelmator",
    r"paint\.net",
    r"capture one",
    "snapseed",
    "darktable",
    "rawtherapee",
    "luminar",
    "picasa",
    "photoscape",
    "canva",
    "acdsee",
    "paintshop",
    "photopea",
    "krita",
    r"adobe premiere(?: pro)?",
    r"final cut(?: pro)?",
    r"davinci resolve",
    "imovie",
    "capcut",
    r"after effects",
    "audacity",
    r"adobe audition",
)

#: Tool fields: where software names itself.
_TOOL_FIELDS = {
    (_EXIF, "Software"),
    (_XMP, "xmp:CreatorTool"),
    (_XMP, "tiff:Software"),
    (_XMP, "stEvt:softwareAgent"),
    (_XMP, "photoshop:Credit"),
    (_XMP, "Iptc4xmpCore:CreditLine"),
    (_PNG_TEXT, "Software"),
    (_PNG_TEXT, "Source"),
    (_CONTAINER, "encoder"),
    (_CONTAINER, "encoded_by"),
    (_CONTAINER, "software"),
    (_CONTAINER, "com.apple.quicktime.software"),
}
#: Free-text fields where generators leave their settings or job ids.
_TEXT_FIELDS = {
    (_EXIF, "ImageDescription"),
    (_EXIF, "UserComment"),
    (_XMP, "dc:description"),
    (_XMP, "exif:UserComment"),
    (_PNG_TEXT, "Description"),
    (_PNG_TEXT, "Comment"),
    (_JPEG_COMMENT, "COM"),
    (_CONTAINER, "comment"),
    (_CONTAINER, "description"),
    (_CONTAINER, "synopsis"),
    (_CONTAINER, "com.apple.quicktime.description"),
}
#: AUTOMATIC1111's settings line, also written by Forge, SD.Next and their forks.
_A1111_SETTINGS = re.compile(r"\bSteps: \d+, Sampler: ")
_FORGE_VERSION = re.compile(r"\bVersion: f\d")
_MIDJOURNEY_JOB = re.compile(r"\bJob ID: ?[0-9a-f]{8}-[0-9a-f]{4}", re.IGNORECASE)
_INVOKEAI_KEYS = {"invokeai_metadata", "invokeai_graph", "sd-metadata", "dream"}


# --- Reading -------------------------------------------------------------------------


def read_fields(media: MediaFile) -> tuple[list[Field], list[str]]:
    """The file's metadata fields, and the reasons any part was refused."""
    if media.kind is MediaKind.IMAGE:
        return _image_fields(media.path)
    return _container_fields(media.path, demuxer_for(media)), []


def _image_fields(path: Path) -> tuple[list[Field], list[str]]:
    fields: list[Field] = []
    refused: list[str] = []
    xmp: bytes | None = None
    with path.open("rb") as handle:
        is_png = handle.read(len(_PNG_SIGNATURE)) == _PNG_SIGNATURE
        if is_png:
            texts, exif_data = _png_texts(handle, refused)
            for key, text in texts:
                if key == _PNG_XMP_KEY:
                    xmp = text.encode()
                else:
                    fields.append(Field(_PNG_TEXT, key, text))
            fields += _exif_fields(_load_exif(exif_data))
    if not is_png:
        xmp, exif, comment = _pillow_metadata(path)
        fields += _exif_fields(exif)
        if comment:
            fields.append(Field(_JPEG_COMMENT, "COM", comment))
    if xmp is not None:
        try:
            fields += parse_xmp(xmp)
        except Unreadable as error:
            refused.append(str(error))
    return fields, refused


def _pillow_metadata(path: Path) -> tuple[bytes | None, Image.Exif | None, str]:
    """XMP, EXIF and a JPEG comment as Pillow reads them from the headers (no pixels are
    decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own bomb warning: pixels aren't read
            image = Image.open(path)
        with image:
            xmp = image.info.get("xmp")
            if xmp is None and image.format == "TIFF":
                xmp = getattr(image, "tag_v2", {}).get(_TIFF_XMP)
            comment = image.info.get("comment", b"")
            try:
                exif: Image.Exif | None = image.getexif()
            except _EXIF_ERRORS:
                exif = None
    except UnidentifiedImageError as error:
        raise CorruptMedia("the image's metadata cannot be read") from error
    except (OSError, ValueError, SyntaxError) as error:
        raise CorruptMedia(f"the image's metadata cannot be read: {error}") from error
    if isinstance(xmp, str):
        xmp = xmp.encode()
    if isinstance(comment, bytes):
        comment = comment.decode("utf-8", errors="replace")
    return (xmp if isinstance(xmp, bytes) else None), exif, str(comment)


def _png_chunks(handle: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """``(type, length)`` of each chunk after the signature, positioned at its data."""
    for _ in range(MAX_PNG_CHUNKS):
        header = handle.read(8)
        if len(header) < 8:  # noqa: PLR2004 - a chunk header is 8 bytes
            return
        length, kind = struct.unpack(">I4s", header)
        start = handle.tell()
        yield kind, length
        if kind == b"IEND":
            return
        handle.seek(start + length + 4)  # past the data and its CRC


def _png_texts(handle: BinaryIO, refused: list[str]) -> tuple[list[tuple[str, str]], bytes | None]:
    """PNG text chunks wherever they sit (before or after the pixels), and eXIf; what is
    too large is skipped and said in ``refused``."""
    texts: list[tuple[str, str]] = []
    exif: bytes | None = None
    budget = MAX_TEXT_TOTAL
    for kind, length in _png_chunks(handle):
        if kind == b"eXIf" and exif is None and length <= MAX_EXIF_BYTES:
            exif = handle.read(length)
        elif kind in _PNG_TEXT_CHUNKS:
            decoded = _png_text(kind, handle.read(length)) if length <= budget else None
            if decoded is None:
                refused.append(
                    f"a PNG {kind.decode()} chunk of {length:,} bytes is over the "
                    f"{MAX_TEXT_BYTES:,} bytes read, or corrupt"
                )
                continue
            texts.append(decoded)
            budget -= len(decoded[1])
    return texts, exif


def _png_text(kind: bytes, data: bytes) -> tuple[str, str] | None:
    if len(data) > MAX_TEXT_BYTES:
        return None
    key, _, rest = data.partition(b"\0")
    name = key.decode("latin-1")
    if kind == b"tEXt":
        return name, rest.decode("latin-1")
    if kind == b"zTXt":
        text = _inflate(rest[1:])
        return None if text is None else (name, text.decode("latin-1"))
    # iTXt: compression flag, method, language\0, translated keyword\0, text (UTF-8).
    if len(rest) < 2:  # noqa: PLR2004 - the two flag bytes
        return None
    compressed = rest[0] == 1
    _, _, rest = rest[2:].partition(b"\0")
    _, _, body = rest.partition(b"\0")
    text = _inflate(body) if compressed else body
    return None if text is None else (name, text.decode("utf-8", errors="replace"))


def _inflate(data: bytes) -> bytes | None:
    """zlib-decompressed ``data``, or None past ``MAX_TEXT_BYTES`` (a zip bomb) or corrupt."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_TEXT_BYTES)
    except zlib.error:
        return None
    return None if inflater.unconsumed_tail else out


def _load_exif(data: bytes | None) -> Image.Exif | None:
    if not data:
        return None
    exif = Image.Exif()
    try:
        exif.load(data)
    except _EXIF_ERRORS:
        return None
    return exif


_EXIF_IFD = 0x8769
_TIFF_XMP = 700
#: What Pillow raises on malformed EXIF; EXIF that fails is treated as absent.
_EXIF_ERRORS = (OSError, ValueError, SyntaxError, struct.error, KeyError, IndexError, TypeError)
_EXIF_TAGS = {
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x013B: "Artist",
}
_EXIF_SUB_TAGS = {
    0x9286: "UserComment",
    0x927C: "MakerNote",
    0x9003: "DateTimeOriginal",
    0x829A: "ExposureTime",
    0x829D: "FNumber",
    0x8827: "ISOSpeedRatings",
    0x920A: "FocalLength",
    0xA434: "LensModel",
}


def _exif_fields(exif: Image.Exif | None) -> list[Field]:
    if exif is None:
        return []
    fields = [_exif_field(name, exif.get(tag)) for tag, name in _EXIF_TAGS.items()]
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except _EXIF_ERRORS:
        sub = {}
    fields += [_exif_field(name, sub.get(tag)) for tag, name in _EXIF_SUB_TAGS.items()]
    return [field for field in fields if field is not None]


def _exif_field(name: str, value: object) -> Field | None:
    if value is None:
        return None
    if name == "MakerNote":
        size = len(value) if isinstance(value, bytes | str) else 0
        return Field(_EXIF, name, f"{size} bytes")
    if name == "UserComment" and isinstance(value, bytes):
        text = user_comment(value)
    elif isinstance(value, bytes):
        text = value.decode("utf-8", errors="replace")
    else:
        text = str(value)
    text = text.strip("\0 \t\r\n")
    return Field(_EXIF, name, text) if text else None


def user_comment(raw: bytes) -> str:
    """EXIF UserComment: an 8-byte character-code header, then the text."""
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return body.decode("utf-16", errors="replace")
        # The byte order is the file's, which Pillow does not pass on: mostly-ASCII text
        # puts its zero bytes first in big-endian UTF-16.
        big = body[0::2].count(0) >= body[1::2].count(0)
        return body.decode("utf-16-be" if big else "utf-16-le", errors="replace")
    if code.startswith((b"ASCII", b"JIS", b"\0")):
        return body.decode("utf-8", errors="replace")
    return raw.decode("utf-8", errors="replace")


# --- XMP -----------------------------------------------------------------------------

_PREFIXES = {
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": "stEvt",
}
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: XMP properties read, by local name.
_XMP_NAMES = {
    "DigitalSourceType",
    "CreatorTool",
    "Software",
    "softwareAgent",
    "Make",
    "Model",
    "description",
    "UserComment",
    "Credit",
    "CreditLine",
}
_DTD = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XMP_ROOT = re.compile(r"<((?:[\w.-]+:)?(?:xmpmeta|RDF))\b")


def parse_xmp(packet: bytes) -> list[Field]:
    """The XMP properties accord reads, from a bounded packet; raises ``Unreadable``."""
    if len(packet) > MAX_XMP_BYTES:
        raise Unreadable(
            f"the XMP packet is {len(packet):,} bytes, over the {MAX_XMP_BYTES:,} read"
        )
    if packet[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = packet.decode("utf-16", errors="replace")
    else:
        text = packet.decode("utf-8", errors="replace").lstrip("\ufeff")
    # expat would expand entities a DTD declares (the "billion laughs"): none is allowed.
    if _DTD.search(text):
        raise Unreadable("the XMP packet declares a DTD or entities, which accord refuses")
    try:
        root = ET.fromstring(_xmp_root(text))  # noqa: S314
    except ET.ParseError as error:
        raise Unreadable(f"the XMP packet is not well-formed XML ({error})") from error
    return list(_xmp_fields(root))


def _xmp_root(text: str) -> str:
    """The packet's root element, without the xpacket wrapper, padding and the trailing
    bytes some writers leave (a NUL, for one); found by plain search, in linear time."""
    opening = _XMP_ROOT.search(text)
    if opening is None:
        return text.strip("\0 \t\r\n")
    end = text.rfind(f"</{opening.group(1)}")
    close = text.find(">", end)
    if end < 0 or close < 0:
        return text[opening.start() :]
    return text[opening.start() : close + 1]


def _xmp_fields(root: ET.Element) -> Iterator[Field]:
    count = 0
    for element in root.iter():
        for attribute, value in element.attrib.items():
            if _local(attribute) in _XMP_NAMES and not attribute.startswith(f"{{{_RDF}"):
                yield Field(_XMP, _qualified(attribute), value)
                count += 1
        if _local(element.tag) in _XMP_NAMES:
            value = _element_value(element)
            if value:
                yield Field(_XMP, _qualified(element.tag), value)
                count += 1
        if count >= MAX_FIELDS:
            return


def _element_value(element: ET.Element) -> str:
    """An element's value: its text, its rdf:li items, or its rdf:resource."""
    resource = element.get(f"{{{_RDF}}}resource")
    if resource:
        return resource
    items = [item.text.strip() for item in element.iter(f"{{{_RDF}}}li") if item.text]
    if items:
        return " | ".join(item for item in items if item)
    return (element.text or "").strip()


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _qualified(name: str) -> str:
    namespace, _, local = name[1:].partition("}") if name.startswith("{") else ("", "", name)
    prefix = _PREFIXES.get(namespace)
    return f"{prefix}:{local}" if prefix else local


# --- Video and audio containers ------------------------------------------------------


def _container_fields(path: Path, demuxer: str) -> list[Field]:
    """The container's and its streams' tags, as FFmpeg reads them from the headers."""
    try:
        with av.open(
            str(path),
            format=demuxer,
            container_options=dict(CONTAINER_OPTIONS),
            metadata_errors="ignore",
        ) as container:
            tags = [dict(container.metadata)]
            tags += [dict(stream.metadata) for stream in container.streams]
    except av.error.FFmpegError as error:
        raise CorruptMedia("the file's tags cannot be read") from error
    fields = [
        Field(_CONTAINER, str(key).lower(), str(value)[:MAX_TEXT_BYTES])
        for group in tags
        for key, value in group.items()
    ]
    return fields[:MAX_FIELDS]


# --- Findings ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Marker:
    generator: str
    fields: tuple[Field, ...]


def generator_markers(fields: Sequence[Field]) -> list[_Marker]:
    """Fields only a generative-AI tool writes, grouped by the tool that wrote them."""
    found: dict[str, list[Field]] = {}
    for generator, field in _marker_hits(fields):
        held = found.setdefault(generator, [])
        if field not in held:
            held.append(field)
    return [
        _Marker(generator, tuple(hits[:MAX_MARKER_FIELDS])) for generator, hits in found.items()
    ]


def _marker_hits(fields: Sequence[Field]) -> Iterator[tuple[str, Field]]:
    png = {field.name: field for field in fields if field.container == _PNG_TEXT}
    yield from _png_markers(png)
    for field in fields:
        key = (field.container, field.name)
        if key in _TOOL_FIELDS:
            for generator, pattern in _GENERATOR_NAMES:
                if pattern.search(field.value):
                    yield generator, field
                    break
        if key in _TEXT_FIELDS:
            if _MIDJOURNEY_JOB.search(field.value):
                yield "Midjourney", field
            elif _A1111_SETTINGS.search(field.value):
                yield _a1111(field.value), field


def _png_markers(png: dict[str, Field]) -> Iterator[tuple[str, Field]]:
    """The generation settings Stable Diffusion front ends write as PNG text."""
    parameters = png.get("parameters")
    if parameters is not None and parameters.value.strip():
        settings = _json(parameters.value)
        if isinstance(settings, dict) and "sui_image_params" in settings:
            yield "SwarmUI", parameters
        elif "fooocus_scheme" in png:
            yield "Fooocus", parameters
        elif _A1111_SETTINGS.search(parameters.value):
            yield _a1111(parameters.value), parameters
        else:
            yield "a Stable Diffusion web UI", parameters
    for key in ("prompt", "workflow"):
        if key in png and _comfyui_graph(_json(png[key].value)):
            yield "ComfyUI", png[key]
    for key, field in png.items():
        if key.lower() in _INVOKEAI_KEYS:
            yield "InvokeAI", field
    if "use_stable_diffusion_model" in png:
        yield "Easy Diffusion", png["use_stable_diffusion_model"]
    if "Comment" in png:
        comment = _json(png["Comment"].value)
        if (
            isinstance(comment, dict)
            and "steps" in comment
            and ("uc" in comment or "sampler" in comment)
        ):
            yield "NovelAI", png["Comment"]


def _a1111(parameters: str) -> str:
    return "Forge (AUTOMATIC1111 web UI)" if _FORGE_VERSION.search(parameters) else "AUTOMATIC1111"


def _comfyui_graph(value: object) -> bool:
    """ComfyUI's API graph (nodes with a ``class_type``) or its UI graph (``nodes``)."""
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("nodes"), list):
        return True
    return any(isinstance(node, dict) and "class_type" in node for node in value.values())


def _json(text: str) -> object:
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _clip(text: str, limit: int = VALUE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _wheres(fields: Iterable[Field]) -> str:
    grouped: dict[str, list[str]] = {}
    for field in fields:
        grouped.setdefault(field.container, []).append(f'"{field.name}"')
    parts = []
    for container, names in grouped.items():
        plural = "s" if len(names) > 1 else ""
        parts.append(f"{container}{plural} {' and '.join(names)}")
    return "; ".join(parts)


class GeneratorMetadataProducer(Producer):
    name: ClassVar[str] = "generator_metadata"
    version: ClassVar[str] = "1"
    media_kinds: ClassVar[frozenset[MediaKind]] = frozenset(MediaKind)
    description: ClassVar[str] = (
        "Reads generator markers, the IPTC digital source type and camera tags from XMP, "
        "EXIF, PNG text chunks and container tags."
    )

    def produce(self, subject: Subject) -> Sequence[Finding]:
        fields, refused = read_fields(subject.media)
        findings = [self._marker(marker) for marker in generator_markers(fields)]
        findings += self._source_types(fields)
        findings += self._camera(fields)
        findings += self._editors(fields)
        # A hostile file can hold thousands of bad chunks: say the first few.
        findings += [self._refused(r) for r in list(dict.fromkeys(refused))[:MAX_REFUSED]]
        return findings

    def _finding(self, code: str, direction: Direction, strength: Strength, **rest: Any) -> Finding:
        return Finding(
            producer=self.name,
            code=f"{self.name}.{code}",
            direction=direction,
            strength=strength,
            **rest,
        )

    def _marker(self, marker: _Marker) -> Finding:
        first = marker.fields[0]
        return self._finding(
            "generator_marker",
            Direction.SYNTHETIC,
            Strength.STRONG,
            explanation=(
                f"{_wheres(marker.fields)} written by {marker.generator}: "
                f'"{_clip(first.value, QUOTE_CHARS)}". Only generative-AI tools write this, '
                "so the file says it was made with AI."
            ),
            limits=_LIMITS,
            details={
                "generator": marker.generator,
                "fields": [field.to_json() for field in marker.fields],
            },
        )

    def _source_types(self, fields: Sequence[Field]) -> list[Finding]:
        findings = []
        seen: set[str] = set()
        for field in fields:
            if not field.name.endswith("DigitalSourceType") or field.value in seen:
                continue
            if len(seen) == MAX_SOURCE_TYPES:
                break
            seen.add(field.value)
            code = source_type_name(field.value)
            kind = _SOURCE_TYPES.get(code or "")
            meaning = kind.meaning if kind else "a value accord does not recognise"
            findings.append(
                self._finding(
                    "ai_source_type"
                    if kind and kind.direction is Direction.SYNTHETIC
                    else "source_type",
                    kind.direction if kind else Direction.NEUTRAL,
                    kind.strength if kind else Strength.WEAK,
                    explanation=(
                        f"{field.where()} declares the IPTC digital source type "
                        f'"{code or _clip(field.value, QUOTE_CHARS)}": {meaning}.'
                    ),
                    limits=_LIMITS,
                    details={**field.to_json(), "source_type": code},
                )
            )
        return findings

    def _camera(self, fields: Sequence[Field]) -> list[Finding]:
        camera = _camera_fields(fields)
        if camera is None:
            return []
        make, model, capture = camera
        recorded = ", ".join(field.name for field in capture)
        return [
            self._finding(
                "camera",
                Direction.AUTHENTIC,
                Strength.WEAK,
                explanation=(
                    f'The {make.container} tags name the camera "{_clip(model.value, QUOTE_CHARS)}"'
                    f" ({_clip(make.value, QUOTE_CHARS)})"
                    + (f" and record {recorded}" if recorded else "")
                    + ": typical of a camera original."
                ),
                limits=_CAMERA_LIMITS,
                details={"fields": [field.to_json() for field in (make, model, *capture)]},
            )
        ]

    def _editors(self, fields: Sequence[Field]) -> list[Finding]:
        findings = []
        seen: set[str] = set()
        for field in fields:
            if (field.container, field.name) not in _TOOL_FIELDS:
                continue
            match = _EDITORS.search(field.value)
            if match is None or any(p.search(field.value) for _, p in _GENERATOR_NAMES):
                continue
            editor = match.group(0)
            if editor.lower() in seen:
                continue
            seen.add(editor.lower())
            findings.append(
                self._finding(
                    "editing_software",
                    Direction.NEUTRAL,
                    Strength.WEAK,
                    explanation=(
                        f"{field.where()} says the file was edited with {editor}: "
                        f'"{_clip(field.value, QUOTE_CHARS)}".'
                    ),
                    limits=(
                        "Editing is ordinary (cropping, exposure, export) and says nothing "
                        "about whether the content is real; the tag is easily removed or written."
                    ),
                    details={**field.to_json(), "editor": editor},
                )
            )
        return findings

    def _refused(self, reason: str) -> Finding:
        return self._finding(
            "unreadable",
            Direction.NEUTRAL,
            Strength.WEAK,
            explanation=f"Part of the file's metadata was not read: {reason}.",
            limits=(
                "The unread metadata may have held a generator's name or a digital source "
                "type; a packet like this is unusual but not itself evidence of anything."
            ),
            details={"reason": reason},
        )


def _camera_fields(fields: Sequence[Field]) -> tuple[Field, Field, list[Field]] | None:
    """Make, model and exposure tags: EXIF with two or more exposure tags, or a video's
    make and model."""
    named = {(field.container, field.name): field for field in fields}
    make = named.get((_EXIF, "Make")) or named.get((_XMP, "tiff:Make"))
    model = named.get((_EXIF, "Model")) or named.get((_XMP, "tiff:Model"))
    capture = [f for f in fields if f.container == _EXIF and f.name in _CAPTURE_TAGS]
    if make and model and len(capture) >= _CAPTURE_TAGS_NEEDED:
        return make, model, capture
    make = named.get((_CONTAINER, "com.apple.quicktime.make")) or named.get((_CONTAINER, "make"))
    model = named.get((_CONTAINER, "com.apple.quicktime.model")) or named.get((_CONTAINER, "model"))
    return (make, model, []) if make and model else None


#: Exposure tags cameras write; two or more beside make and model look like a capture.
_CAPTURE_TAGS = {
    "DateTimeOriginal",
    "ExposureTime",
    "FNumber",
    "ISOSpeedRatings",
    "FocalLength",
    "LensModel",
    "MakerNote",
}
_CAPTURE_TAGS_NEEDED = 2
