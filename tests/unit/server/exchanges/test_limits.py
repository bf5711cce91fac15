"""The bounds a fetch keeps to come from the settings, within what a TAXII server serves."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from accord.server.exchanges.schemas import FetchLimits
from accord.server.settings import Settings


def test_a_page_is_never_asked_larger_than_a_taxii_server_serves(tmp_path: Path) -> None:
    """Past 10,000 (accord's largest page) a page's ids would near the databases' bounds
    on the parameters of one statement."""
    assert Settings(data_dir=tmp_path, exchange_page_objects=10_000).exchange_page_objects
    with pytest.raises(ValidationError, match="exchange_page_objects"):
        Settings(data_dir=tmp_path, exchange_page_objects=10_001)


def test_the_limits_follow_the_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, exchange_fetch_seconds=42, exchange_page_objects=7)
    limits = FetchLimits.of(settings)
    assert (limits.fetch_seconds, limits.page_objects) == (42, 7)
    assert FetchLimits.of(Settings(data_dir=tmp_path)).fetch_seconds == 600
    assert limits.max_identity_lookups == 10
    with pytest.raises(ValidationError, match="exchange_fetch_seconds"):
        Settings(data_dir=tmp_path, exchange_fetch_seconds=0)
