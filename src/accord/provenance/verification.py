"""Check a file's Content Credentials with c2pa and say what they show, in plain words.

The file is opened by accord's own intake first (format sniffing and structural limits),
so hostile files get the same precise errors as everywhere else before c2pa parses them.
c2pa then validates the manifest against the trust anchors given; remote manifests are
never fetched unless asked (c2pa fetches by default). The answer keeps c2pa's codes and
adds what each means for a reader who is not a C2PA expert, and what the result does not
prove.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import c2pa

from accord.errors import CorruptMedia
from accord.media.boundary import decoding
from accord.media.file import open_media
from accord.media.limits import MediaLimits


class CredentialState(StrEnum):
    #: Intact, and signed by a certificate under one of the trust anchors.
    TRUSTED = "trusted"
    #: Intact, but the signer is not under any trust anchor here.
    VALID = "valid"
    #: Present but broken: the file or the manifest changed after signing, or worse.
    INVALID = "invalid"
    #: The file says its credentials are stored at a URL, which was not fetched.
    REMOTE = "remote"
    #: No Content Credentials at all.
    NONE = "none"


#: What each failure code means, for a reader; c2pa's own explanation is kept beside it.
_MEANINGS = {
    "signingCredential.untrusted": (
        "the signer's certificate is not under any trust anchor configured here, so the "
        "signature shows only that whoever held this certificate signed the file"
    ),
    "signingCredential.invalid": "the signing certificate does not meet the C2PA profile",
    "signingCredential.expired": "the signing certificate had expired when the file was signed",
    "signingCredential.revoked": "the signing certificate has been revoked",
    "claimSignature.mismatch": (
        "the signature is broken: the credentials were altered after signing"
    ),
    "claimSignature.missing": "the credentials carry no signature",
    "claimSignature.outsideValidity": "the file was signed outside the certificate's validity",
    "assertion.dataHash.mismatch": "the file's content changed after signing",
    "assertion.bmffHash.mismatch": "the video or audio changed after signing",
    "assertion.boxesHash.mismatch": "the file's content changed after signing",
    "assertion.hashedURI.mismatch": "part of the credentials was altered after signing",
    "assertion.missing": "part of the credentials is missing",
    "ingredient.hashedURI.mismatch": "an ingredient's record was altered after signing",
    "timeStamp.mismatch": "the signing time's timestamp does not match the signature",
    "timeStamp.untrusted": "the timestamp authority is not trusted here",
}
#: Failure codes that mean the content itself changed after signing.
CHANGED_CONTENT = ("assertion.dataHash.mismatch", "assertion.bmffHash.mismatch")
_REMOTE_URL = re.compile(r"from url (\S+)")
#: Digital source types named in IPTC's vocabulary, as plain words.
_SOURCE_TYPES = {
    "digitalCapture": "captured by a camera or recorder",
    "computationalCapture": "captured with computational photography (no generative AI)",
    "humanEdits": "edited by a person",
    "algorithmicallyEnhanced": "enhanced by an algorithm (no generative AI)",
    "digitalCreation": "made by a person with digital tools",
    "compositeSynthetic": "combined from several sources, some made by generative AI",
    "trainedAlgorithmicMedia": "made by generative AI",
    "compositeWithTrainedAlgorithmicMedia": "combined with AI-generated content",
    "algorithmicMedia": "made by an algorithm (not trained AI)",
    "compositeCapture": "combined from several captures",
    "composite": "combined from several sources",
    "digitalArt": "made by a person with digital tools",
    "minorHumanEdits": "captured, with minor edits",
    "screenCapture": "a screen capture",
    "virtualRecording": "a recording of a virtual scene",
    "dataDrivenMedia": "made from data",
    "trainedAlgorithmicData": "data made by generative AI",
}
#: What no result can show, said with every answer.
LIMITS = (
    "Content Credentials show who signed a file and what they declared about it; they do "
    "not prove that the declarations are true. A file without credentials is not thereby "
    "fake: most platforms strip them on upload."
)


def describe_source_type(kind: str) -> str:
    """A digital source type (``trainedAlgorithmicMedia``) in plain words."""
    return _SOURCE_TYPES.get(kind, kind)


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    #: c2pa's own words.
    explanation: str
    #: What it means for the reader.
    meaning: str

    @classmethod
    def of(cls, status: Mapping[str, Any]) -> Problem:
        code = str(status.get("code", ""))
        explanation = str(status.get("explanation", ""))
        return cls(code, explanation, _MEANINGS.get(code, explanation or code))


@dataclass(frozen=True, slots=True)
class Ingredient:
    """A file the signed file was made from, as the manifest records it."""

    title: str | None
    relationship: str | None
    #: Whether the ingredient carried credentials of its own.
    had_credentials: bool
    problems: tuple[Problem, ...]
    #: The digital source types its own manifest declared.
    source_types: tuple[str, ...] = ()
    #: The label of its own active manifest (``urn:c2pa:...``), when it had one.
    manifest: str | None = None


@dataclass(frozen=True, slots=True)
class SoftBinding:
    """A watermark or fingerprint the manifest binds the content to (``c2pa.soft-binding``),
    which lets a copy stripped of its credentials be traced back to them."""

    algorithm: str
    #: The binding's value as the manifest carries it (base64).
    value: str


@dataclass(frozen=True, slots=True)
class Credential:
    """What the active manifest declares."""

    title: str | None
    tool: str | None
    signer: str | None
    signer_name: str | None
    signed_at: str | None
    algorithm: str | None
    actions: tuple[str, ...]
    source_types: tuple[str, ...]
    ingredients: tuple[Ingredient, ...]
    soft_bindings: tuple[SoftBinding, ...] = ()
    #: The active manifest's label (``urn:c2pa:...``).
    manifest: str | None = None


@dataclass(frozen=True, slots=True)
class Verification:
    state: CredentialState
    headline: str
    credential: Credential | None = None
    problems: tuple[Problem, ...] = ()
    remote_url: str | None = None
    limits: str = field(default=LIMITS)

    def to_json(self) -> dict[str, Any]:
        credential = self.credential
        return {
            "state": str(self.state),
            "headline": self.headline,
            "credential": None if credential is None else _credential_json(credential),
            "problems": [_problem_json(problem) for problem in self.problems],
            "remote_url": self.remote_url,
            "limits": self.limits,
        }


def verify_file(
    path: Path | str,
    *,
    anchors: Sequence[str] = (),
    limits: MediaLimits | None = None,
    fetch_remote: bool = False,
) -> Verification:
    """Validate the credentials of the file at ``path`` against ``anchors`` (PEM roots).

    Raises a ``MediaError`` for files accord or c2pa cannot read.
    """
    media = open_media(Path(path), limits)
    settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": fetch_remote}}
    if anchors:
        settings["trust"] = {"trust_anchors": "\n".join(anchors)}
    # c2pa parses the manifest store, and _describe its JSON, whatever the file's author
    # wrote there: anything unforeseen is a corrupt file, not a crash.
    with decoding(f"{media.format.name} file's Content Credentials"):
        try:
            with (
                media.path.open("rb") as stream,
                c2pa.Reader(
                    media.format.mime, stream, context=c2pa.Context.from_dict(settings)
                ) as reader,
            ):
                store = json.loads(reader.json())
                state = str(reader.get_validation_state()).lower()
        except c2pa.C2paError as error:
            return _without_manifest(error, media.format.name)
        return _describe(store, CredentialState(state))


def _without_manifest(error: Exception, format_name: str) -> Verification:
    message = str(error)
    if "ManifestNotFound" in type(error).__name__ or message.startswith("ManifestNotFound"):
        return Verification(CredentialState.NONE, "This file carries no Content Credentials.")
    if message.startswith("Remote:"):
        found = _REMOTE_URL.search(message)
        url = found.group(1) if found else None
        headline = (
            f"This file's Content Credentials are stored elsewhere ({url}); fetching them is "
            "turned off here, so they were not checked."
        )
        return Verification(CredentialState.REMOTE, headline, remote_url=url)
    if message.startswith("NotSupported"):
        headline = f"{format_name.upper()} files cannot carry Content Credentials."
        return Verification(CredentialState.NONE, headline)
    raise CorruptMedia(
        f"the {format_name} file cannot be parsed for Content Credentials: {message}"
    )


def _describe(store: Mapping[str, Any], state: CredentialState) -> Verification:
    manifests = store.get("manifests", {})
    active = manifests.get(store.get("active_manifest"), {})
    results = store.get("validation_results", {}).get("activeManifest", {})
    failures = results.get("failure") or store.get("validation_status") or []
    problems = tuple(Problem.of(status) for status in failures)
    deltas = _ingredient_deltas(store)
    credential = replace(
        _credential(active, manifests, deltas), manifest=store.get("active_manifest")
    )
    return Verification(state, _headline(state, credential, problems), credential, problems)


def _ingredient_deltas(store: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """c2pa's re-validation of each ingredient of the active manifest, by assertion label.

    An ingredient's status is written into the manifest when it is signed, against the
    signer's trust settings then; c2pa checks it again against the anchors given now and
    reports the differences ("deltas"), which is what a reader here should see.
    """
    prefix = f"/c2pa/{store.get('active_manifest')}/c2pa.assertions/"
    deltas: dict[str, Mapping[str, Any]] = {}
    for delta in store.get("validation_results", {}).get("ingredientDeltas") or []:
        uri = str(delta.get("ingredientAssertionURI", ""))
        if prefix in uri:
            deltas[uri.rsplit("/", 1)[-1]] = delta.get("validationDeltas") or {}
    return deltas


def _credential(
    active: Mapping[str, Any],
    manifests: Mapping[str, Any],
    deltas: Mapping[str, Mapping[str, Any]] | None = None,
) -> Credential:
    signature = active.get("signature_info", {})
    actions = list(_actions(active))
    return Credential(
        title=active.get("title"),
        tool=active.get("claim_generator") or _generator(active),
        signer=signature.get("issuer"),
        signer_name=signature.get("common_name"),
        signed_at=signature.get("time"),
        algorithm=signature.get("alg"),
        actions=tuple(name for name, _ in actions),
        source_types=tuple(dict.fromkeys(kind for _, kind in actions if kind)),
        ingredients=tuple(
            _ingredient(item, manifests, (deltas or {}).get(str(item.get("label")), {}))
            for item in active.get("ingredients", [])
        ),
        soft_bindings=tuple(_soft_bindings(active)),
    )


def _soft_bindings(active: Mapping[str, Any]) -> Iterator[SoftBinding]:
    for assertion in active.get("assertions", []):
        if assertion.get("label") != "c2pa.soft-binding":
            continue
        data = assertion.get("data", {})
        for block in data.get("blocks", []):
            if data.get("alg") and isinstance(block.get("value"), str):
                yield SoftBinding(str(data["alg"]), block["value"])


def _generator(active: Mapping[str, Any]) -> str | None:
    info = active.get("claim_generator_info") or []
    parts = [f"{item.get('name', '')} {item.get('version', '')}".strip() for item in info]
    return ", ".join(part for part in parts if part) or None


def _actions(active: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    for assertion in active.get("assertions", []):
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in assertion.get("data", {}).get("actions", []):
            source = action.get("digitalSourceType")
            yield str(action.get("action", "")), _source_type(source) if source else None


def _source_type(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def _ingredient(
    item: Mapping[str, Any], manifests: Mapping[str, Any], delta: Mapping[str, Any]
) -> Ingredient:
    own = item.get("active_manifest")
    stored = item.get("validation_status") or (
        item.get("validation_results", {}).get("activeManifest", {}).get("failure", [])
    )
    statuses = _revalidated(stored, delta)
    declared = _actions(manifests[own]) if own and own in manifests else iter(())
    return Ingredient(
        title=item.get("title"),
        relationship=item.get("relationship"),
        had_credentials=bool(own and own in manifests),
        problems=tuple(Problem.of(status) for status in statuses),
        source_types=tuple(dict.fromkeys(kind for _, kind in declared if kind)),
        manifest=own if own and own in manifests else None,
    )


def _revalidated(
    stored: Sequence[Mapping[str, Any]], delta: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    """The stored failures, less those that passed when checked again, plus new ones."""
    passed = {
        str(status.get("code"))
        for status in [*(delta.get("success") or []), *(delta.get("informational") or [])]
    }
    passed |= {_PASSES[code] for code in passed if code in _PASSES}
    kept = [status for status in stored if str(status.get("code")) not in passed]
    return [*kept, *(delta.get("failure") or [])]


#: A success code, and the failure code it settles.
_PASSES = {"signingCredential.trusted": "signingCredential.untrusted"}


def _headline(state: CredentialState, credential: Credential, problems: tuple[Problem, ...]) -> str:
    signer = credential.signer or credential.signer_name or "an unnamed signer"
    when = f" on {credential.signed_at[:10]}" if credential.signed_at else ""
    made = _made(credential)
    if state is CredentialState.TRUSTED:
        return f"Signed by {signer}{when}{made}; unchanged since, and the signer is trusted here."
    if state is CredentialState.VALID:
        return (
            f"Signed by {signer}{when}{made}; unchanged since, but the signer is not on a "
            "trust list configured here, so who they are is not confirmed."
        )
    serious = [p for p in problems if p.code != "signingCredential.untrusted"] or list(problems)
    reason = serious[0].meaning if serious else "the credentials failed validation"
    changed = any(p.code in CHANGED_CONTENT for p in problems)
    after = " This copy is not what was signed." if changed else ""
    return f"Content Credentials from {signer} are present but invalid: {reason}.{after}"


def _made(credential: Credential) -> str:
    words = [_SOURCE_TYPES.get(kind, kind) for kind in credential.source_types]
    return f" ({'; '.join(words)})" if words else ""


def _problem_json(problem: Problem) -> dict[str, str]:
    return {"code": problem.code, "explanation": problem.explanation, "meaning": problem.meaning}


def _credential_json(credential: Credential) -> dict[str, Any]:
    return {
        "title": credential.title,
        "tool": credential.tool,
        "signer": credential.signer,
        "signer_name": credential.signer_name,
        "signed_at": credential.signed_at,
        "algorithm": credential.algorithm,
        "actions": list(credential.actions),
        "source_types": list(credential.source_types),
        "ingredients": [
            {
                "title": item.title,
                "relationship": item.relationship,
                "had_credentials": item.had_credentials,
                "problems": [_problem_json(problem) for problem in item.problems],
                "source_types": list(item.source_types),
                "manifest": item.manifest,
            }
            for item in credential.ingredients
        ],
        "soft_bindings": [
            {"algorithm": binding.algorithm, "value": binding.value}
            for binding in credential.soft_bindings
        ],
    }
