"""Imports every ORM model, so metadata is complete for Alembic and tests."""

from __future__ import annotations

from accord.server.accounts.models import (
    Invitation,
    KnownDevice,
    LoginFailures,
    LoginSession,
    Organization,
    RecoveryCode,
    SecondFactor,
    User,
)
from accord.server.alerts.models import AlertRecipient, Incident
from accord.server.appeals.models import Appeal
from accord.server.assets.models import Asset, AssetSignal
from accord.server.audit.models import AuditEntry, AuditHead, SubjectKey
from accord.server.auth.models import ApiKey
from accord.server.banks.models import (
    Bank,
    BankEntry,
    EntryOpinion,
    EntrySighting,
    EntrySignal,
    SharedObject,
    SignalRemoval,
)
from accord.server.cases.models import Case, CaseItem
from accord.server.credentials.models import ProvenanceRecord
from accord.server.db.base import Base
from accord.server.decisions.models import Decision, ItemAction
from accord.server.elections.models import Election
from accord.server.erasure.models import ErasureRequest
from accord.server.exchanges.models import Exchange, ExchangeMessage
from accord.server.guard.models import GuardAppeal, GuardBan, GuardDecision, GuardTally
from accord.server.issuers.models import Issuer
from accord.server.mail.models import MailMessage
from accord.server.measures.models import AccountMeasure, Strike
from accord.server.notices.models import Notice
from accord.server.persons.models import (
    ProtectedPersonRow,
    ReferenceFace,
    ReferenceVoice,
    Representative,
)
from accord.server.taxii.models import TaxiiStatus
from accord.server.tdb.models import Submission
from accord.server.webhooks.models import DeliveryAttempt, OutboxMessage, Webhook

__all__ = [
    "AccountMeasure",
    "AlertRecipient",
    "ApiKey",
    "Appeal",
    "Asset",
    "AssetSignal",
    "AuditEntry",
    "AuditHead",
    "Bank",
    "BankEntry",
    "Base",
    "Case",
    "CaseItem",
    "Decision",
    "DeliveryAttempt",
    "Election",
    "EntryOpinion",
    "EntrySighting",
    "EntrySignal",
    "ErasureRequest",
    "Exchange",
    "ExchangeMessage",
    "GuardAppeal",
    "GuardBan",
    "GuardDecision",
    "GuardTally",
    "Incident",
    "Invitation",
    "Issuer",
    "ItemAction",
    "KnownDevice",
    "LoginFailures",
    "LoginSession",
    "MailMessage",
    "Notice",
    "Organization",
    "OutboxMessage",
    "ProtectedPersonRow",
    "ProvenanceRecord",
    "RecoveryCode",
    "ReferenceFace",
    "ReferenceVoice",
    "Representative",
    "SecondFactor",
    "SharedObject",
    "SignalRemoval",
    "Strike",
    "SubjectKey",
    "Submission",
    "TaxiiStatus",
    "User",
    "Webhook",
]
