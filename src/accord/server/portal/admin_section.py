"""One shape for every admin section (organizations, users, people, elections, webhooks):
a page that lists things, with forms that change them.

A refused form shows the same page again, at the error's status, with the reason and what
was typed; an accepted one goes back to the list with a confirmation (post, redirect,
get). A change whose answer shows something only once (a secret) answers the page itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from accord.errors import AccordError
from accord.server.auth.roles import Role
from accord.server.portal.routing import portal, see_other
from accord.server.portal.viewer import Viewer, check_form, viewer
from accord.server.problems import status_for

#: What a section's page shows besides the form: read when the page is drawn.
Listing = Callable[[Session], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class AdminSection:
    """``path`` (``/admin/...``) draws ``template`` with what ``listing`` reads; ``done``:
    what the page says after each change, fixed words picked by a key, so an address
    cannot make the page say anything else."""

    path: str
    template: str
    listing: Listing
    done: Mapping[str, str]

    def show(self, request: Request, session: Session, done: str = "") -> Response:
        """The page, for an admin: after a change, with its confirmation."""
        found = viewer(request, session, Role.ADMIN)
        return self.page(request, session, found, done=self.done.get(done))

    def page(
        self,
        request: Request,
        session: Session,
        found: Viewer,
        *,
        error: str | None = None,
        status: int = 200,
        form: Mapping[str, str] | None = None,
        done: str | None = None,
        **shown: Any,
    ) -> Response:
        context = {**self.listing(session), **shown}
        return portal().render(
            request, self.template, viewer=found, status=status, error=error, done=done,
            form=form or {}, **context,
        )  # fmt: skip

    def admin(self, request: Request, session: Session, csrf_token: str) -> Viewer:
        """The admin sending a form, which must carry their CSRF token."""
        found = viewer(request, session, Role.ADMIN)
        check_form(request, csrf_token)
        return found

    def change(
        self,
        request: Request,
        session: Session,
        csrf_token: str,
        change: Callable[[Viewer], object],
        *,
        done: str,
        form: Mapping[str, str] | None = None,
    ) -> Response:
        """Make ``change`` as the admin, then back to the list saying ``done``; refused, the
        page again with the reason and ``form`` (what was typed)."""
        found = self.admin(request, session, csrf_token)
        try:
            change(found)
        except AccordError as error:
            return self.refused(request, session, found, error, form)
        return see_other(f"{self.path}?done={done}")

    def change_and_show(
        self,
        request: Request,
        session: Session,
        csrf_token: str,
        change: Callable[[Viewer], Mapping[str, Any]],
        *,
        form: Mapping[str, str],
    ) -> Response:
        """Make ``change``, and answer the page (201) with what it returns to show once: not
        a redirect, which would have to carry a secret in the address."""
        found = self.admin(request, session, csrf_token)
        try:
            shown = change(found)
        except AccordError as error:
            return self.refused(request, session, found, error, form)
        return self.page(request, session, found, status=201, **shown)

    def refused(
        self,
        request: Request,
        session: Session,
        found: Viewer,
        error: AccordError,
        form: Mapping[str, str] | None = None,
    ) -> Response:
        """Undo what the refused change did, and show why."""
        session.rollback()
        return self.page(
            request, session, found, error=error.detail, status=status_for(error), form=form
        )
