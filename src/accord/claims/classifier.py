"""The multilingual classifier for paraphrases. (Owned by the classifier work.)"""

from __future__ import annotations

from collections.abc import Sequence

from accord.claims.context import Policy
from accord.claims.text import Text
from accord.claims.verdicts import Category, Reason


class PromptClassifier:
    def probabilities(self, texts: Sequence[str]) -> list[dict[Category, float]]:
        raise NotImplementedError  # the classifier work writes this


def load_classifier() -> PromptClassifier:
    raise NotImplementedError  # the classifier work writes this


def classifier_reasons(model: PromptClassifier, text: Text, policy: Policy) -> list[Reason]:
    raise NotImplementedError  # the classifier work writes this
