"""transparency reports read notices, decisions, statements, appeals and measures by date

Revision ID: 833b8a011f3e
Revises: 4b99b5d12326
Create Date: 2026-12-07 05:51:08.311457
"""

from __future__ import annotations

from alembic import op

revision = "833b8a011f3e"
down_revision = "4b99b5d12326"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account_measures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_measures_created_at"), ["created_at"], unique=False
        )

    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_received_at"), ["received_at"], unique=False)

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_decided_at"), ["decided_at"], unique=False)

    with op.batch_alter_table("item_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_item_actions_created_at"), ["created_at"], unique=False
        )

    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_received_at"))

    with op.batch_alter_table("item_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_actions_created_at"))

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_decided_at"))

    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_received_at"))

    with op.batch_alter_table("account_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_measures_created_at"))
