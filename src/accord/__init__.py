"""accord: defend elections against deceptive AI content.

The public Python API is the short list in ``__all__``; everything else is internal.
Names load on first use, so ``import accord`` stays cheap::

    import accord

    result = accord.hash_file("photo.jpg")
    print(result.signal("pdq"))
    print(accord.verify("photo.jpg").headline)
    print(accord.assess("photo.jpg").band)

    chain = accord.issue_chain(accord.IssuerName("Newsroom", "Newsroom signing"))
    signed = accord.sign("photo.jpg", chain, author="Newsroom", source_type="digitalCapture")
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from accord.assessment.bands import Band
    from accord.assessment.gallery import FaceGallery, ProtectedPerson, VoiceGallery
    from accord.assessment.pipeline import assess_file as assess
    from accord.assessment.result import Assessment
    from accord.errors import AccordError, MediaError, SignalError
    from accord.media.kinds import MediaKind
    from accord.media.limits import MediaLimits
    from accord.provenance.certificates import IssuerName, SigningChain, issue_chain
    from accord.provenance.signing import Signed, SourceType
    from accord.provenance.signing import sign_file as sign
    from accord.provenance.verification import CredentialState, Verification
    from accord.provenance.verification import verify_file as verify
    from accord.signals.base import Signal, SignalType
    from accord.signals.hashing import HashResult, hash_file
    from accord.signals.registry import get_signal_type, signal_type_classes

__all__ = [
    "AccordError",
    "Assessment",
    "Band",
    "CredentialState",
    "FaceGallery",
    "HashResult",
    "IssuerName",
    "MediaError",
    "MediaKind",
    "MediaLimits",
    "ProtectedPerson",
    "Signal",
    "SignalError",
    "SignalType",
    "Signed",
    "SigningChain",
    "SourceType",
    "Verification",
    "VoiceGallery",
    "__version__",
    "assess",
    "get_signal_type",
    "hash_file",
    "issue_chain",
    "sign",
    "signal_type_classes",
    "verify",
]

#: Where each name lives, as ``module`` or ``module:attribute`` when the names differ.
_HOMES = {
    "AccordError": "accord.errors",
    "MediaError": "accord.errors",
    "SignalError": "accord.errors",
    "MediaKind": "accord.media.kinds",
    "MediaLimits": "accord.media.limits",
    "Signal": "accord.signals.base",
    "SignalType": "accord.signals.base",
    "HashResult": "accord.signals.hashing",
    "hash_file": "accord.signals.hashing",
    "get_signal_type": "accord.signals.registry",
    "signal_type_classes": "accord.signals.registry",
    "CredentialState": "accord.provenance.verification",
    "Verification": "accord.provenance.verification",
    "verify": "accord.provenance.verification:verify_file",
    "IssuerName": "accord.provenance.certificates",
    "SigningChain": "accord.provenance.certificates",
    "issue_chain": "accord.provenance.certificates",
    "Signed": "accord.provenance.signing",
    "assess": "accord.assessment.pipeline:assess_file",
    "Assessment": "accord.assessment.result",
    "Band": "accord.assessment.bands",
    "FaceGallery": "accord.assessment.gallery",
    "ProtectedPerson": "accord.assessment.gallery",
    "VoiceGallery": "accord.assessment.gallery",
    "SourceType": "accord.provenance.signing",
    "sign": "accord.provenance.signing:sign_file",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        msg = f"module 'accord' has no attribute {name!r}"
        raise AttributeError(msg)
    module, _, attribute = home.partition(":")
    return getattr(import_module(module), attribute or name)


def __dir__() -> list[str]:
    return sorted(__all__)
