"""XMP packets, read safely: bounded, no DTD or entities, malformed packets refused.

XMP is RDF/XML that any file format may carry (JPEG APP1, PNG iTXt, WebP, AVIF, TIFF).
Only the properties that say how a file was made, or edited, are taken; a packet is never
trusted to be small or well-formed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import cast
from xml.etree import ElementTree as ET

#: Largest XMP packet parsed. Real packets are a few kilobytes; Photoshop's document
#: history can swell them to hundreds.
MAX_XMP_BYTES = 1 << 20
#: Properties taken from one packet.
MAX_PROPERTIES = 2000
#: Deepest element nesting parsed: real packets nest a dozen levels; a packet of nothing
#: but nested elements would otherwise build a tree as deep as the packet is long.
MAX_DEPTH = 64
#: Characters fed to the parser at a time, so nesting is checked as the tree grows.
_FEED_CHARS = 1 << 14


class Unreadable(Exception):
    """Metadata present but refused: too large, hostile or malformed."""


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


def parse_xmp(packet: bytes) -> list[tuple[str, str]]:
    """The XMP properties accord reads, as (prefixed name, value), from a bounded packet;
    raises ``Unreadable``."""
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
    return list(_xmp_fields(_parsed(_xmp_root(text))))


def _parsed(text: str) -> ET.Element:
    """The packet's element tree, refused once it nests deeper than ``MAX_DEPTH``."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    root: ET.Element | None = None
    depth = 0
    try:
        for start in range(0, len(text), _FEED_CHARS):
            parser.feed(text[start : start + _FEED_CHARS])
            # Only "start" and "end" were asked for: each event is (kind, element).
            events = cast("Iterator[tuple[str, object]]", parser.read_events())
            for kind, element in events:
                if kind == "end":
                    depth -= 1
                    continue
                depth += 1
                if depth > MAX_DEPTH:
                    msg = f"the XMP packet nests elements deeper than {MAX_DEPTH} levels"
                    raise Unreadable(msg)
                if root is None and isinstance(element, ET.Element):
                    root = element
        parser.close()
    except ET.ParseError as error:
        raise Unreadable(f"the XMP packet is not well-formed XML ({error})") from error
    if root is None:
        raise Unreadable("the XMP packet holds no element")
    return root


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


def _xmp_fields(root: ET.Element) -> Iterator[tuple[str, str]]:
    count = 0
    for element in root.iter():
        for attribute, value in element.attrib.items():
            if _local(attribute) in _XMP_NAMES and not attribute.startswith(f"{{{_RDF}"):
                yield _qualified(attribute), value
                count += 1
        if _local(element.tag) in _XMP_NAMES:
            value = _element_value(element)
            if value:
                yield _qualified(element.tag), value
                count += 1
        if count >= MAX_PROPERTIES:
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
