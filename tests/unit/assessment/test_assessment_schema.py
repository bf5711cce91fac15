"""Every assessment follows its published JSON Schema, whatever its band."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from accord.assessment.pipeline import assess_file
from accord.assessment.result import SCHEMA, assessment_schema


@pytest.mark.parametrize(
    "name", ["c2pa/C.jpg", "c2pa/XCA.jpg", "c2pa/sample1.wav", "c2pa/video1.mp4", "c2pa/mars.webp"]
)
def test_assessments_follow_the_schema(corpus: Path, name: str) -> None:
    answer = assess_file(corpus / name).to_json()
    schema = assessment_schema()
    assert schema["$id"] == answer["schema"] == SCHEMA
    jsonschema.Draft202012Validator(schema).validate(answer)


def test_the_schema_rejects_what_it_should() -> None:
    validator = jsonschema.Draft202012Validator(assessment_schema())
    assert not validator.is_valid({"schema": SCHEMA, "band": "probably fine"})
