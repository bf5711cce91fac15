"""Service settings from ``ACCORD_*`` environment variables, with safe embedded defaults."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from accord.media.limits import MIB, MediaLimits
from accord.server.decoding import default_decode_memory_bytes
from accord.server.statements.schemas import TERRITORIAL_SCOPE
from accord.server.storage.s3 import parse_s3_url

_DEFAULT_LIMITS = MediaLimits()
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the placeholder that production refuses
PLACEHOLDER_MASTER_KEY = "change-me-master-key"


def _cores_share(divisor: int) -> int:
    """One slot per ``divisor`` cores, at least one."""
    return max(1, (os.cpu_count() or 1) // divisor)


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
    #: Where blobs (uploaded media, signed copies, thumbnails) are kept: empty for the
    #: ``blobs`` folder in ``data_dir``, or ``s3://bucket/prefix`` for S3-compatible object
    #: storage that several nodes share (``s3_*`` below).
    blob_url: str = ""
    #: The S3 endpoint (e.g. ``http://127.0.0.1:8333`` for SeaweedFS or MinIO); empty for
    #: AWS's own, found from ``s3_region``.
    s3_endpoint_url: str = ""
    s3_region: str = ""
    #: Credentials for the bucket; empty for boto3's own chain (environment, instance role).
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr = SecretStr("")
    #: ``redis://host:port/db``: several nodes then share API keys' and addresses' rate
    #: limits through Redis. Empty: the processes of one node share them in a file.
    redis_url: str = ""
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
    #: The address people reach this instance at (e.g. ``https://accord.example.org``, no
    #: trailing slash): links made outside a request, such as the invitation links
    #: ``accord user invite`` prints, start with it. None: such links are paths only.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+[^/\s]$")
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
    #: Videos, sound and pictures over ``sandbox_image_pixels`` are hashed in this many
    #: worker processes (``accord.signals.sandbox``), started on first use; 0 hashes
    #: everything in the server's own process ...
    decode_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0)
    #: ... each stopped (and the request answered ``media.decode_timeout``) when one file
    #: takes longer than this: the last resort for a decoder stuck in FFmpeg or Pillow,
    #: past ``max_decode_seconds``, which the decoders check between frames ...
    decode_timeout_seconds: float = Field(default=180.0, gt=0)
    #: ... and allowed this much memory (address space) beyond its libraries' own.
    decode_worker_memory_bytes: int = Field(default=3 * 1024 * MIB, ge=64 * MIB)
    #: Pictures with more pixels than this are hashed in a worker too; smaller ones stay
    #: in process, where a round trip to a worker would cost more than their decode.
    sandbox_image_pixels: int = Field(default=16_000_000, ge=0)
    #: Pictures decoded at once (hashed, matched), unless ``picture_lane_concurrency``
    #: says otherwise; lookups by signals wait in the same line.
    hash_concurrency: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    #: Bytes of memory the files this process decodes at once may take, as
    #: ``accord.media.cost`` estimates them (an 80-megapixel picture: 1.6 GB); a file that
    #: alone needs more is refused (413). Default: a quarter of the memory, at most 4 GiB.
    decode_memory_bytes: int = Field(default_factory=default_decode_memory_bytes, ge=1)
    #: Seconds a request waits for its decoding lane and memory before a 503 (Retry-After).
    decode_wait_seconds: float = Field(default=30.0, ge=0)
    #: Requests that may wait for one lane at once; the next are answered 503 at once, so
    #: waiting never takes every worker thread.
    decode_max_waiting: int = Field(default=8, ge=0)
    #: Pictures decoded at once, in their own lane (None: ``hash_concurrency``).
    picture_lane_concurrency: int | None = Field(default=None, ge=1)
    #: Videos, audio recordings and pictures over ``sandbox_image_pixels`` decoded at once
    #: (FFmpeg decodes each on several cores).
    heavy_lane_concurrency: int = Field(default_factory=lambda: _cores_share(4), ge=1)
    #: Files assessed at once (every producer runs on each).
    assessment_lane_concurrency: int = Field(default_factory=lambda: _cores_share(4), ge=1)
    #: Every kind in one lane, the pictures', as before lanes existed: for comparisons.
    decode_shared_lane: bool = False

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
    #: Strikes (DSA Art. 23, ``measures.service``): the gravity of each action ...
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
    #: Seconds between fetches of every exchange (other instances' shared banks) by the
    #: server's background loop.
    exchange_poll_seconds: float = Field(default=300.0, gt=0)
    #: The organisation this instance's opinions and sightings are signed by, as the
    #: publishers it writes back to see it (STIX ``authors``, ``created_by_ref``).
    exchange_author: str = Field(default="accord", min_length=1, max_length=200)
    #: Bounds on what one fetch takes from a publisher: objects asked per page (at most
    #: a TAXII server's largest page, accord's included), bytes of one page and of one
    #: object, pages per fetch, seconds per request (and twice that for one page's whole
    #: body, so a peer that drips bytes is cut off too), and seconds for a whole fetch
    #: (it stops between pages, keeping what it applied; the next one goes on).
    exchange_page_objects: int = Field(default=1000, ge=1, le=10_000)
    exchange_max_page_bytes: int = Field(default=64 * MIB, ge=1024)
    exchange_max_object_bytes: int = Field(default=1 * MIB, ge=1024)
    exchange_max_pages: int = Field(default=100_000, ge=1)
    exchange_timeout_seconds: float = Field(default=30.0, gt=0)
    exchange_fetch_seconds: float = Field(default=600.0, gt=0)
    #: The generation gate: this many blocked prompts within ``guard_window_hours`` ban
    #: the user for ``guard_ban_hours``; decisions are kept ``guard_retention_days``
    #: (then only counted per day).
    guard_ban_after: int = Field(default=3, ge=1)
    guard_window_hours: float = Field(default=24.0, gt=0)
    guard_ban_hours: float = Field(default=72.0, gt=0)
    guard_retention_days: int = Field(default=90, ge=1)
    #: A clearly non-realistic depiction (cartoon, caricature) of a protected person:
    #: "review" or "block".
    guard_caricature: Literal["review", "block"] = "review"
    #: Off, prompts are screened by the rules alone: no classifier for paraphrases, for
    #: an instance that cannot spare the CPU (tens of milliseconds a prompt about elections).
    guard_classifier: bool = True
    #: The issuer (``accord issuer add``) that stamps what ``/v1/guard/output`` is sent
    #: when the request names none: the generator, as Content Credentials name it.
    guard_issuer: str = Field(default="", max_length=200)
    #: What a recording says is transcribed and screened for false claims about voting
    #: and impersonations of election authorities: with "whisper" (multilingual; the
    #: ``speech`` extra), "pocketsphinx" (English only) or not at all ("off").
    speech_engine: Literal["whisper", "pocketsphinx", "off"] = "whisper"
    #: Seconds of a recording transcribed at most: a longer one is sampled in evenly spread
    #: stretches of that total (the report says which were heard), never skipped.
    speech_max_seconds: float = Field(default=120.0, gt=0, le=3600)
    #: The time zone of the elections this instance watches (an IANA name such as
    #: ``Europe/Brussels``): transparency reports count their days in it.
    time_zone: str = "UTC"
    #: Who provides the service and what it is called, as the DSA transparency report and
    #: the aggregates CSV name them.
    dsa_provider_name: str = Field(default="", max_length=200)
    dsa_service_name: str = Field(default="", max_length=200)
    #: The public transparency page and ``/v1/transparency/public`` show a count below
    #: this as "fewer than N" (the regulator's files keep it exact) ...
    transparency_min_count: int = Field(default=5, ge=1, le=1000)
    #: ... and compute a period's figures at most once in this many seconds.
    transparency_cache_seconds: float = Field(default=300.0, ge=0)
    #: Keep a copy of every file checked on the Verify page here, named by its SHA-256.
    #: Unset (the default), uploads are deleted when the request ends.
    verify_keep_uploads_dir: Path | None = None
    #: Seconds between checks of the alert conditions (SLA breaches, dead letters, stale
    #: indices, the TDB backlog), in every server process.
    alert_check_seconds: float = Field(default=60.0, gt=0)
    #: Retention of personal data (README, "Retention and erasure"), enforced daily: a
    #: notifier's name, address and explanation are blanked this many days after their
    #: notice's case was decided and its appeal window (``appeal_window_days``) closed ...
    retention_notifier_days: int = Field(default=30, ge=1)
    #: ... and the Verify page's kept uploads (``verify_keep_uploads_dir``) deleted this
    #: many days after the upload. Guard decisions keep ``guard_retention_days``.
    retention_verify_uploads_days: int = Field(default=30, ge=1)
    #: ... and an uploader's account (``platform:account``) blanked from copies, notices
    #: and delivered webhook messages this many days after the case was decided and its
    #: appeal window closed, and replaced by a pseudonym in strikes and measures this many
    #: days after they expired or ended (terminations keep it).
    retention_uploader_days: int = Field(default=30, ge=1)

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

    @field_validator("blob_url")
    @classmethod
    def _blob_url(cls, url: str) -> str:
        if url:
            parse_s3_url(url)  # its ValueError says what is wrong
        return url

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"not a time zone: {name!r} (an IANA name, e.g. Europe/Brussels)"
            raise ValueError(msg) from None
        return name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

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
    def rate_limits_file(self) -> Path:
        """The rate limits the node's processes share (``accord.server.rates``)."""
        return self.data_dir / "rate-limits"

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


#: Settings whose values are never echoed back in an error, even when refused.
_SECRET_NAME = re.compile(r"key|secret|password|token", re.IGNORECASE)
#: ``scheme://user:password@``: the user and password of an address.
_URL_CREDENTIALS = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/@\s]*@", re.IGNORECASE)
#: pydantic's wording, by error type, as a person setting a variable reads it.
_WORDS = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "bool_parsing": "must be true or false",
    "json_invalid": "must be JSON",
    "list_type": 'must be a JSON list, e.g. ["a", "b"]',
    "dict_type": 'must be a JSON object, e.g. {"a": 1}',
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "string_pattern_mismatch": "must match the pattern {pattern}",
    "literal_error": "must be {expected}",
}


def settings_problems(error: ValidationError | SettingsError) -> list[str]:
    """One readable line per refused setting, named as it is set:
    ``ACCORD_LOG_FORMAT: must be auto, json or text (got 'console')``, instead of
    pydantic's multi-line dump. The server and the command line both print these.

    ``SettingsError`` is what pydantic-settings raises, before validating, for a list or
    mapping setting whose value is not JSON."""
    if isinstance(error, SettingsError):
        field = re.search(r'field "(\w+)"', str(error))
        name = _variable(field[1]) if field else "a setting"
        return [f'{name}: must be written in JSON, e.g. ["a", "b"]']
    return [_problem(problem) for problem in error.errors(include_url=False)]


def settings_from_environment() -> Settings:
    """``Settings()``, exiting with one line per bad setting (not a traceback) when the
    environment holds a value the service cannot use."""
    try:
        return Settings()
    except (ValidationError, SettingsError) as error:
        lines = settings_problems(error)
    raise SystemExit("accord: invalid settings:\n" + "\n".join(f"  {line}" for line in lines))


def _problem(problem: ErrorDetails) -> str:
    context = problem.get("ctx", {})
    template = _WORDS.get(problem["type"])
    if template is not None:
        if "expected" in context:  # "'auto', 'json' or 'text'": the words, unquoted
            context = {"expected": str(context["expected"]).replace("'", "")}
        message = template.format(**context)
    else:
        message = str(problem["msg"]).removeprefix("Value error, ")
        if not message[1:2].isupper():  # "Input should ...", not "ACCORD_..."
            message = message[:1].lower() + message[1:]
    location = problem["loc"]
    if not location:  # a check across settings names them in its message
        return message
    name = _variable(str(location[0]))
    inner = ".".join(str(part) for part in location[1:])
    where = f"{name} (at {inner})" if inner else name
    value = problem["input"]
    if _SECRET_NAME.search(name) or not isinstance(value, str | int | float):
        return f"{where}: {message}"
    if isinstance(value, str) and _URL_CREDENTIALS.search(value):
        value = _URL_CREDENTIALS.sub(r"\1…@", value)  # a password in an address stays out
    return f"{where}: {message} (got {value!r})"


def _variable(field: str) -> str:
    return f"{Settings.model_config.get('env_prefix', '')}{field}".upper()
