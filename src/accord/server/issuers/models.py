"""An issuer's certificates and its sealed private key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class Issuer(Base):
    __tablename__ = "issuers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    organization: Mapped[str] = mapped_column(String(200))
    #: End entity first, then intermediates: what signatures carry.
    chain_pem: Mapped[str] = mapped_column(Text)
    #: The root to trust for this issuer, when known (always, for issuers made here).
    root_pem: Mapped[str | None] = mapped_column(Text)
    #: Encrypted PKCS#8 PEM under the instance's master key (``accord.provenance.sealing``).
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)
    #: c2pa's algorithm name: es256, es384, es512, ps256 or ed25519.
    algorithm: Mapped[str] = mapped_column(String(16))
    #: "created" (chain made here) or "imported".
    origin: Mapped[str] = mapped_column(String(16))
    not_after: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
