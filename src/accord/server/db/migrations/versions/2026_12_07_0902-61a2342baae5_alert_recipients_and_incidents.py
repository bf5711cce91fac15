"""alert recipients and incidents

Revision ID: 61a2342baae5
Revises: 73fe412d3d7e
Create Date: 2026-12-07 09:02:25.007510
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.server.db.base import UtcDateTime

revision = "61a2342baae5"
down_revision = "73fe412d3d7e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("since", UtcDateTime(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("notified_at", UtcDateTime(), nullable=True),
        sa.Column("resolved_notified_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_incidents")),
    )
    with op.batch_alter_table("alert_incidents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_incidents_resolved_at"), ["resolved_at"], unique=False
        )
        batch_op.create_index(
            "uq_alert_incidents_open",
            ["kind", "key"],
            unique=True,
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )

    op.create_table(
        "alert_recipients",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
            name=op.f("fk_alert_recipients_webhook_id_webhooks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_recipients")),
    )
    with op.batch_alter_table("alert_recipients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_recipients_webhook_id"), ["webhook_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_recipients_webhook_id"))

    op.drop_table("alert_recipients")
    with op.batch_alter_table("alert_incidents", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_alert_incidents_open",
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_alert_incidents_resolved_at"))

    op.drop_table("alert_incidents")
