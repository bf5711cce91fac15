"""Sign a media file with Content Credentials for an issuer, through c2pa.

The manifest says what a verifier needs and no more:
- ``c2pa.created`` with the digital source type (camera capture, AI-generated...), or
  ``c2pa.opened`` with the original as a ``parentOf`` ingredient for an edit (the original
  file itself, or the ingredient archive kept when the original was signed);
- the issuer as the CreativeWork author, and a title;
- the perceptual fingerprints, and accord's watermark when the picture carries one, as
  ``c2pa.soft-binding`` assertions (with a ``c2pa.watermarked`` action for the mark), so a
  stripped copy can be traced back to its record;
- a thumbnail no longer than 256 px (c2pa's default, 1024 px, can outweigh the photo).

A timestamp authority, when configured, proves the signing time beyond the certificate's
life. If it cannot be reached, signing fails, unless the caller allowed signing without a
timestamp, and then the result says so.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import c2pa

from accord import __version__
from accord.errors import BadRequest, CredentialError, UnsupportedMedia
from accord.media.file import MediaFile, open_media
from accord.provenance.certificates import SigningChain
from accord.provenance.watermarking import WATERMARK_ALGORITHM
from accord.signals.registry import soft_binding_algorithms

#: The longest side of the thumbnail embedded in the manifest, in pixels.
THUMBNAIL_LONG_EDGE = 256
_IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
#: The label that ties an edit's ``c2pa.opened`` action to its parent ingredient.
_PARENT = "original"


class SourceType(StrEnum):
    """How the media came to be, as C2PA's digital source types say it."""

    CAMERA = "digitalCapture"
    COMPUTATIONAL_CAPTURE = "computationalCapture"
    AI_GENERATED = "trainedAlgorithmicMedia"
    AI_EDITED = "compositeWithTrainedAlgorithmicMedia"
    ALGORITHMIC = "algorithmicMedia"
    COMPOSITE = "composite"
    DIGITAL_CREATION = "digitalCreation"
    HUMAN_EDITS = "humanEdits"
    SCREEN_CAPTURE = "screenCapture"

    @property
    def uri(self) -> str:
        return f"{_IPTC}{self.value}"


def parse_source_type(text: str) -> SourceType:
    """A source type in any of its spellings: the short name with ``-`` or ``_``
    (``human-edits``, ``human_edits``), the C2PA name (``humanEdits``) or its IPTC URI.
    The CLI, the API and the library all read it here, so each accepts what the others do.
    """
    key = text.strip().rsplit("/", 1)[-1]
    name = key.upper().replace("-", "_")
    if name in SourceType.__members__:
        return SourceType[name]
    for kind in SourceType:
        if kind.value.lower() == key.lower():
            return kind
    msg = f"unknown source type {text!r}: use one of {accepted_source_types()}"
    raise BadRequest(msg)


def accepted_source_types() -> str:
    """Every source type as ``short-name (c2paName)``; ``_`` may stand for ``-``."""
    return ", ".join(f"{kind.name.lower().replace('_', '-')} ({kind.value})" for kind in SourceType)


@dataclass(frozen=True, slots=True)
class SignRequest:
    """What to declare about the file being signed."""

    title: str
    source_type: SourceType
    author: str
    #: The original this file was edited from, recorded as its parent ingredient.
    parent: MediaFile | None = None
    #: Fingerprints to bind softly: ``{signal type: value}`` (values as accord writes them).
    fingerprints: Mapping[str, str] | None = None
    #: The payload of accord's watermark, when the file carries one.
    watermark: int | None = None
    #: The original as an ingredient archive (``ingredient_archive``), when the original
    #: file itself is not at hand.
    parent_archive: bytes | None = None


@dataclass(frozen=True, slots=True)
class Signed:
    """A signed copy and what c2pa returned."""

    data: bytes
    #: The manifest store alone (``application/c2pa``), to serve by manifest id.
    manifest_store: bytes
    #: False when a timestamp authority was configured but could not be reached.
    timestamped: bool
    #: The media type of ``data``.
    mime: str
    #: Why a picture was signed without accord's watermark (None when it carries one, and
    #: for sound and video, which are never marked).
    unmarked: str | None = None


def sign_media(
    media: MediaFile,
    chain: SigningChain,
    request: SignRequest,
    *,
    tsa_url: str | None = None,
    allow_without_timestamp: bool = False,
    anchors: Sequence[str] = (),
) -> Signed:
    """``media`` with Content Credentials signed by ``chain``'s key. ``anchors`` (PEM roots)
    are what a parent ingredient's signer is judged against when its status is recorded."""
    try:
        return _sign(media, chain, request, tsa_url, anchors)
    except c2pa.C2paError as error:
        unreachable = tsa_url is not None and "http resolver" in str(error)
        if unreachable and allow_without_timestamp:
            return _sign(media, chain, request, None, anchors)
        if unreachable:
            msg = (
                f"the timestamp authority {tsa_url} cannot be reached; nothing was signed "
                "(allow signing without a timestamp to go on without it)"
            )
            raise CredentialError(msg) from None
        raise _explain(error, media) from None


def _sign(
    media: MediaFile,
    chain: SigningChain,
    request: SignRequest,
    tsa_url: str | None,
    anchors: Sequence[str],
) -> Signed:
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(
            alg=chain.algorithm.encode(),
            sign_cert=chain.chain_pem(),
            private_key=chain.key_pem(),
            ta_url=tsa_url.encode() if tsa_url else None,
        )
    )
    signed = io.BytesIO()
    with (
        c2pa.Builder(_manifest(request), c2pa.Context.from_dict(_settings(anchors))) as builder,
        media.path.open("rb") as source,
    ):
        if request.parent_archive is not None:
            builder.add_ingredient_from_archive(io.BytesIO(request.parent_archive))
        elif request.parent is not None:
            with request.parent.path.open("rb") as parent:
                builder.add_ingredient(
                    {
                        "title": request.parent.path.name,
                        "relationship": "parentOf",
                        "label": _PARENT,
                    },
                    request.parent.format.mime,
                    parent,
                )
        store = builder.sign(signer, media.format.mime, source, signed)
    timestamped = tsa_url is not None
    return Signed(signed.getvalue(), bytes(store), timestamped, media.format.mime)


def ingredient_archive(signed: Signed, title: str, anchors: Sequence[str] = ()) -> bytes:
    """The signed file as a parent ingredient, archived: what a later edit of it needs to
    name it as its original (c2pa keeps the manifest and a thumbnail, not the pixels)."""
    archive = io.BytesIO()
    with c2pa.Builder(
        {"claim_generator_info": [{"name": "accord", "version": __version__}]},
        c2pa.Context.from_dict(_settings(anchors)),
    ) as builder:
        ingredient = {"title": title, "relationship": "parentOf", "label": _PARENT}
        builder.add_ingredient(ingredient, signed.mime, io.BytesIO(signed.data))
        builder.write_ingredient_archive(_PARENT, archive)
    return archive.getvalue()


def _settings(anchors: Sequence[str] = ()) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "verify": {"remote_manifest_fetch": False},
        "builder": {
            "thumbnail": {"long_edge": THUMBNAIL_LONG_EDGE, "prefer_smallest_format": True}
        },
    }
    if anchors:  # else an ingredient signed by a trusted issuer is recorded as untrusted
        settings["trust"] = {"trust_anchors": "\n".join(anchors)}
    return settings


def _manifest(request: SignRequest) -> dict[str, Any]:
    if request.parent is None and request.parent_archive is None:
        first: dict[str, Any] = {
            "action": "c2pa.created",
            "digitalSourceType": request.source_type.uri,
        }
        actions = [first]
    else:
        opened = {"action": "c2pa.opened", "parameters": {"ingredientIds": [_PARENT]}}
        edited = {"action": "c2pa.edited", "digitalSourceType": request.source_type.uri}
        actions = [opened, edited]
    if request.watermark is not None:
        actions.append({"action": "c2pa.watermarked", "softwareAgent": {"name": "accord"}})
    assertions: list[dict[str, Any]] = [
        {"label": "c2pa.actions", "data": {"actions": actions}},
        {
            "label": "stds.schema-org.CreativeWork",
            "data": {
                "@context": "https://schema.org",
                "@type": "CreativeWork",
                "author": [{"@type": "Organization", "name": request.author}],
            },
        },
    ]
    algorithms = soft_binding_algorithms()
    for signal_type, value in (request.fingerprints or {}).items():
        algorithm = algorithms.get(signal_type)
        if algorithm is None:
            continue
        assertions.append(_soft_binding(algorithm, base64.b64encode(value.encode()).decode()))
    if request.watermark is not None:
        value = base64.b64encode(request.watermark.to_bytes(8, "big")).decode()
        assertions.append(_soft_binding(WATERMARK_ALGORITHM, value))
    return {
        "claim_generator_info": [{"name": "accord", "version": __version__}],
        "title": request.title,
        "assertions": assertions,
    }


def _soft_binding(algorithm: str, value: str) -> dict[str, Any]:
    block = {"scope": {}, "value": value}
    return {"label": "c2pa.soft-binding", "data": {"alg": algorithm, "blocks": [block]}}


def _explain(error: Exception, media: MediaFile) -> Exception:
    message = str(error)
    if message.startswith("NotSupported"):
        return UnsupportedMedia(f"c2pa cannot sign {media.format.name} files")
    if "certificate" in message.lower():
        return CredentialError(f"c2pa refused the signing credentials: {message}")
    return CredentialError(f"signing failed: {message}")


def sign_file(
    path: Path | str,
    chain: SigningChain,
    *,
    author: str,
    source_type: SourceType | str = SourceType.CAMERA,
    title: str | None = None,
    parent: Path | str | None = None,
    tsa_url: str | None = None,
) -> Signed:
    """Sign the file at ``path`` (``accord.sign``): a library call without issuers or
    registry; ``accord sign`` and the API add those."""
    media = open_media(Path(path))
    request = SignRequest(
        title=title or media.path.name,
        source_type=parse_source_type(source_type),
        author=author,
        parent=open_media(Path(parent)) if parent is not None else None,
    )
    return sign_media(media, chain, request, tsa_url=tsa_url)
