"""Media types as TAXII's server and client both read them: one parser."""

from __future__ import annotations

import pytest

from accord.sharing.media import is_taxii, parse_media_type


def test_a_media_type_reads_as_its_type_and_parameters() -> None:
    assert parse_media_type('Application/TAXII+json; Version="2.1"; q=0.5') == (
        "application/taxii+json",
        {"version": "2.1", "q": "0.5"},
    )
    assert parse_media_type("text/html") == ("text/html", {})


@pytest.mark.parametrize(
    "content_type",
    [
        "application/taxii+json;version=2.1",
        "application/taxii+json; version=2.1",
        'application/taxii+json;version="2.1"',
        "Application/TAXII+json",
    ],
)
def test_taxii_2_1_is_recognised(content_type: str) -> None:
    assert is_taxii(content_type)


@pytest.mark.parametrize(
    "content_type",
    [None, "", "application/json", "application/taxii+json;version=2.0", "text/html"],
)
def test_anything_else_is_not(content_type: str | None) -> None:
    assert not is_taxii(content_type)
