"""``accord alert add | list | remove``: recipients from the shell, and bad input refused
in one line."""

from __future__ import annotations

import pytest

from tests.unit.cli.conftest import MASTER_KEY, accord


@pytest.fixture(autouse=True)
def instance(tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh instance of this test's own: data folder and master key."""
    monkeypatch.setenv("ACCORD_DATA_DIR", str(tmp_path / "data"))  # type: ignore[operator]
    monkeypatch.setenv("ACCORD_MASTER_KEY", MASTER_KEY)
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    monkeypatch.delenv("ACCORD_SMTP_HOST", raising=False)


def test_recipients_are_added_listed_and_removed() -> None:
    code, stdout, stderr = accord("alert", "add", "Ops@Example.org", "--event", "sla_breach")
    assert (code, stdout.strip()) == (0, "alert recipient 1: ops@example.org (sla_breach)")
    assert "no mail is sent until ACCORD_SMTP_HOST is set" in stderr
    code, stdout, _ = accord("alert", "add", "https://pager.example/hook")
    assert code == 0
    first, secret = stdout.strip().splitlines()
    assert first.startswith("alert recipient 2: https://pager.example/hook (")
    assert "tdb_backlog" in first
    assert len(secret.rsplit(": ", 1)[1]) == 64
    # Its webhook hears alerts, and no platform's content.
    assert "alerts-2\thttps://pager.example/hook\tAlerts\tenabled" in accord("webhook", "list")[1]
    listed = accord("alert", "list")[1].strip().splitlines()
    assert [line.split("\t")[:3] for line in listed] == [
        ["1", "ops@example.org", "sla_breach"],
        ["2", "https://pager.example/hook", "sla_breach,dead_letters,index_stale,tdb_backlog"],
    ]
    assert listed[0].split("\t")[3].startswith("cli")
    assert accord("alert", "remove", "1")[1].strip() == "alert recipient 1 removed: ops@example.org"
    assert [line.split("\t")[0] for line in accord("alert", "list")[1].splitlines()] == ["2"]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("add", "not an address"), "is neither an email address nor an http(s) URL"),
        (("add", "ops@localhost"), "is neither an email address nor an http(s) URL"),
        (("add", "https:// spaces.example/x"), "is not a URL"),
        (("add", "ops@example.org", "--event", "fire"), "unknown alert event 'fire'"),
        (("remove", "99"), "no alert recipient has the id 99"),
    ],
)
def test_bad_input_gets_one_line_and_a_failing_exit(args: tuple[str, ...], reason: str) -> None:
    code, stdout, stderr = accord("alert", *args)
    assert code == 1
    assert stdout == ""
    assert stderr.startswith("accord: error: ")
    assert reason in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_one_address_is_added_once() -> None:
    assert accord("alert", "add", "ops@example.org")[0] == 0
    code, _, stderr = accord("alert", "add", "OPS@example.org")
    assert code == 1
    assert "ops@example.org receives alerts already" in stderr
