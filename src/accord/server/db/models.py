"""Imports every ORM model, so metadata is complete for Alembic and tests."""

from __future__ import annotations

from accord.server.accounts.models import Invitation, LoginSession, Organization, User
from accord.server.assets.models import Asset, AssetSignal
from accord.server.audit.models import AuditEntry, AuditHead
from accord.server.auth.models import ApiKey
from accord.server.banks.models import Bank, BankEntry, EntrySignal, SignalRemoval
from accord.server.credentials.models import ProvenanceRecord
from accord.server.db.base import Base
from accord.server.issuers.models import Issuer
from accord.server.persons.models import ProtectedPersonRow, ReferenceFace, Representative
from accord.server.webhooks.models import DeliveryAttempt, OutboxMessage, Webhook

__all__ = [
    "ApiKey",
    "Asset",
    "AssetSignal",
    "AuditEntry",
    "AuditHead",
    "Bank",
    "BankEntry",
    "Base",
    "DeliveryAttempt",
    "EntrySignal",
    "Invitation",
    "Issuer",
    "LoginSession",
    "Organization",
    "OutboxMessage",
    "ProtectedPersonRow",
    "ProvenanceRecord",
    "ReferenceFace",
    "Representative",
    "SignalRemoval",
    "User",
    "Webhook",
]
