"""Notices (DSA Art. 16): who may send what, the acknowledgement and tracking, triage, and
notices about the same content joining one case."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.cases.models import Case, CaseItem
from accord.server.notices.models import Notice
from accord.server.notices.router import NOTICE_TOKEN_HEADER
from accord.server.triage import service as triage_module
from tests.edits import encoded, load_photo, scaled
from tests.integration.notice_action import (
    PLATFORM,
    hire,
    send_notice,
    sign_in,
    sign_out,
    triage,
)


def bridge(corpus: Path) -> Path:
    return corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"


def reencoded_copy(source: Path, target: Path) -> Path:
    """What a re-upload looks like: smaller and JPEG-compressed again."""
    encoded(scaled(load_photo(source), 0.7), "JPEG", 60).save(target, quality=95)
    return target


def test_anyone_may_send_a_notice_and_follow_it_with_its_token(
    client: TestClient, corpus: Path
) -> None:
    sent = send_notice(client, media=bridge(corpus), url="https://videoshare.example/v/1")
    assert sent.status_code == 201, sent.text
    receipt = sent.json()
    assert receipt["tracking_number"].startswith("N-")
    assert receipt["tracking_number"] in receipt["acknowledgement"]
    path = f"/v1/notices/{receipt['tracking_number']}"
    status = client.get(path, headers={NOTICE_TOKEN_HEADER: receipt["status_token"]})
    assert status.status_code == 200
    assert status.json()["status"] == "received"
    assert status.json()["file"] == "aaa-orig.jpg"
    wrong = client.get(path, headers={NOTICE_TOKEN_HEADER: "not-the-token"})
    assert wrong.status_code == 404
    assert wrong.headers["content-type"] == "application/problem+json"
    assert client.get(path).status_code == 404  # neither token nor account


def test_triage_assesses_the_file_and_opens_a_case(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    receipt = send_notice(client, media=bridge(corpus), url="https://videoshare.example/v/1")
    assert triage(client) == 1
    notice = db_session.scalar(
        select(Notice).where(Notice.tracking_number == receipt.json()["tracking_number"])
    )
    assert notice is not None
    assert notice.status == "in_review"
    case = db_session.get(Case, notice.case_id)
    assert case is not None
    assert case.media_kind == "image"
    assert case.band == "no_evidence_either_way"
    assert case.assessment["input"]["sha256"] == notice.media_sha256
    assert case.watch_entry_id is not None  # later copies will find it
    assert triage(client) == 0  # nothing left


def test_notices_about_the_same_content_join_one_case_by_its_signals(
    client: TestClient, db_session: Session, corpus: Path, tmp_path: Path
) -> None:
    first = send_notice(client, media=bridge(corpus), url="https://videoshare.example/v/1")
    copy = reencoded_copy(bridge(corpus), tmp_path / "reupload.jpg")
    second = send_notice(
        client,
        media=copy,
        platform=PLATFORM,
        platform_content_id="v-2",
        uploader="acct-7",
        reach=25_000,
    )
    unrelated = send_notice(client, media=corpus / "pdq" / "misc-images" / "c.png")
    assert {first.status_code, second.status_code, unrelated.status_code} == {201}
    assert triage(client) == 3
    case_of = {
        notice.tracking_number: notice.case_id for notice in db_session.scalars(select(Notice))
    }
    assert case_of[first.json()["tracking_number"]] == case_of[second.json()["tracking_number"]]
    assert case_of[unrelated.json()["tracking_number"]] != case_of[first.json()["tracking_number"]]
    items = db_session.scalars(
        select(CaseItem).where(CaseItem.case_id == case_of[first.json()["tracking_number"]])
    ).all()
    assert sorted((item.url, item.platform_content_id) for item in items) == [
        ("", "v-2"),
        ("https://videoshare.example/v/1", ""),
    ]
    assert max(item.reach for item in items) == 25_000


def test_notices_without_a_file_join_by_location(client: TestClient, db_session: Session) -> None:
    url = "https://videoshare.example/v/9"
    assert send_notice(client, url=url).status_code == 201
    assert send_notice(client, url=url, reach=10).status_code == 201
    triage(client)
    cases = {notice.case_id for notice in db_session.scalars(select(Notice))}
    assert len(cases) == 1


def test_a_notice_must_say_why_confirm_good_faith_and_point_at_something(
    client_with: Callable[..., TestClient], tmp_path: Path
) -> None:
    client = client_with(notices_per_minute_per_address=100)
    cases = {
        "explanation": send_notice(client, url="https://x.example/1", explanation="fake"),
        "good_faith": send_notice(client, url="https://x.example/1", good_faith="false"),
        "give the file": send_notice(client),
        "url": send_notice(client, url="javascript:alert(1)"),
        "'nope' is not an email address": send_notice(
            client, url="https://x.example/1", notifier_email="nope"
        ),
        "your name is required": send_notice(client, url="https://x.example/1", notifier_name=""),
        "reason": send_notice(client, url="https://x.example/1", reason="dislike"),
        "platform": send_notice(client, platform_content_id="123"),
    }
    for expected, answer in cases.items():
        assert answer.status_code in {400, 422}, (expected, answer.text)
        assert expected in answer.text, (expected, answer.text)
    text = tmp_path / "notes.txt"
    text.write_text("not media at all")
    refused = send_notice(client, media=text, url="https://x.example/1")
    assert refused.status_code == 415
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert send_notice(client, media=empty, url="https://x.example/1").status_code in {
        400,
        415,
        422,
    }


def test_only_the_person_or_their_representative_reports_a_deepfake_as_theirs(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    staff = hire(db_session)
    as_mine = {"reason": "deepfake_of_me", "person": staff.jane.id}
    public = send_notice(client, media=bridge(corpus), **as_mine)
    assert public.status_code == 403
    assert "Jane Doe" in public.json()["detail"]
    for speaker in (staff.candidate, staff.representative):
        headers = sign_in(client, speaker)
        sent = send_notice(client, media=bridge(corpus), headers=headers, **as_mine)
        assert sent.status_code == 201, sent.text
    headers = sign_in(client, staff.reviewer)  # staff, but not Jane's
    assert send_notice(client, media=bridge(corpus), headers=headers, **as_mine).status_code == 403
    sign_out(client)
    kinds = [notice.notifier_kind for notice in db_session.scalars(select(Notice))]
    assert kinds == ["protected_person", "protected_person"]


def test_a_signed_in_change_without_the_csrf_token_is_refused(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    staff = hire(db_session)
    sign_in(client, staff.candidate)
    sent = send_notice(client, media=bridge(corpus), reason="deepfake_of_me", person=staff.jane.id)
    assert sent.status_code == 401
    assert "CSRF" in sent.json()["detail"]


def test_a_candidate_sees_only_notices_about_them(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    staff = hire(db_session)
    headers = sign_in(client, staff.representative)
    theirs = send_notice(
        client, media=bridge(corpus), headers=headers, reason="deepfake_of_me", person=staff.jane.id
    ).json()["tracking_number"]
    sign_out(client)
    others = send_notice(client, url="https://x.example/other").json()["tracking_number"]
    sign_in(client, staff.candidate)
    assert client.get(f"/v1/notices/{theirs}").status_code == 200
    assert client.get(f"/v1/notices/{others}").status_code == 403
    sign_in(client, staff.reviewer)
    assert client.get(f"/v1/notices/{others}").status_code == 200


def test_public_notices_are_rate_limited_per_address(
    client_with: Callable[..., TestClient],
) -> None:
    client = client_with(notices_per_minute_per_address=2)
    codes = [send_notice(client, url=f"https://x.example/{n}").status_code for n in range(3)]
    assert codes == [201, 201, 429]


def test_a_partner_key_sends_notices_as_a_trusted_flagger(
    client: TestClient, db_session: Session
) -> None:
    from accord.server.auth.keys import create_key

    _, flagger = create_key(db_session, "factcheck-eu", ["notify", "trusted_flagger"])
    _, matcher = create_key(db_session, "matcher", ["match"])
    db_session.commit()
    sent = send_notice(
        client, url="https://x.example/1", headers={"Authorization": f"Bearer {flagger}"}
    )
    assert sent.status_code == 201
    refused = send_notice(
        client, url="https://x.example/2", headers={"Authorization": f"Bearer {matcher}"}
    )
    assert refused.status_code == 403
    notice = db_session.scalar(select(Notice))
    assert notice is not None
    assert (notice.notifier_kind, notice.notifier_key) == ("trusted_flagger", "factcheck-eu")


def test_an_acknowledged_notice_keeps_its_file_even_if_triage_fails(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    sent = send_notice(client, media=bridge(corpus), url="https://x.example/1")
    notice = db_session.scalar(select(Notice))
    assert notice is not None
    assert notice.media_sha256 is not None
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    stored = runtime.blobs.path_for(notice.media_sha256)
    assert stored.read_bytes() == bridge(corpus).read_bytes()
    stored.unlink()  # the file is lost after the acknowledgement
    assert triage(client) == 1
    db_session.refresh(notice)
    assert notice.status == "in_review"
    assert "could not be read" in notice.triage_error
    assert sent.status_code == 201
    assert notice.case_id is not None  # reviewed all the same, from its location


def test_a_file_that_breaks_the_assessment_still_reaches_review(
    client: TestClient, db_session: Session, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_arguments: object, **_keywords: object) -> None:
        raise ValueError("a decoder choked")  # as a library might on hostile input

    monkeypatch.setattr(triage_module, "assessment_of", broken)
    send_notice(client, media=bridge(corpus), url="https://x.example/1")
    assert triage(client) == 1
    notice = db_session.scalar(select(Notice))
    assert notice is not None
    assert notice.status == "in_review"
    assert notice.triage_error == "the file could not be assessed: ValueError"
    assert notice.case_id is not None
