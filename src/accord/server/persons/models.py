"""Protected people (candidates, election officials) and their reference faces and voices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accord.server.db.base import Base, UtcDateTime, utc_now


class ProtectedPersonRow(Base):
    __tablename__ = "protected_persons"

    #: A random hex id: stable across renames, and safe to show.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: What they stand or serve as, e.g. "candidate for mayor", "returning officer".
    role: Mapped[str] = mapped_column(String(200), default="")
    election: Mapped[str] = mapped_column(String(200), default="")
    constituency: Mapped[str] = mapped_column(String(200), default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    #: The person's own account, to report deepfakes of themselves.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The election authority's admin who checked who they are, and when; reports made
    #: for an unverified person are not taken as theirs.
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: Their explicit consent to the processing of their face and voice (GDPR Art. 9(2)(a)):
    #: who recorded it (an audit actor, e.g. ``user:<email>``) and when. None: no reference
    #: face or voice may be added; withdrawn, those kept are erased.
    biometric_consent_by: Mapped[str | None] = mapped_column(String(200))
    biometric_consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    faces: Mapped[list[ReferenceFace]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="raise"
    )
    voices: Mapped[list[ReferenceVoice]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="raise"
    )


class ReferenceFace(Base):
    """One reference photo's face embedding (128 little-endian float32); not the photo."""

    __tablename__ = "reference_faces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(
        ForeignKey("protected_persons.id", ondelete="CASCADE"), index=True
    )
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256 of the photo it came from, so the same photo is not added twice.
    photo_sha256: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    person: Mapped[ProtectedPersonRow] = relationship(back_populates="faces", lazy="raise")


class ReferenceVoice(Base):
    """One reference recording's voice embedding (256 little-endian float32); not the
    recording."""

    __tablename__ = "reference_voices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(
        ForeignKey("protected_persons.id", ondelete="CASCADE"), index=True
    )
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256 of the clip it came from, so the same clip is not added twice.
    clip_sha256: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    person: Mapped[ProtectedPersonRow] = relationship(back_populates="voices", lazy="raise")


class Representative(Base):
    """A user (campaign staff) a protected person authorised to report for them."""

    __tablename__ = "representatives"
    __table_args__ = (UniqueConstraint("person_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(
        ForeignKey("protected_persons.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    authorized_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
