"""``accord org`` and ``accord user``: the first admin, and invitations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from accord.cli.main import app
from accord.errors import AccountLocked
from accord.server.accounts import second_factor
from accord.server.accounts.lockout import MAX_FAILED_LOGINS, check_not_locked, record_failure
from accord.server.accounts.service import find_user
from accord.server.db.base import utc_now
from accord.server.db.engine import make_engine, make_session_factory
from accord.server.mail.models import MailMessage
from accord.server.settings import Settings
from tests.authenticator import enrol_in
from tests.unit.cli.conftest import accord, runner


def test_an_authority_its_first_admin_and_an_invitation() -> None:
    code, stdout, stderr = accord(
        "org", "create", "Electoral Commission", "--kind", "election_authority"
    )
    assert (code, stdout.strip()) == (
        0,
        "organization Electoral Commission (election_authority)",
    ), stderr
    made = runner.invoke(
        app,
        ["user", "create", "Ada@Example.org", "--org", "Electoral Commission", "--role", "admin"],
        input="a long enough passphrase\n",
    )
    assert made.exit_code == 0, made.stderr
    assert made.stdout.strip() == "user ada@example.org (admin) in Electoral Commission"
    code, stdout, stderr = accord(
        "user", "invite", "grace@example.org", "--org", "Electoral Commission", "--role", "reviewer"
    )
    assert code == 0
    assert stdout.startswith("invitation for grace@example.org as reviewer: /invitations/")
    assert len(stdout.strip().rsplit("/", 1)[1]) >= 40  # a random token
    # Without ACCORD_PUBLIC_URL the address is not known here: the person is told so.
    assert stderr.startswith("accord: note: put the server's address before the path")


def test_an_invitation_is_a_whole_address_where_the_public_url_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCORD_PUBLIC_URL", "https://accord.example.org")
    accord("org", "create", "EC", "--kind", "election_authority")
    code, stdout, stderr = accord(
        "user", "invite", "grace@example.org", "--org", "EC", "--role", "reviewer"
    )
    assert (code, stderr) == (0, "")
    link = stdout.strip().rsplit(" ", 1)[1]
    assert link.startswith("https://accord.example.org/invitations/")


def test_mistakes_get_one_readable_line() -> None:
    cases = [
        ("org", "create", "X", "--kind", "government"),
        ("user", "invite", "a@b.org", "--org", "Nowhere", "--role", "reviewer"),
    ]
    for args in cases:
        code, _, stderr = accord(*args)
        assert code == 1, args
        assert stderr.startswith("accord: error: ")
        assert len(stderr.strip().splitlines()) == 1
    accord("org", "create", "P", "--kind", "platform")
    weak = runner.invoke(
        app, ["user", "create", "a@p.org", "--org", "P", "--role", "admin"], input="short\n"
    )
    assert weak.exit_code == 1
    assert "at least 15 characters long; this one has 5" in weak.stderr


def test_users_are_deactivated_and_webhooks_paused_from_the_shell() -> None:
    accord("org", "create", "EC", "--kind", "election_authority")
    runner.invoke(
        app,
        ["user", "create", "ada@example.org", "--org", "EC", "--role", "reviewer"],
        input="a long enough passphrase\n",
    )
    assert accord("user", "deactivate", "ada@example.org")[1].strip() == (
        "user ada@example.org deactivated"
    )
    assert accord("user", "activate", "ada@example.org")[1].strip() == "user ada@example.org active"
    code, _, stderr = accord("user", "deactivate", "nobody@example.org")
    assert code != 0
    assert "no user has the email" in stderr
    assert accord("webhook", "add", "videoshare", "https://videoshare.example/hook")[0] == 0
    assert accord("webhook", "disable", "videoshare")[1].strip() == "webhook videoshare disabled"
    assert "\tdisabled" in accord("webhook", "list")[1]
    assert accord("webhook", "enable", "videoshare")[1].strip() == "webhook videoshare enabled"
    code, _, stderr = accord("webhook", "enable", "nosuch")
    assert code != 0
    assert "no webhook is named" in stderr


def test_users_are_listed_with_their_organization_and_state() -> None:
    accord("org", "create", "EC", "--kind", "election_authority")
    accord("org", "create", "Videoshare", "--kind", "platform")
    for email, org, name in [
        ("grace@example.org", "Videoshare", ""),
        ("ada@example.org", "EC", "Ada Lovelace"),
    ]:
        made = runner.invoke(
            app,
            ["user", "create", email, "--org", org, "--role", "reviewer", "--name", name],
            input="a long enough passphrase\n",
        )
        assert made.exit_code == 0, made.stderr
    accord("user", "deactivate", "grace@example.org")
    code, stdout, _ = accord("user", "list")
    assert code == 0
    assert stdout.splitlines() == [
        "ada@example.org\tAda Lovelace\treviewer\tEC\tactive",
        "grace@example.org\t-\treviewer\tVideoshare\tdeactivated",
    ]
    code, stdout, _ = accord("user", "list", "--json")
    assert json.loads(stdout.splitlines()[0]) == {
        "email": "ada@example.org",
        "name": "Ada Lovelace",
        "role": "reviewer",
        "organization": "EC",
        "active": True,
    }


def test_an_admin_ends_a_lockout_anyone_could_have_started(data_dir: Path) -> None:
    assert accord("user", "list")[0] == 0  # a migrated, empty instance
    sessions = make_session_factory(make_engine(Settings(data_dir=data_dir).effective_database_url))
    now = utc_now()
    with sessions() as session, session.begin():
        for _ in range(MAX_FAILED_LOGINS):
            record_failure(session, "ada@example.org", now)
    with sessions() as session, pytest.raises(AccountLocked):
        check_not_locked(session, "ada@example.org", now)
    assert accord("user", "unlock", "Ada@Example.org")[1].strip() == (
        "ada@example.org may sign in again"
    )
    with sessions() as session:
        check_not_locked(session, "ada@example.org", now)


def test_an_operator_resets_a_lost_second_factor_from_the_console(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_SMTP_HOST", "127.0.0.1")  # mail is queued, not sent here
    accord("org", "create", "EC", "--kind", "election_authority")
    made = runner.invoke(
        app,
        ["user", "create", "ada@example.org", "--org", "EC", "--role", "admin"],
        input="a long enough passphrase\n",
    )
    assert made.exit_code == 0, made.stderr
    enrol_in(data_dir, "ada@example.org")
    sessions = make_session_factory(make_engine(Settings(data_dir=data_dir).effective_database_url))
    with sessions() as session:
        assert second_factor.confirmed(session, find_user(session, "ada@example.org"))

    code, stdout, _ = accord("user", "reset-second-factor", "Ada@Example.org")
    assert (code, stdout.strip()) == (
        0,
        "ada@example.org sets up a new second factor at their next sign-in",
    )
    with sessions() as session:
        assert second_factor.confirmed(session, find_user(session, "ada@example.org")) is None
        subjects = session.scalars(select(MailMessage.subject)).all()
    assert any("reset from the server's console" in subject for subject in subjects)

    code, _, stderr = accord("user", "reset-second-factor", "nobody@example.org")
    assert code != 0
    assert len(stderr.strip().splitlines()) == 1
