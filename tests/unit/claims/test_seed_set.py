"""The seed set the classifier's head is fitted on: well formed, four languages, balanced,
and a held-out split of about a fifth in every label and language."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from accord.claims.training import LABELS, SEED_PATH, parse_example, read_seed, train_sha256
from accord.claims.verdicts import LANGUAGES
from accord.errors import BadRequest


def test_every_line_is_an_example_in_a_screened_language() -> None:
    examples = read_seed()
    assert len(examples) >= 320
    assert {example.language for example in examples} == set(LANGUAGES)
    assert {example.label for example in examples} == set(LABELS)
    assert "protected_person" not in LABELS  # names are instance data: the rules' job


def test_no_prompt_appears_twice() -> None:
    texts = [example.text.casefold().strip() for example in read_seed()]
    assert len(texts) == len(set(texts))


def test_each_language_has_enough_of_every_label_and_more_benign_than_harmful() -> None:
    counts = Counter((example.language, example.label) for example in read_seed())
    for language in LANGUAGES:
        assert sum(counts[language, label] for label in LABELS) >= 80
        assert counts[language, "voting_process"] >= 20
        assert counts[language, "official_impersonation"] >= 20
        harmful = counts[language, "voting_process"] + counts[language, "official_impersonation"]
        assert counts[language, "benign"] >= harmful


def test_about_a_fifth_of_every_label_and_language_is_held_out() -> None:
    examples = read_seed()
    for language in LANGUAGES:
        for label in LABELS:
            group = [e for e in examples if e.language == language and e.label == label]
            share = sum(e.split == "heldout" for e in group) / len(group)
            assert 0.12 <= share <= 0.28, (language, label, share)


def test_a_line_with_an_unknown_label_is_refused_with_its_place() -> None:
    line = json.dumps(
        {"text": "x", "label": "protected_person", "language": "en", "split": "train"}
    )
    with pytest.raises(BadRequest, match=r"seed\.jsonl line 7 has label 'protected_person'"):
        parse_example(line, "seed.jsonl line 7")
    with pytest.raises(BadRequest, match="line 2 is not a seed example"):
        parse_example('{"text": "x"}', "line 2")


def test_the_train_hash_follows_train_lines_only(tmp_path: Path) -> None:
    lines = SEED_PATH.read_text(encoding="utf-8").splitlines()
    copy = tmp_path / "seed.jsonl"
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert train_sha256(copy) == train_sha256(SEED_PATH)

    heldout = next(i for i, line in enumerate(lines) if '"heldout"' in line)
    edited = [*lines]
    edited[heldout] = edited[heldout].replace('"text": "', '"text": "Edited: ', 1)
    copy.write_text("\n".join(edited) + "\n", encoding="utf-8")
    assert train_sha256(copy) == train_sha256(SEED_PATH)

    train = next(i for i, line in enumerate(lines) if '"train"' in line)
    edited[train] = edited[train].replace('"text": "', '"text": "Edited: ', 1)
    copy.write_text("\n".join(edited) + "\n", encoding="utf-8")
    assert train_sha256(copy) != train_sha256(SEED_PATH)
