"""An assessment's words: no doubled punctuation, and one finding per deceptive bank."""

from __future__ import annotations

from pathlib import Path

from accord.assessment.evidence import AssessedFile, BankHit
from accord.assessment.pipeline import assess_file
from accord.assessment.producers.banks import BanksProducer
from accord.assessment.producers.provenance import ProvenanceProducer
from accord.media.file import open_media
from accord.provenance.certificates import issue_chain
from tests.unit.provenance.test_certificates import WHO, sign

PHOTO = Path("pdq") / "bridge-mods" / "aaa-orig.jpg"


def _fakes(subject: AssessedFile) -> list[BankHit]:
    """Two entries of one deceptive bank with the same PDQ, as a reviewer may add twice."""
    return [
        BankHit("FAKES", "deceptive", "pdq", 0.0, reference="case-1"),
        BankHit("FAKES", "deceptive", "pdq", 0.0, reference="case-2"),
    ]


def test_two_entries_of_one_deceptive_bank_make_one_finding(corpus: Path) -> None:
    subject = AssessedFile(open_media(corpus / PHOTO), banks=_fakes)
    (finding,) = BanksProducer().produce(subject)
    assert finding.explanation == (
        "It matches 2 entries of the deceptive bank FAKES (case-1, case-2): reviewers "
        "confirmed them deceptive (by pdq, distance 0)."
    )
    assert finding.details["references"] == ["case-1", "case-2"]


def test_a_trusted_signature_reads_without_doubled_punctuation(
    corpus: Path, tmp_path: Path
) -> None:
    chain = issue_chain(WHO)
    signed = tmp_path / "signed.jpg"
    signed.write_bytes(sign(chain, corpus / PHOTO))
    root = chain.root_pem()
    assert root is not None
    assessment = assess_file(
        signed,
        anchors=[root.decode()],
        banks=_fakes,
        producers=[ProvenanceProducer(), BanksProducer()],
    )
    texts = [finding.explanation for finding in assessment.findings]
    assert any(
        text.startswith("Signed by Electoral Commission (trusted here), who") for text in texts
    )
    for text in [*texts, assessment.summary]:
        assert ",," not in text, text
        assert ".;" not in text, text
    assert assessment.summary.count("deceptive bank FAKES") == 1


def _stamped(subject: AssessedFile) -> list[BankHit]:
    """A generator's stamped picture, found by its watermark and by PDQ: one entry."""
    return [
        BankHit("GENERATED", "generated", "pdq", 4.0, reference="rec-1", generator="Studio"),
        BankHit("GENERATED", "generated", "watermark", 0.0, reference="rec-1", generator="Studio"),
        BankHit("GENERATED", "generated", "sha256", 0.0, reference="rec-2"),
    ]


def test_a_generated_bank_match_says_ai_and_names_the_generator(corpus: Path) -> None:
    subject = AssessedFile(open_media(corpus / PHOTO), banks=_stamped)
    by_record = {f.details["record_id"]: f for f in BanksProducer().produce(subject)}
    assert sorted(by_record) == ["rec-1", "rec-2"]  # one finding per record
    near, same = by_record["rec-1"], by_record["rec-2"]
    assert (near.code, near.direction, near.strength) == ("banks.generated", "synthetic", "strong")
    assert near.details["generator"] == "Studio"
    assert near.explanation == (
        "It looks like a file that Studio made by AI and registered in the generated bank "
        "GENERATED (record rec-1) (by watermark, distance 0): it is AI-generated, by Studio, "
        "or made from such a file."
    )
    assert same.strength == "conclusive"  # the very bytes
    assert same.explanation == (
        "It is a file made by AI and registered in the generated bank GENERATED (record "
        "rec-2) (the same bytes): it is AI-generated."
    )
