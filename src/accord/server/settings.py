"""Service settings from ``ACCORD_*`` environment variables, with safe embedded defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from accord.media.limits import MIB, MediaLimits
from accord.server.statements.schema import TERRITORIAL_SCOPE

_DEFAULT_LIMITS = MediaLimits()
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the placeholder that production refuses
PLACEHOLDER_MASTER_KEY = "change-me-master-key"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "accord"


class Settings(BaseSettings):
    """Everything the service reads from its environment, read once in ``create_app``."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_", env_file=None, extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    #: Holds the SQLite database and the blob folder unless configured otherwise.
    data_dir: Path = Field(default_factory=default_data_dir)
    #: SQLAlchemy URL; the default is a SQLite file in ``data_dir``.
    database_url: str | None = None
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    #: Seals issuers' private keys at rest; losing it loses every issuer's key.
    master_key: SecretStr = SecretStr(PLACEHOLDER_MASTER_KEY)
    #: PEM files of trust anchors for Content Credentials (e.g. the C2PA trust list),
    #: trusted besides this instance's own issuers' roots.
    trust_anchor_files: list[Path] = Field(default_factory=list)
    #: RFC 3161 timestamp authority for signing (http or https URL); None signs without.
    tsa_url: str | None = Field(default=None, pattern=r"^https?://")
    #: When the timestamp authority cannot be reached: sign without a timestamp (and say
    #: so) instead of failing.
    allow_signing_without_timestamp: bool = False
    #: A folder of learned detectors (``NAME.onnx`` with its model card ``NAME.json``) that
    #: assessments run; None runs none.
    detector_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    #: Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are
    #: believed (client addresses for rate limits, https for Secure cookies). Empty, the
    #: default, believes none.
    trusted_proxies: list[str] = []
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: "auto": plain lines for a person when stderr is a terminal, JSON lines otherwise.
    log_format: Literal["auto", "json", "text"] = "auto"
    #: Apply database migrations when the server starts.
    auto_migrate: bool = True

    max_upload_bytes: int = 512 * MIB
    max_pixels: int = _DEFAULT_LIMITS.max_pixels
    max_frames: int = _DEFAULT_LIMITS.max_frames
    max_duration_seconds: float = _DEFAULT_LIMITS.max_duration_seconds
    max_nesting: int = _DEFAULT_LIMITS.max_nesting
    max_decode_seconds: float = 120.0
    #: Files hashed at once; each may hold a decoded video frame or an hour of audio.
    hash_concurrency: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)

    #: Hosts ``GET /h/hash?url=`` may fetch from. Empty (the default) turns the URL form
    #: off: HMA allows every host when its list is empty, which makes it an SSRF tool.
    hash_url_allowed_hosts: list[str] = []
    hash_url_max_bytes: int = 100 * MIB
    hash_url_timeout_seconds: float = 30.0

    #: Seconds between index syncs: how soon a bank change reaches this process.
    index_sync_seconds: float = Field(default=1.0, gt=0)
    #: How often each process looks for webhook messages due for delivery.
    outbox_poll_seconds: float = Field(default=2.0, gt=0)
    #: A process whose indices have not synced for this long reports itself not ready.
    index_max_stale_seconds: float = Field(default=65.0, gt=0)
    #: Feed rows applied before the indices are snapshotted to disk for fast starts.
    index_snapshot_after_changes: int = Field(default=100_000, ge=1)
    #: Look for crops and screenshots with keypoints when PDQ finds nothing in an image.
    match_second_stage: bool = True

    #: Require an API key on every API call. Off by default only outside production, so
    #: a new local install works at once; production always requires keys.
    require_api_keys: bool = False
    #: Requests per minute per API key unless the key sets its own.
    default_rate_limit_per_minute: int = Field(default=6000, ge=1)

    #: The public Verify page (``/verify``) needs no account; its uploads are capped
    #: lower than the API's (the smaller of the two limits applies) ...
    verify_max_upload_bytes: int = Field(default=100 * MIB, ge=1)
    #: ... and each client address may check this many files per minute.
    verify_rate_limit_per_minute: int = Field(default=20, ge=1)
    #: Sign-in attempts per minute from one client address, whatever the account: slows
    #: password guessing across many accounts, which the per-account lockout cannot.
    login_attempts_per_minute: int = Field(default=10, ge=1)
    #: SMTP server that tells notifiers about their notices; None (the default) sends no
    #: email, and notifiers follow their notices on the status page.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    #: Upgrade the connection with STARTTLS before logging in (port 587).
    smtp_starttls: bool = True
    mail_from: str = "accord <noreply@localhost>"
    #: Notices per minute from one client address, for people without an account or key.
    notices_per_minute_per_address: int = Field(default=5, ge=1)
    #: How often each process looks for notices to triage.
    triage_poll_seconds: float = Field(default=2.0, gt=0)
    #: Review deadlines, by the case's priority (``cases.queue``): urgent, priority, other.
    sla_hours_urgent: float = Field(default=4.0, gt=0)
    sla_hours_priority: float = Field(default=24.0, gt=0)
    sla_hours_standard: float = Field(default=72.0, gt=0)
    #: Days after a decision that it may be appealed (DSA Art. 20: at least six months).
    appeal_window_days: int = Field(default=183, ge=183)
    #: Hours a senior reviewer has to decide an appeal.
    appeal_sla_hours: float = Field(default=72.0, gt=0)
    #: Strikes (DSA Art. 23, ``decisions.strikes``): the gravity of each action ...
    strike_weights: dict[str, int] = {
        "remove": 3,
        "disable": 3,
        "label_ai_generated": 1,
        "label_altered": 1,
        "demote": 1,
    }
    #: ... and of a notice found manifestly unfounded; how long a strike counts; the
    #: thresholds of the ladder warning, suspension, termination; a suspension's length.
    strike_unfounded_notice_weight: int = Field(default=1, ge=0)
    strike_expiry_days: int = Field(default=365, ge=1)
    strike_warning_at: int = Field(default=1, ge=1)
    strike_suspension_at: int = Field(default=3, ge=1)
    strike_termination_at: int = Field(default=9, ge=1)
    suspension_days: int = Field(default=30, ge=1)
    #: The DSA Transparency Database's API (e.g.
    #: ``https://transparency.dsa.ec.europa.eu/api/v1``) and the platform's token for it:
    #: when set, every statement of reasons is sent there. None sends nothing.
    tdb_api_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+[^/\s]$")
    tdb_token: SecretStr = SecretStr("")
    #: EEA country codes statements of reasons name when the case's election names none.
    statement_territories: list[str] = []
    #: Keep a copy of every file checked on the Verify page here, named by its SHA-256.
    #: Unset (the default), uploads are deleted when the request ends.
    verify_keep_uploads_dir: Path | None = None

    @field_validator("statement_territories")
    @classmethod
    def _eea_only(cls, codes: list[str]) -> list[str]:
        # The Transparency Database refuses any other territorial scope.
        codes = [code.strip().upper() for code in codes]
        outside = [code for code in codes if code not in TERRITORIAL_SCOPE]
        if outside:
            msg = f"not EU/EEA country codes: {', '.join(outside)}"
            raise ValueError(msg)
        return codes

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.env == "production" and self.secret_key.get_secret_value() == PLACEHOLDER_SECRET:
            msg = "ACCORD_SECRET_KEY must be set to a real secret when ACCORD_ENV=production"
            raise ValueError(msg)
        if self.env == "production" and (
            self.master_key.get_secret_value() == PLACEHOLDER_MASTER_KEY
        ):
            msg = "ACCORD_MASTER_KEY must be set to a real secret when ACCORD_ENV=production"
            raise ValueError(msg)
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'accord.db'}"

    @property
    def api_keys_required(self) -> bool:
        return self.require_api_keys or self.env == "production"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def verify_upload_limit(self) -> int:
        return min(self.verify_max_upload_bytes, self.max_upload_bytes)

    @property
    def media_limits(self) -> MediaLimits:
        return MediaLimits(
            max_bytes=self.max_upload_bytes,
            max_pixels=self.max_pixels,
            max_frames=self.max_frames,
            max_duration_seconds=self.max_duration_seconds,
            max_nesting=self.max_nesting,
            max_decode_seconds=self.max_decode_seconds,
        )
