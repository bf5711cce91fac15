"""``s3://bucket/prefix`` URLs, as ``ACCORD_BLOB_URL`` and the bulk scan's sources give them."""

from __future__ import annotations

import pytest

from accord.server.storage.s3 import parse_s3_url


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("s3://accord-blobs", ("accord-blobs", "")),
        ("s3://accord-blobs/", ("accord-blobs", "")),
        ("s3://accord-blobs/blobs", ("accord-blobs", "blobs")),
        ("s3://accord.blobs/node/one/", ("accord.blobs", "node/one")),
    ],
)
def test_a_bucket_and_its_prefix(url: str, parts: tuple[str, str]) -> None:
    assert parse_s3_url(url) == parts


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://accord-blobs/x", "not an s3:// URL"),
        ("accord-blobs/x", "not an s3:// URL"),
        ("s3://", "no bucket"),
        ("s3://ab", "'ab' is no bucket name"),
        ("s3://-blobs", "'-blobs' is no bucket name"),
        ("s3://blobs/a//b", "an empty folder"),
    ],
)
def test_anything_else_is_refused_in_words(url: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_s3_url(url)
