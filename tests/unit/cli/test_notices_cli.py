"""``accord election``, ``accord notices triage`` and ``accord statements export``."""

from __future__ import annotations

from pathlib import Path

from tests.unit.cli.conftest import accord


def test_elections_are_registered_and_listed_soonest_first() -> None:
    assert accord("election", "add", "Mayor 2027", "2027-05-06", "--territory", "ie")[0] == 0
    assert accord("election", "add", "Europe 2029", "2029-06-07")[0] == 0
    assert accord("election", "add", "Holyrood 2028", "2028-05-04", "--territory", "GB")[0] == 0
    code, stdout, _ = accord("election", "list")
    assert code == 0
    assert stdout.splitlines() == [
        "2027-05-06\tMayor 2027\tIE",
        "2028-05-04\tHolyrood 2028\tGB",  # any country, not only the EEA's
        "2029-06-07\tEurope 2029\t-",
    ]


def test_bad_elections_get_one_readable_line() -> None:
    cases = {
        ("Mayor", "6 May"): "not a date",
        ("Mayor", "2027-05-06", "--territory", "XX"): "not ISO 3166-1 country codes: XX",
        ("Mayor", "2020-05-06"): "the polling day 2020-05-06 is in the past",
    }
    for arguments, expected in cases.items():
        code, _, stderr = accord("election", "add", *arguments)
        assert code != 0
        assert expected in stderr
        assert len(stderr.strip().splitlines()) == 1
    accord("election", "add", "Mayor", "2027-05-06")
    code, _, stderr = accord("election", "add", "Mayor", "2027-05-07")
    assert code != 0
    assert "exists already" in stderr
    assert accord("election", "add", "Mayor 2020", "2020-05-06", "--held")[0] == 0


def test_triage_and_export_run_on_an_empty_instance(tmp_path: Path) -> None:
    code, stdout, _ = accord("notices", "triage")
    assert (code, stdout.strip()) == (0, "triaged 0 notices")
    target = tmp_path / "statements.csv"
    code, _, stderr = accord("statements", "export", "--csv", "-o", target)
    assert code == 0, stderr
    assert target.read_text().startswith("uuid,decision_visibility,")


def test_submitting_without_a_transparency_database_says_how_to_set_one() -> None:
    code, _, stderr = accord("statements", "submit")
    assert code != 0
    assert "ACCORD_TDB_API_URL" in stderr
    assert len(stderr.strip().splitlines()) == 1
