"""Content Credentials as evidence: who signed, whether it held, what they declared.

A trusted signer's declaration is the strongest evidence an assessment can hold either
way: a newsroom's camera capture is verified authentic, a generator's "made by AI" is
conclusive that it was. An untrusted signer's is worth less (anyone can make a
certificate), a content hash that no longer matches means the file changed after
signing, and no credentials at all means nothing (platforms strip them).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.media.kinds import MediaKind
from accord.provenance.verification import (
    CHANGED_CONTENT,
    CredentialState,
    Verification,
    describe_source_type,
    verify_file,
)

#: Digital source types that say generative AI (or another algorithm) made all or part of
#: the content rather than a device recording it.
SYNTHETIC_SOURCE_TYPES = frozenset(
    {
        "trainedAlgorithmicMedia",
        "compositeWithTrainedAlgorithmicMedia",
        "compositeSynthetic",
        "trainedAlgorithmicData",
        "algorithmicMedia",
    }
)
#: Digital source types that say a device recorded it.
CAPTURE_SOURCE_TYPES = frozenset(
    {"digitalCapture", "computationalCapture", "minorHumanEdits", "compositeCapture"}
)
_INTACT = (CredentialState.TRUSTED, CredentialState.VALID)
_LIMITS = (
    "Content Credentials prove who signed and that the file has not changed since; they "
    "do not prove that what the signer declared is true."
)


class ProvenanceProducer(Producer):
    name = "provenance"
    version = "1"
    media_kinds = frozenset(MediaKind)
    description = "Content Credentials (C2PA): validity, signer, digital source types"

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        verification = verify_file(
            subject.media.path, anchors=subject.anchors, limits=subject.media.limits
        )
        return list(_findings(verification))


def _findings(verification: Verification) -> Iterator[Finding]:
    state = verification.state
    credential = verification.credential
    details: dict[str, object] = {"state": str(state), "headline": verification.headline}
    if credential is None:
        yield _finding(
            "absent" if state is CredentialState.NONE else "unchecked",
            Direction.NEUTRAL,
            Strength.WEAK,
            verification.headline,
            details,
            limits="Most platforms strip credentials on upload: their absence says nothing.",
        )
        return
    details |= {
        "signer": credential.signer or credential.signer_name,
        "signed_at": credential.signed_at,
        "tool": credential.tool,
        "source_types": list(credential.source_types),
        "problems": [problem.code for problem in verification.problems],
    }
    if state is CredentialState.INVALID:
        yield from _broken(verification, details)
        return
    trusted = state is CredentialState.TRUSTED
    signer = credential.signer or credential.signer_name or "an unnamed signer"
    who = f"{signer} (trusted here)" if trusted else f"{signer} (not on a trust list here)"
    declared = set(credential.source_types)
    ai = sorted(declared & SYNTHETIC_SOURCE_TYPES)
    if ai:
        words = ", ".join(describe_source_type(kind) for kind in ai)
        yield _finding(
            "synthetic_source_type",
            Direction.SYNTHETIC,
            Strength.CONCLUSIVE if trusted else Strength.STRONG,
            f"Signed by {who}, who declared it {words}.",
            details,
        )
    elif declared & CAPTURE_SOURCE_TYPES:
        words = ", ".join(describe_source_type(kind) for kind in sorted(declared))
        yield _finding(
            "capture",
            Direction.AUTHENTIC,
            Strength.CONCLUSIVE if trusted else Strength.MODERATE,
            f"Signed by {who}, who declared it {words}; unchanged since signing.",
            details,
        )
    else:
        yield _finding(
            "signed",
            Direction.NEUTRAL,
            Strength.WEAK,
            verification.headline,
            details,
        )
    yield from _ingredients(verification)


def _broken(verification: Verification, details: Mapping[str, object]) -> Iterator[Finding]:
    codes = {problem.code for problem in verification.problems}
    if codes & set(CHANGED_CONTENT):
        yield _finding(
            "changed_after_signing",
            Direction.ALTERED,
            Strength.STRONG,
            "The file carries Content Credentials, but its content no longer matches what "
            f"was signed: it was changed afterwards. {verification.headline}",
            details,
        )
        return
    yield _finding(
        "broken",
        Direction.NEUTRAL,
        Strength.MODERATE,
        f"The Content Credentials are broken, so nothing they declare is confirmed. "
        f"{verification.headline}",
        details,
    )


def _ingredients(verification: Verification) -> Iterator[Finding]:
    """What the ingredients' own manifests say: c2pa does not lower the top-level state
    for a tampered or AI-made ingredient."""
    credential = verification.credential
    for index, ingredient in enumerate(credential.ingredients if credential else ()):
        title = ingredient.title or f"ingredient {index + 1}"
        facts = {
            "ingredient": title,
            "relationship": ingredient.relationship,
            "source_types": list(ingredient.source_types),
            "problems": [problem.code for problem in ingredient.problems],
        }
        ai = sorted(set(ingredient.source_types) & SYNTHETIC_SOURCE_TYPES)
        if ai:
            words = ", ".join(describe_source_type(kind) for kind in ai)
            yield _finding(
                "ingredient_synthetic_source_type",
                Direction.SYNTHETIC,
                Strength.STRONG,
                f"It was made from “{title}”, whose own credentials declare it {words}.",
                facts,
            )
        changed = [p for p in ingredient.problems if p.code in CHANGED_CONTENT]
        if changed:
            yield _finding(
                "ingredient_changed",
                Direction.ALTERED,
                Strength.MODERATE,
                f"It was made from “{title}”, which had been changed after its own signing.",
                facts,
            )


def _finding(
    code: str,
    direction: Direction,
    strength: Strength,
    explanation: str,
    details: Mapping[str, object],
    *,
    limits: str = _LIMITS,
) -> Finding:
    return Finding(
        producer=ProvenanceProducer.name,
        code=f"{ProvenanceProducer.name}.{code}",
        direction=direction,
        strength=strength,
        explanation=explanation,
        limits=limits,
        details=details,
    )
