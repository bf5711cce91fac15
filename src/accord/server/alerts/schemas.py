"""The alerts API's request bodies and answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from accord.server.alerts.models import AlertRecipient, Incident


class NewRecipient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: An email address, or an http(s) URL for signed webhook events.
    address: str = Field(max_length=2000)
    #: ``AlertKind`` values; every kind when empty.
    events: list[str] = Field(default_factory=list, max_length=10)


def recipient_json(recipient: AlertRecipient) -> dict[str, Any]:
    return {
        "id": recipient.id,
        "kind": recipient.kind,
        "address": recipient.address,
        "events": recipient.events,
        "created_by": recipient.created_by,
        "created_at": recipient.created_at.isoformat(),
        "active": recipient.active,
    }


def incident_json(incident: Incident) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return None if value is None else str(value.isoformat())

    return {
        "id": incident.id,
        "kind": incident.kind,
        "key": incident.key,
        "summary": incident.summary,
        "link": incident.link,
        "since": iso(incident.since),
        "opened_at": iso(incident.opened_at),
        "resolved_at": iso(incident.resolved_at),
        "notified_at": iso(incident.notified_at),
        "resolved_notified_at": iso(incident.resolved_notified_at),
    }
