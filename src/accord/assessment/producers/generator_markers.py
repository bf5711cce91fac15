"""Generator markers: the metadata fields only generative-AI tools write, and which tool
wrote each; and the editors that name themselves in a tool field (which says nothing
either way). Read by the generator-metadata producer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from accord.media.metadata import CONTAINER, EXIF, JPEG_COMMENT, PNG_TEXT, XMP, Field

#: Fields kept per generator: real files have one or two; a hostile one could have
#: thousands.
MAX_MARKER_FIELDS = 8


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
    (EXIF, "Software"),
    (XMP, "xmp:CreatorTool"),
    (XMP, "tiff:Software"),
    (XMP, "stEvt:softwareAgent"),
    (XMP, "photoshop:Credit"),
    (XMP, "Iptc4xmpCore:CreditLine"),
    (PNG_TEXT, "Software"),
    (PNG_TEXT, "Source"),
    (CONTAINER, "encoder"),
    (CONTAINER, "encoded_by"),
    (CONTAINER, "software"),
    (CONTAINER, "com.apple.quicktime.software"),
}
#: Free-text fields where generators leave their settings or job ids.
_TEXT_FIELDS = {
    (EXIF, "ImageDescription"),
    (EXIF, "UserComment"),
    (XMP, "dc:description"),
    (XMP, "exif:UserComment"),
    (PNG_TEXT, "Description"),
    (PNG_TEXT, "Comment"),
    (JPEG_COMMENT, "COM"),
    (CONTAINER, "comment"),
    (CONTAINER, "description"),
    (CONTAINER, "synopsis"),
    (CONTAINER, "com.apple.quicktime.description"),
}
#: AUTOMATIC1111's settings line, also written by Forge, SD.Next and their forks.
_A1111_SETTINGS = re.compile(r"\bSteps: \d+, Sampler: ")
_FORGE_VERSION = re.compile(r"\bVersion: f\d")
_MIDJOURNEY_JOB = re.compile(r"\bJob ID: ?[0-9a-f]{8}-[0-9a-f]{4}", re.IGNORECASE)
_INVOKEAI_KEYS = {"invokeai_metadata", "invokeai_graph", "sd-metadata", "dream"}


@dataclass(frozen=True, slots=True)
class Marker:
    """The fields a generative-AI tool wrote, and the tool."""

    generator: str
    fields: tuple[Field, ...]


def generator_markers(fields: Sequence[Field]) -> list[Marker]:
    """Fields only a generative-AI tool writes, grouped by the tool that wrote them."""
    found: dict[str, list[Field]] = {}
    for generator, field in _marker_hits(fields):
        held = found.setdefault(generator, [])
        if field not in held:
            held.append(field)
    return [Marker(generator, tuple(hits[:MAX_MARKER_FIELDS])) for generator, hits in found.items()]


def _marker_hits(fields: Sequence[Field]) -> Iterator[tuple[str, Field]]:
    png = {field.name: field for field in fields if field.container == PNG_TEXT}
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


def editor_of(field: Field) -> str | None:
    """The editor a tool field names, as written there; None when it names none, or names
    a generator too."""
    if (field.container, field.name) not in _TOOL_FIELDS:
        return None
    match = _EDITORS.search(field.value)
    if match is None or any(p.search(field.value) for _, p in _GENERATOR_NAMES):
        return None
    return match.group(0)
