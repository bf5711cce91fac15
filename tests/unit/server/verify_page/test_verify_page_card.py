"""The Verify page's card: the verify API's JSON in plain words, and how it renders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from accord.server.rates import SharedBuckets
from accord.server.settings import Settings
from accord.server.verify_page.card import build_card
from accord.server.verify_page.rendering import VerifyPage
from accord.server.verify_page.throttle import ClientLimiter
from accord.server.verify_page.words import Origin

RECORD = "0123456789abcdef0123456789abcdef"


def thumbnail(record_id: str) -> str:
    return f"/thumb/{record_id}"


def answer(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "state": "invalid",
        "headline": "Content Credentials from Newsroom are present but invalid.",
        "credential": {
            "title": "Rally",
            "tool": "Camera app 2.1",
            "signer": "Newsroom",
            "signer_name": "Newsroom signing",
            "signed_at": "2026-11-30T20:41:07+01:00",
            "algorithm": "es256",
            "actions": ["c2pa.opened", "c2pa.cropped", "com.example.sharpen"],
            "source_types": ["compositeWithTrainedAlgorithmicMedia", "somethingNew"],
            "ingredients": [
                {"title": "a.jpg", "relationship": "parentOf", "had_credentials": True},
                {
                    "title": None,
                    "relationship": "componentOf",
                    "had_credentials": True,
                    "problems": [{"code": "assertion.dataHash.mismatch", "meaning": "changed"}],
                },
                {"title": "c.jpg", "relationship": "inputTo", "had_credentials": False},
            ],
        },
        "problems": [
            {"code": "signingCredential.untrusted", "meaning": "not trusted here"},
            {"code": "assertion.dataHash.mismatch", "meaning": "the content changed"},
        ],
        "remote_url": None,
        "limits": "What no result proves.",
        "originals": [],
    }
    return {**base, **changes}


def test_the_card_says_what_the_credentials_declare() -> None:
    card = build_card(answer(), "rally.jpg", thumbnail)
    assert (card.badge.tone, card.badge.label) == ("invalid", "Invalid")
    assert card.badge.words == "Invalid: the content changed."
    assert [problem.code for problem in card.problems] == [
        "assertion.dataHash.mismatch",
        "signingCredential.untrusted",
    ]
    assert card.signed_at == "30 November 2026, 19:41 UTC"
    assert card.actions == ("Opened from an existing file", "Cropped", "com.example.sharpen")
    assert [source.origin for source in card.sources] == [Origin.AI, Origin.OTHER]
    assert card.sources[1].words == "somethingNew"
    assert card.made_by_ai
    assert [(i.title, i.relationship, i.valid) for i in card.ingredients] == [
        ("a.jpg", "The original it was made from", True),
        ("Untitled", "A part placed into it", False),
        ("c.jpg", "An input used to make it", None),
    ]
    assert card.watermark is None  # the answer says nothing about watermarks


@pytest.mark.parametrize(
    ("state", "label"),
    [
        ("trusted", "Trusted"),
        ("valid", "Valid but unknown signer"),
        ("remote", "Not checked"),
        ("revoked", "Revoked"),  # never "Trusted": its issuer withdrew it
        ("none", "No credentials"),
        ("something-new", "No credentials"),
    ],
)
def test_every_state_has_a_badge(state: str, label: str) -> None:
    assert build_card(answer(state=state), None, thumbnail).badge.label == label


def test_originals_and_watermarks_name_their_records() -> None:
    original = {
        "record_id": RECORD,
        "title": "Bridge",
        "issuer": "Electoral Commission",
        "signed_at": "2026-11-30T21:50:00",
        "signal_type": "pdq_dihedral",
        "distance": 4,
    }
    card = build_card(
        answer(
            state="none", credential=None, originals=[original], watermark={"record_id": RECORD}
        ),
        "copy.jpg",
        thumbnail,
    )
    assert not card.has_credentials
    [shown] = card.originals
    assert shown.signed_on == "30 November 2026, 21:50 UTC"
    assert shown.matched_by == "the same picture, turned or mirrored"
    assert shown.thumbnail_url == f"/thumb/{RECORD}"
    assert card.watermark is not None
    # The record is pictured once, among the originals.
    assert (card.watermark.record_id, card.watermark.thumbnail_url) == (RECORD, None)
    alone = build_card(answer(watermark={"record_id": RECORD}), None, thumbnail).watermark
    assert alone is not None
    assert alone.thumbnail_url == f"/thumb/{RECORD}"
    unmarked = build_card(answer(watermark=None), None, thumbnail).watermark
    assert unmarked is not None
    assert unmarked.record_id is None


class Unlimited:
    """Rate limits that never refuse: rendering does not count."""

    def take(self, key: str, per_minute: int) -> float:
        return 0.0

    def close(self) -> None:
        pass


def render(card_answer: dict[str, Any], **headers: str) -> str:
    page = VerifyPage(Settings(env="test"), Unlimited())
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/verify",
        "root_path": "",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
    }
    card = build_card(card_answer, "<b>x</b>.jpg", thumbnail)
    return bytes(page.render(Request(scope), card=card).body).decode()


def test_a_watermark_is_shown_with_its_record_and_picture() -> None:
    html = render(
        answer(watermark={"record_id": RECORD, "confidence": 0.99}), **{"HX-Request": "true"}
    )
    assert f"An invisible accord watermark names record {RECORD}." in html
    assert f'<img src="/thumb/{RECORD}"' in html
    assert "&lt;b&gt;x&lt;/b&gt;.jpg" in html
    assert "<html" not in html
    assert "No accord watermark was found" in render(answer(watermark=None))
    assert "Watermark" not in render(answer())


def test_the_limiter_counts_each_address_apart(tmp_path: Path) -> None:
    limits = SharedBuckets(tmp_path / "rate-limits")
    limiter = ClientLimiter(limits, per_minute=2)
    assert [limiter.take("198.51.100.1") for _ in range(2)] == [0.0, 0.0]
    assert limiter.take("198.51.100.1") > 0
    assert limiter.take("198.51.100.2") == 0.0
    assert limiter.take("2001:db8:1:2::1") == limiter.take("2001:db8:1:2::2") == 0.0
    assert limiter.take("2001:db8:1:2::3") > 0  # one /64 is one client
    limits.close()
