"""``verify_file``: every state of the corpus's C2PA files, trust, tampering, no fetching."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from accord.errors import CorruptMedia
from accord.provenance.certificates import IssuerName, issue_chain
from accord.provenance.verification import LIMITS, CredentialState, verify_file
from tests.unit.provenance.test_certificates import sign

AI_GENERATED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
#: Files the corpus calls malformed on purpose; c2pa shrugs at two of them ("no manifest").
MALFORMED = {
    "nested_moov_1000.mp4",
    "riff_bomb_1000.wav",
    "id3v23_compression_underflow.mp3",
    "sample3.invalid.wav",
}


@pytest.fixture(scope="module")
def expected(corpus: Path) -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads((corpus / "c2pa" / "expected.json").read_text())
    return loaded


def test_every_corpus_file_gets_the_reference_state(
    corpus: Path, expected: dict[str, dict[str, Any]]
) -> None:
    for name, reference in expected.items():
        path = corpus / "c2pa" / name
        if name in MALFORMED:
            started = time.monotonic()
            with pytest.raises(CorruptMedia):
                verify_file(path)
            assert time.monotonic() - started < 2.0, name
            continue
        result = verify_file(path)
        assert result.limits == LIMITS
        if reference["manifest"]:
            assert result.state == reference["validation_state"].lower(), name
            assert {p.code for p in result.problems} == set(reference["failure_codes"]), name
            assert result.credential is not None
            assert result.credential.title == reference["title"], name
        elif "Remote" in reference["error"]:
            assert result.state is CredentialState.REMOTE, name
            assert result.remote_url is not None
            assert result.remote_url.startswith("https://cai-manifests.adobe.com/")
            assert "not checked" in result.headline
        else:
            assert result.state is CredentialState.NONE, name


def test_plain_words_for_broken_and_changed_files(corpus: Path) -> None:
    changed = verify_file(corpus / "c2pa" / "XCA.jpg")
    assert "content changed after signing" in changed.headline
    assert "This copy is not what was signed." in changed.headline
    broken = verify_file(corpus / "c2pa" / "E-sig-CA.jpg")
    assert "signature is broken" in broken.headline
    edit = verify_file(corpus / "c2pa" / "CA.jpg")
    assert edit.credential is not None
    assert "c2pa.opened" in edit.credential.actions
    assert [item.title for item in edit.credential.ingredients] == ["A.jpg"]
    assert edit.credential.ingredients[0].relationship == "parentOf"
    assert (
        json.loads(json.dumps(edit.to_json()))["credential"]["ingredients"][0]["title"] == "A.jpg"
    )


def test_trusted_under_the_issuers_root_and_invalid_once_changed(
    corpus: Path, tmp_path: Path
) -> None:
    chain = issue_chain(IssuerName("Electoral Commission", "EC signing", "GB"))
    root = (chain.root_pem() or b"").decode()
    signed = tmp_path / "signed.jpg"
    signed.write_bytes(sign(chain, corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", AI_GENERATED))

    untrusted = verify_file(signed)
    assert untrusted.state is CredentialState.VALID
    assert [p.code for p in untrusted.problems] == ["signingCredential.untrusted"]
    trusted = verify_file(signed, anchors=[root])
    assert trusted.state is CredentialState.TRUSTED
    assert trusted.problems == ()
    assert trusted.credential is not None
    assert trusted.credential.signer == "Electoral Commission"
    assert trusted.credential.source_types == ("trainedAlgorithmicMedia",)
    assert trusted.headline.startswith("Signed by Electoral Commission (made by generative AI)")
    other = issue_chain(IssuerName("Someone Else", "Other signing"))
    assert verify_file(signed, anchors=[(other.root_pem() or b"").decode()]).state == "valid"

    data = bytearray(signed.read_bytes())
    data[-200] ^= 0xFF  # inside the entropy-coded picture, after the manifest
    tampered = tmp_path / "tampered.jpg"
    tampered.write_bytes(bytes(data))
    result = verify_file(tampered, anchors=[root])
    assert result.state is CredentialState.INVALID
    assert "assertion.dataHash.mismatch" in {p.code for p in result.problems}


def embedded_certificates(path: Path) -> list[x509.Certificate]:
    """The DER certificates a file carries (its signers' chains), found by scanning."""
    data = path.read_bytes()
    found: list[x509.Certificate] = []
    start = data.find(b"\x30\x82")
    while start >= 0:
        length = int.from_bytes(data[start + 2 : start + 4], "big") + 4
        try:
            found.append(x509.load_der_x509_certificate(data[start : start + length]))
        except ValueError:
            start = data.find(b"\x30\x82", start + 1)
            continue
        start = data.find(b"\x30\x82", start + length)
    return found


def test_corpus_files_are_trusted_once_their_test_ca_is_an_anchor(
    corpus: Path, expected: dict[str, dict[str, Any]]
) -> None:
    """c2pa-rs's test signer chains up to "C2PA Test Intermediate Root CA", which its files
    carry: configured as an anchor, intact files signed under it read as trusted."""
    test_ca = next(
        cert
        for cert in embedded_certificates(corpus / "c2pa" / "C.jpg")
        if "C2PA Test Intermediate Root CA" in cert.subject.rfc4514_string()
    )
    anchor = test_ca.public_bytes(serialization.Encoding.PEM).decode()
    trusted = set()
    for name, reference in expected.items():
        if not reference["manifest"] or name in MALFORMED:
            continue
        result = verify_file(corpus / "c2pa" / name, anchors=[anchor])
        codes = {problem.code for problem in result.problems}
        assert "signingCredential.untrusted" not in codes or result.state != "trusted"
        if reference["validation_state"] == "Invalid":
            assert result.state is CredentialState.INVALID, name
        elif result.state is CredentialState.TRUSTED:
            trusted.add(name)
            assert codes == set(), name
            assert "the signer is trusted here" in result.headline
    # The others (boxhash.jpg, legacy.mp4, video1.mp4) were signed under other test roots.
    assert trusted == {"C.jpg", "CA.jpg", "CACA.jpg", "CIE-sig-CA.jpg"}
