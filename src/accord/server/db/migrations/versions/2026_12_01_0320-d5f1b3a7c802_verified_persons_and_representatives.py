"""protected persons' accounts, identity checks and representatives

Revision ID: d5f1b3a7c802
Revises: c8d2a6e4f913
Create Date: 2026-12-01 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d5f1b3a7c802"
down_revision = "c8d2a6e4f913"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("protected_persons") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("verified_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_protected_persons_user_id_users"), "users", ["user_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
        batch.create_foreign_key(
            op.f("fk_protected_persons_verified_by_users"), "users", ["verified_by"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
    op.create_table(
        "representatives",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("authorized_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["protected_persons.id"],
            name=op.f("fk_representatives_person_id_protected_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_representatives_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representatives")),
        sa.UniqueConstraint("person_id", "user_id", name=op.f("uq_representatives_person_id")),
    )
    op.create_index(op.f("ix_representatives_person_id"), "representatives", ["person_id"])
    op.create_index(op.f("ix_representatives_user_id"), "representatives", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_representatives_user_id"), table_name="representatives")
    op.drop_index(op.f("ix_representatives_person_id"), table_name="representatives")
    op.drop_table("representatives")
    with op.batch_alter_table("protected_persons") as batch:
        batch.drop_constraint(op.f("fk_protected_persons_verified_by_users"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_protected_persons_user_id_users"), type_="foreignkey")
        batch.drop_column("verified_at")
        batch.drop_column("verified_by")
        batch.drop_column("user_id")
