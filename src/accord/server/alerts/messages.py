"""What an alert says: by mail and as a webhook event. It names the problem, since when,
and where to look; never a notifier or any other personal data."""

from __future__ import annotations

from typing import Any

from accord.server.alerts.models import Incident
from accord.server.settings import Settings


def where(incident: Incident, settings: Settings) -> str:
    """The incident's link: a whole address where ``ACCORD_PUBLIC_URL`` is set."""
    return f"{settings.public_url or ''}{incident.link}"


def opened_mail(incident: Incident, settings: Settings) -> tuple[str, str]:
    """Subject and body of the mail that an incident opened."""
    body = (
        f"{incident.summary}.\n\n"
        f"What: {incident.kind}\n"
        f"Since: {incident.since:%Y-%m-%d %H:%M} UTC\n"
        f"Where to look: {where(incident, settings)}\n\n"
        "You will get one more message when it clears.\n"
    )
    return f"[accord] ALERT: {incident.summary}", body


def resolved_mail(incident: Incident, settings: Settings) -> tuple[str, str]:
    """Subject and body of the mail that an incident cleared."""
    assert incident.resolved_at is not None  # noqa: S101 - only resolved ones are told
    body = (
        f"Cleared: {incident.summary}.\n\n"
        f"What: {incident.kind}\n"
        f"Since: {incident.since:%Y-%m-%d %H:%M} UTC\n"
        f"Cleared at: {incident.resolved_at:%Y-%m-%d %H:%M} UTC\n"
        f"Where to look: {where(incident, settings)}\n"
    )
    return f"[accord] RESOLVED: {incident.summary}", body


def event_data(incident: Incident, settings: Settings) -> dict[str, Any]:
    """The ``data`` of an ``alert.opened`` or ``alert.resolved`` webhook event."""
    resolved = incident.resolved_at
    return {
        "incident": incident.id,
        "kind": incident.kind,
        "key": incident.key,
        "summary": incident.summary,
        "since": incident.since.isoformat(),
        "opened_at": incident.opened_at.isoformat(),
        "resolved_at": None if resolved is None else resolved.isoformat(),
        "link": where(incident, settings),
    }
