"""Content Credentials as evidence, on the C2PA corpus and on files signed here."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from accord.assessment.evidence import AssessedFile, Direction, Producer, Strength
from accord.assessment.producers.provenance import ProvenanceProducer
from accord.media.file import open_media
from accord.provenance.certificates import IssuerName, SigningChain, issue_chain
from accord.provenance.signing import SourceType, sign_file
from tests.unit.assessment.contract import ProducerContract


def subject(path: Path, anchors: Sequence[str] = ()) -> AssessedFile:
    return AssessedFile(open_media(path), anchors=anchors)


def root_of(chain: SigningChain) -> str:
    root = chain.root_pem()
    assert root is not None
    return root.decode()


def codes(path: Path, anchors: Sequence[str] = ()) -> list[tuple[str, Direction, Strength]]:
    found = ProvenanceProducer().produce(subject(path, anchors))
    return [(f.code, f.direction, f.strength) for f in found]


class TestProvenanceContract(ProducerContract):
    @pytest.fixture
    def producer(self) -> Producer:
        return ProvenanceProducer()

    @pytest.fixture
    def subjects(self, corpus: Path) -> Sequence[AssessedFile]:
        folder = corpus / "c2pa"
        return [subject(folder / name) for name in ("C.jpg", "XCA.jpg", "no_manifest.jpg")]


def test_corpus_states_become_findings(corpus: Path) -> None:
    folder = corpus / "c2pa"
    assert codes(folder / "C.jpg") == [
        ("provenance.synthetic_source_type", Direction.SYNTHETIC, Strength.STRONG)
    ]
    assert codes(folder / "XCA.jpg") == [
        ("provenance.changed_after_signing", Direction.ALTERED, Strength.STRONG)
    ]
    assert codes(folder / "no_manifest.jpg") == [
        ("provenance.absent", Direction.NEUTRAL, Strength.WEAK)
    ]
    assert codes(folder / "cloud.jpg") == [
        ("provenance.unchecked", Direction.NEUTRAL, Strength.WEAK)
    ]


def test_a_trusted_signer_decides_and_an_unknown_one_does_not(corpus: Path, tmp_path: Path) -> None:
    chain = issue_chain(IssuerName("Electoral Commission", "EC"))
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    for source, name in ((SourceType.CAMERA, "camera.jpg"), (SourceType.AI_GENERATED, "ai.jpg")):
        (tmp_path / name).write_bytes(sign_file(photo, chain, author="EC", source_type=source).data)
    root = [root_of(chain)]
    assert codes(tmp_path / "camera.jpg", root) == [
        ("provenance.capture", Direction.AUTHENTIC, Strength.CONCLUSIVE)
    ]
    assert codes(tmp_path / "camera.jpg") == [
        ("provenance.capture", Direction.AUTHENTIC, Strength.MODERATE)
    ]
    assert codes(tmp_path / "ai.jpg", root) == [
        ("provenance.synthetic_source_type", Direction.SYNTHETIC, Strength.CONCLUSIVE)
    ]


def test_an_ai_made_ingredient_is_seen_through_a_trusted_edit(corpus: Path, tmp_path: Path) -> None:
    chain = issue_chain(IssuerName("Campaign", "Campaign"))
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    generated = tmp_path / "generated.jpg"
    generated.write_bytes(
        sign_file(photo, chain, author="Generator", source_type=SourceType.AI_GENERATED).data
    )
    edit = tmp_path / "edit.jpg"
    edit.write_bytes(
        sign_file(
            corpus / "pdq" / "bridge-mods" / "high-contrast.jpg",
            chain,
            author="Campaign",
            source_type=SourceType.HUMAN_EDITS,
            parent=generated,
        ).data
    )
    found = codes(edit, [root_of(chain)])
    assert (
        "provenance.ingredient_synthetic_source_type",
        Direction.SYNTHETIC,
        Strength.STRONG,
    ) in found
