"""The rules: protected people, voting dates and means, official impersonation.
(Owned by the rules work.)"""

from __future__ import annotations

from accord.claims.context import Context
from accord.claims.text import Text
from accord.claims.verdicts import Reason, Tool


def rule_reasons(text: Text, tool: Tool, language: str, context: Context) -> list[Reason]:
    raise NotImplementedError  # the rules work writes this


def on_topic(text: Text, context: Context) -> bool:
    """Whether the prompt touches elections at all: the classifier is asked only then."""
    raise NotImplementedError  # the rules work writes this
