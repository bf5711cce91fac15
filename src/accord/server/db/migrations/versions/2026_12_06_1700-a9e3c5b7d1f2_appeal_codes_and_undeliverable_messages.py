"""appeal codes kept for platforms, messages for platforms without a webhook, platform keys

Revision ID: a9e3c5b7d1f2
Revises: f2c8a1d4b6e7
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a9e3c5b7d1f2"
down_revision = "f2c8a1d4b6e7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("platform", sa.String(length=100), nullable=True))
    with op.batch_alter_table("item_actions") as batch:
        batch.add_column(sa.Column("appeal_token_sealed", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(
            sa.Column("platform", sa.String(length=100), nullable=False, server_default="")
        )
        batch.alter_column("webhook_id", existing_type=sa.Integer(), nullable=True)
    # The default only filled the rows already there; the model sets it from now on.
    with op.batch_alter_table("outbox_messages") as batch:
        batch.alter_column("platform", existing_type=sa.String(length=100), server_default=None)


def downgrade() -> None:
    # Messages that never had a webhook cannot be kept without one.
    op.execute("DELETE FROM outbox_messages WHERE webhook_id IS NULL")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.alter_column("webhook_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("platform")
    with op.batch_alter_table("item_actions") as batch:
        batch.drop_column("appeal_token_sealed")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("platform")
