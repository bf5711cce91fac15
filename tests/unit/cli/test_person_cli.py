"""``accord person``: register protected people with reference photos; assessments of this
instance then recognise them."""

from __future__ import annotations

import json
from pathlib import Path

from accord.cli.main import app
from tests.speech import SENTENCES, require_voice_model, speak
from tests.unit.cli.conftest import accord, runner


def test_registered_people_are_recognised_by_assess(faces: Path, corpus: Path) -> None:
    assert accord("election", "add", "2028 presidential", "2028-11-07")[0] == 0
    code, stdout, stderr = accord(
        "person", "add", "Barack Obama", "--role", "candidate for president",
        "--election", "2028 presidential", "--alias", "Obama", "--photo", faces / "obama.jpg",
        "--consent",
    )  # fmt: skip
    assert code == 0, stderr
    person_id, name, where, count = stdout.strip().split("\t")
    assert (name, where, count) == (
        "Barack Obama",
        "candidate for president, 2028 presidential",
        "1 reference face(s)",
    )
    code, stdout, stderr = accord("person", "photo", "barack obama", faces / "obama2.jpg")
    assert code == 0, stderr
    code, stdout, _ = accord("person", "list")
    assert stdout.strip().split("\t")[-1] == "2 reference face(s)"

    code, stdout, _ = accord("assess", "--json", faces / "obama3.jpg")
    answer = json.loads(stdout)
    assert [p["person_id"] for p in answer["protected_people"]] == [person_id]
    assert answer["priority_review"] is True
    code, stdout, _ = accord("assess", "--json", corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")
    assert json.loads(stdout)["protected_people"] == []


def test_bad_reference_photos_are_refused_and_nothing_is_kept(faces: Path, corpus: Path) -> None:
    added = accord("person", "add", "Barack Obama", "--photo", faces / "obama.jpg", "--consent")
    assert added[0] == 0
    cases = [
        (("add", "Joe Biden", "--photo", faces / "biden.jpg", "--photo", faces / "obama2.jpg",
          "--consent"), "shows Barack Obama"),
        (("add", "Nobody", "--photo", corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg",
          "--consent"), "found no face"),
        (("add", "Kamala Harris", "--photo", faces / "biden.jpg"), "no consent"),
        (("photo", "Barack Obama", faces / "obama.jpg"), "already a reference photo"),
        (("photo", "Someone Else", faces / "biden.jpg"), "no protected person"),
    ]  # fmt: skip
    for args, reason in cases:
        code, _, stderr = accord("person", *args)
        assert code == 1, args
        assert stderr.startswith("accord: error: ")
        assert reason in stderr, stderr
    _, stdout, _ = accord("person", "list")
    assert [line.split("\t")[1] for line in stdout.splitlines()] == ["Barack Obama"]


def test_who_may_report_for_a_protected_person(faces: Path) -> None:
    passphrase = "a long enough passphrase\n"  # noqa: S105 - test accounts'
    for org, kind in (("EC", "election_authority"), ("Campaign", "campaign")):
        assert accord("org", "create", org, "--kind", kind)[0] == 0
    for email, org, role in (
        ("admin@ec.example", "EC", "admin"),
        ("clerk@ec.example", "EC", "reviewer"),
        ("jane@campaign.example", "Campaign", "protected_person"),
        ("staff@campaign.example", "Campaign", "representative"),
        ("admin@campaign.example", "Campaign", "admin"),
    ):
        made = runner.invoke(
            app, ["user", "create", email, "--org", org, "--role", role], input=passphrase
        )
        assert made.exit_code == 0, made.stderr
    assert accord("person", "add", "Jane Doe", "--photo", faces / "obama.jpg", "--consent")[0] == 0

    refusals = [
        (("verify", "Jane Doe", "--by", "clerk@ec.example"), "only an election authority"),
        (("verify", "Jane Doe", "--by", "admin@campaign.example"), "only an election authority"),
        (("link", "Jane Doe", "staff@campaign.example"), "not a protected person's account"),
        (("authorize", "Jane Doe", "jane@campaign.example"), "not a representative"),
        (("revoke", "Jane Doe", "staff@campaign.example"), "does not represent"),
        (("link", "Jane Doe", "nobody@example.org"), "no user has the email"),
    ]
    for args, reason in refusals:
        code, _, stderr = accord("person", *args)
        assert code == 1, args
        assert reason in stderr, stderr

    steps = [
        (("verify", "Jane Doe", "--by", "admin@ec.example"), "verified Jane Doe"),
        (("link", "Jane Doe", "jane@campaign.example"), "is Jane Doe's own account"),
        (("authorize", "Jane Doe", "staff@campaign.example"), "may report for Jane Doe"),
        (("revoke", "Jane Doe", "staff@campaign.example"), "no longer reports for Jane Doe"),
    ]
    for args, said in steps:
        code, stdout, stderr = accord("person", *args)
        assert code == 0, stderr
        assert said in stdout


def test_a_registered_voice_is_recognised_by_assess(tmp_path: Path) -> None:
    require_voice_model()
    reference = speak(tmp_path, "reference", "en+m7", SENTENCES[0])
    robocall = speak(tmp_path, "robocall", "en+m7", SENTENCES[1])
    code, stdout, stderr = accord("person", "add", "Jane Doe", "--consent", "--voice", reference)
    assert code == 0, stderr
    assert stdout.strip().endswith("0 reference face(s), 1 voice(s)")
    code, stdout, _ = accord("assess", "--json", robocall)
    [person] = json.loads(stdout)["protected_people"]
    assert (person["name"], person["by"]) == ("Jane Doe", "voice")
    short = speak(tmp_path, "short", "en+m7", "Vote.")
    code, _, stderr = accord("person", "voice", "Jane Doe", short)
    assert code != 0
    assert "short.wav" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert accord("person", "list")[1].strip().endswith("1 voice(s)")  # nothing kept
