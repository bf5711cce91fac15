"""``accord bank create --share``, ``bank share``, ``bank update``, partner keys, opinions
in the export, and HMA's file format in and out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from accord.cli.local import local_database, transaction
from tests.unit.cli.conftest import accord

BRIDGE_PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def one_line_error(result: tuple[int, str, str]) -> str:
    code, _, err = result
    assert code == 1
    assert err.count("\n") == 1, err
    assert err.startswith("accord: error: ")
    return err


def test_a_bank_is_shared_listed_and_unshared() -> None:
    code, out, err = accord("bank", "create", "FAKES", "--share", "--owner", "EC")
    assert code == 0, err
    assert "created bank FAKES (deceptive), shared as the TAXII collection " in out
    collection = out.strip().rsplit(" ", 1)[1]
    assert json.loads(accord("bank", "show", "FAKES")[1])["collection_id"] == collection
    accord("bank", "create", "LOCAL")
    listed = accord("bank", "list")[1].splitlines()
    assert listed[0].startswith("FAKES\t")
    assert listed[0].endswith("\tshared")
    assert listed[1].startswith("LOCAL\t")
    assert listed[1].endswith("\tnot shared")

    code, out, _ = accord("bank", "share", "FAKES", "--off")
    assert code == 0
    assert out == (
        "bank FAKES is no longer shared; partners keep what they fetched "
        "and get no updates until it is shared again\n"
    )
    code, out, _ = accord("bank", "share", "FAKES")
    assert out == f"bank FAKES is shared as the TAXII collection {collection} (TLP:AMBER)\n"
    assert json.loads(accord("bank", "list", "--json")[1].splitlines()[0])["shared"] is True


def test_red_is_refused_in_one_line() -> None:
    err = one_line_error(accord("bank", "create", "SECRET", "--marking", "red", "--share"))
    assert "bank SECRET is marked TLP:RED, which never leaves this instance; " in err
    assert accord("bank", "show", "SECRET")[0] == 1  # nothing was created

    accord("bank", "create", "SECRET", "--marking", "TLP:RED")
    err = one_line_error(accord("bank", "share", "SECRET"))
    assert "bank SECRET is marked TLP:RED, which never leaves this instance; " in err

    accord("bank", "create", "FAKES", "--share")
    err = one_line_error(accord("bank", "update", "FAKES", "--marking", "TLP:RED"))
    assert "stop sharing it first (accord bank share FAKES --off)" in err
    assert accord("bank", "share", "FAKES", "--off")[0] == 0
    assert accord("bank", "update", "FAKES", "--marking", "TLP:RED")[0] == 0
    assert json.loads(accord("bank", "show", "FAKES")[1])["marking"] == "TLP:RED"


def test_the_false_positive_limit_is_set_and_cleared() -> None:
    assert accord("bank", "create", "FAKES", "--false-positive-limit", "2")[0] == 0
    assert json.loads(accord("bank", "show", "FAKES")[1])["false_positive_limit"] == 2
    code, out, _ = accord("bank", "update", "FAKES", "--false-positive-limit", "0")
    assert code == 0
    assert out == "updated bank FAKES: false_positive_limit\n"
    assert json.loads(accord("bank", "show", "FAKES")[1])["false_positive_limit"] is None
    assert accord("bank", "update", "FAKES", "--false-positive-limit", "-1")[0] == 2  # usage
    one_line_error(accord("bank", "update", "FAKES"))


def test_partner_keys() -> None:
    code, out, err = accord(
        "key", "create", "platform-a", "--scope", "share",
        "--partner-of", "Electoral Commission", "--partner-of", "Fact Hub",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("acc_")
    listed = accord("key", "list")[1]
    assert "\tshare\t" in listed
    assert listed.rstrip("\n").endswith("\tpartner of Electoral Commission, Fact Hub")

    err = one_line_error(
        accord("key", "create", "curator", "--scope", "curate", "--partner-of", "EC")
    )
    assert "only a key with the 'share' scope is a partner of an owner" in err
    assert "curator" not in accord("key", "list")[1]
    assert "share (a partner reading shared banks" in accord("key", "create", "--help")[1]


def test_the_export_carries_partners_opinions() -> None:
    from accord.server.banks import service
    from accord.sharing import stix

    accord("bank", "create", "FAKES", "--share", "--owner", "EC")
    accord("bank", "add", "FAKES", "--signal", f"pdq={BRIDGE_PDQ}")
    with local_database() as database, transaction(database) as session:
        bank = service.get_bank(session, "FAKES")
        entry_id = service.list_entries(session, bank)[0].id
        indicator = service.entry_indicators(session, [entry_id])[entry_id]
        for partner, verdict in (
            ("Platform A", stix.Verdict.TRUE_POSITIVE),
            ("Platform B", stix.Verdict.FALSE_POSITIVE),
        ):
            body = stix.opinion(
                indicator, verdict, author=partner, note="", created=datetime.now(UTC)
            )
            service.record_opinion(session, bank, partner, stix.read_opinion(body))

    code, out, _ = accord("bank", "export", "FAKES")
    assert code == 0
    (line,) = [json.loads(text) for text in out.splitlines()]
    assert line["disputed"] is True
    assert [(o["partner"], o["verdict"]) for o in line["opinions"]] == [
        ("Platform A", "true_positive"),
        ("Platform B", "false_positive"),
    ]


def test_hma_files_round_trip(tmp_path: Path) -> None:
    accord("bank", "create", "FAKES")
    accord(
        "bank", "add", "FAKES", "--signal", f"pdq={BRIDGE_PDQ}", "--signal", "md5=" + "ab" * 16,
        "--label", "deepfake", "--note", "lost in HMA's format", "--case", "C-1",
    )  # fmt: skip
    accord("bank", "add", "FAKES", "--signal", "sha256=" + "cd" * 32)
    exported = tmp_path / "fakes.txt"
    assert accord("bank", "export", "FAKES", "--format", "hma", "-o", exported)[0] == 0
    lines = sorted(exported.read_text().splitlines())
    assert lines == sorted([f"pdq {BRIDGE_PDQ}", "video_md5 " + "ab" * 16, "sha256 " + "cd" * 32])

    accord("bank", "create", "COPY")
    code, out, _ = accord("bank", "import", "COPY", exported)
    assert code == 0
    assert out == "added 3 entries to COPY; rejected 0 lines\n"
    copied = [json.loads(text) for text in accord("bank", "export", "COPY")[1].splitlines()]
    # One entry per line: an entry's several signals come back as separate entries, and
    # labels, notes and case references do not travel in HMA's format.
    assert sorted(signal for entry in copied for signal in entry["signals"].items()) == sorted(
        [("pdq", BRIDGE_PDQ), ("md5", "ab" * 16), ("sha256", "cd" * 32)]
    )
    assert {(tuple(e["labels"]), e["note"], e["case_reference"]) for e in copied} == {
        ((), "", None)
    }
    again = tmp_path / "again.txt"
    accord("bank", "export", "COPY", "--format", "hma", "-o", again)
    assert sorted(again.read_text().splitlines()) == lines


def test_the_hma_file_leaves_out_entries_that_do_not_match(tmp_path: Path) -> None:
    accord("bank", "create", "FAKES")
    for number in (1, 2, 3):
        accord("bank", "add", "FAKES", "--signal", f"pdq={number:064x}")
    assert accord("bank", "disable", "FAKES", "--entry", "2")[0] == 0
    until = "2999-01-01T00:00:00+00:00"
    assert accord("bank", "disable", "FAKES", "--entry", "3", "--until", until)[0] == 0
    exported = tmp_path / "fakes.txt"
    assert accord("bank", "export", "FAKES", "--format", "hma", "-o", exported)[0] == 0
    # HMA's format has no disabled state: an entry off here would match there.
    assert exported.read_text() == f"pdq {1:064x}\n"
    assert len(accord("bank", "export", "FAKES")[1].splitlines()) == 3  # JSON lines keep all
