"""provenance records

Revision ID: 2dacb01780f3
Revises: ae1af6750091
Create Date: 2026-11-30 20:41:38
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2dacb01780f3"
down_revision = "ae1af6750091"
branch_labels = None
depends_on = None

#: 64-bit ids, except on SQLite, which only auto-increments INTEGER PRIMARY KEY.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INDEXED = ("issuer_id", "manifest_label", "signed_sha256")


def upgrade() -> None:
    op.create_table(
        "provenance_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("source_type", sa.String(length=64), nullable=False),
        sa.Column("media_kind", sa.String(length=16), nullable=False),
        sa.Column("original_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_sha256", sa.String(length=64), nullable=False),
        sa.Column("manifest_label", sa.String(length=200), nullable=False),
        sa.Column("manifest_store", sa.LargeBinary(), nullable=False),
        sa.Column("timestamped", sa.Boolean(), nullable=False),
        sa.Column("registry_entry_id", BIG_ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_provenance_records_issuer_id_issuers")
        ),
        sa.ForeignKeyConstraint(
            ["registry_entry_id"],
            ["bank_entries.id"],
            name=op.f("fk_provenance_records_registry_entry_id_bank_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provenance_records")),
    )
    for column in INDEXED:
        op.create_index(
            op.f(f"ix_provenance_records_{column}"), "provenance_records", [column], unique=False
        )


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(op.f(f"ix_provenance_records_{column}"), table_name="provenance_records")
    op.drop_table("provenance_records")
