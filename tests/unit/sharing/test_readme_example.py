"""The README's example indicator is what accord writes, and what OASIS's validator takes."""

from __future__ import annotations

import json
from pathlib import Path

from stix2validator import ValidationOptions, validate_instance

from accord.sharing import stix

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_example_is_an_indicator_accord_writes() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index('```json\n{\n  "type": "indicator"') + len("```json\n")
    example = json.loads(text[start : text.index("```", start)])
    assert validate_instance(example, ValidationOptions(version="2.1", strict=True)).is_valid
    read = stix.read_indicator(example)
    written = stix.indicator(
        stix.SharedEntry(
            stix_id=example["id"],
            created=stix.parse_time(example["created"]),
            modified=stix.parse_time(example["modified"]),
            bank="DEEPFAKES",
            entry_id=42,
            kind="deceptive",
            owner="Electoral Commission",
            marking=read.marking or "",
            signals=read.signals,
            labels=read.labels,
            case_reference=read.case_reference,
            note=read.note,
        )
    )
    assert written == example
