"""A fresh accord instance on disk for a browser test to serve: migrated, then set up;
and signing in to it in the browser, with the authenticator's code where it asks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from accord.server.db.engine import make_engine, make_session_factory
from accord.server.db.migrate import upgrade
from accord.server.settings import Settings
from tests.authenticator import Authenticator


@contextmanager
def new_instance(data: Path) -> Iterator[tuple[Settings, Session]]:
    """The settings of an instance in ``data`` and a session to set it up, committed when
    the block ends (then ``serve(data)`` runs it)."""
    settings = Settings(data_dir=data)
    data.mkdir(parents=True)
    upgrade(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    try:
        with make_session_factory(engine)() as session:
            yield settings, session
            session.commit()
    finally:
        engine.dispose()


def sign_in(page: Page, base: str, email: str, password: str, phone: Authenticator | None) -> None:
    """Sign in on the login page, then enter ``phone``'s code if the account has one."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if phone is not None:
        page.get_by_label("Code").fill(phone.code())
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
