"""The contract every evidence producer passes: inherit ``ProducerContract`` and provide
the ``producer`` and ``subjects`` fixtures (files the producer has something to say about,
and files it has nothing to say about)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pytest

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength

_NAME = re.compile(r"[a-z][a-z0-9_]*")


class ProducerContract:
    @pytest.fixture
    def producer(self) -> Producer:
        raise NotImplementedError("each producer's contract test provides this fixture")

    @pytest.fixture
    def subjects(self) -> Sequence[AssessedFile]:
        """Files to run the producer on; at least one must yield a finding."""
        raise NotImplementedError("each producer's contract test provides this fixture")

    def test_it_names_and_describes_itself(self, producer: Producer) -> None:
        assert _NAME.fullmatch(producer.name), producer.name
        assert producer.version
        assert producer.description
        assert producer.media_kinds

    def test_its_findings_are_complete_and_json_ready(
        self, producer: Producer, subjects: Sequence[AssessedFile]
    ) -> None:
        findings: list[Finding] = []
        for subject in subjects:
            if producer.applies(subject):
                findings += producer.produce(subject)
        assert findings, "no subject gave a finding: the fixture proves nothing"
        for finding in findings:
            assert finding.producer == producer.name
            assert finding.code.startswith(f"{producer.name}."), finding.code
            assert isinstance(finding.direction, Direction)
            assert isinstance(finding.strength, Strength)
            assert finding.explanation.strip()
            assert finding.limits.strip()
            json.dumps(finding.to_json())
            for figure in finding.figures:
                assert figure.png.startswith(b"\x89PNG\r\n\x1a\n"), figure.name
                assert figure.reading_guide.strip()

    def test_it_says_the_same_twice(
        self, producer: Producer, subjects: Sequence[AssessedFile]
    ) -> None:
        for subject in subjects:
            if producer.applies(subject):
                first = [finding.to_json() for finding in producer.produce(subject)]
                assert [finding.to_json() for finding in producer.produce(subject)] == first
