"""sharing: shared banks, opinions, sightings, exchanges

Revision ID: b32fe01e068a
Revises: c3e9a7f1b5d4
Create Date: 2026-12-06 21:29:57.150955
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.server.db.base import UtcDateTime

revision = "b32fe01e068a"
down_revision = "c3e9a7f1b5d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchanges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("api_root", sa.Text(), nullable=False),
        sa.Column("collection_id", sa.String(length=100), nullable=False),
        sa.Column("collection_title", sa.Text(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("sealed_api_key", sa.LargeBinary(), nullable=True),
        sa.Column("report_sightings", sa.Boolean(), nullable=False),
        sa.Column("added_after", UtcDateTime(), nullable=True),
        sa.Column("last_fetch_at", UtcDateTime(), nullable=True),
        sa.Column("last_success_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("objects_fetched", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"], ["banks.id"], name=op.f("fk_exchanges_bank_id_banks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchanges")),
        sa.UniqueConstraint("name", name=op.f("uq_exchanges_name")),
    )
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchanges_bank_id"), ["bank_id"], unique=False)

    op.create_table(
        "taxii_statuses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("posted_by", sa.String(length=100), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("successes", sa.JSON(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["banks.id"],
            name=op.f("fk_taxii_statuses_bank_id_banks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_statuses")),
    )
    with op.batch_alter_table("taxii_statuses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxii_statuses_bank_id"), ["bank_id"], unique=False)

    op.create_table(
        "entry_opinions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("stix_id", sa.String(length=100), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["bank_entries.id"],
            name=op.f("fk_entry_opinions_entry_id_bank_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_opinions")),
        sa.UniqueConstraint("stix_id", name=op.f("uq_entry_opinions_stix_id")),
    )
    with op.batch_alter_table("entry_opinions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_opinions_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "entry_sightings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("stix_id", sa.String(length=100), nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen", UtcDateTime(), nullable=False),
        sa.Column("last_seen", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["bank_entries.id"],
            name=op.f("fk_entry_sightings_entry_id_bank_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_sightings")),
        sa.UniqueConstraint("stix_id", name=op.f("uq_entry_sightings_stix_id")),
    )
    with op.batch_alter_table("entry_sightings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_sightings_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "exchange_messages",
        sa.Column("exchange_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exchange_id"],
            ["exchanges.id"],
            name=op.f("fk_exchange_messages_exchange_id_exchanges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_messages")),
    )
    with op.batch_alter_table("exchange_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_messages_exchange_id"), ["exchange_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exchange_messages_status"), ["status"], unique=False)

    op.create_table(
        "shared_objects",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("stix_id", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("version", UtcDateTime(), nullable=False),
        sa.Column("date_added", UtcDateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["banks.id"],
            name=op.f("fk_shared_objects_bank_id_banks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["bank_entries.id"],
            name=op.f("fk_shared_objects_entry_id_bank_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_objects")),
        sa.UniqueConstraint("bank_id", "stix_id", name=op.f("uq_shared_objects_bank_id_stix_id")),
        # Ids never reused: a client's ``next`` is a row id (see ``SharedObject``).
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("shared_objects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shared_objects_bank_id_date_added", ["bank_id", "date_added"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shared_objects_entry_id"), ["entry_id"], unique=False)

    # ``banks`` and ``bank_entries`` get columns in place, uniqueness by unique indexes,
    # and ``banks.shared`` keeps its server default: on SQLite, anything else rebuilds the
    # table, dropping the old one, and with foreign keys on, dropping either deletes every
    # row that cascades from it.
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_of", sa.JSON(), nullable=False, server_default="[]"))
    # The default only filled the keys already there; the model sets it from now on.
    # (Rebuilding ``api_keys`` on SQLite is safe: no table cascades from it.)
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.alter_column("partner_of", existing_type=sa.JSON(), server_default=None)
    op.add_column("bank_entries", sa.Column("remote_id", sa.String(length=100), nullable=True))
    op.add_column("bank_entries", sa.Column("origin", sa.JSON(), nullable=True))
    op.create_index(
        "uq_bank_entries_bank_id_remote_id", "bank_entries", ["bank_id", "remote_id"], unique=True
    )
    op.add_column(
        "banks", sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.text("false"))
    )
    op.add_column("banks", sa.Column("collection_id", sa.String(length=36), nullable=True))
    op.add_column("banks", sa.Column("false_positive_limit", sa.Integer(), nullable=True))
    op.create_index("ix_banks_collection_id", "banks", ["collection_id"], unique=True)
    _signal_ids_never_reused()


def _signal_ids_never_reused() -> None:
    """SQLite gave a deleted newest signal's id to the next one added, which index
    processes following ``id > last seen`` never saw (and the removals feed then struck
    out): the table is rebuilt with AUTOINCREMENT, counting on from the highest id ever
    used, removed ones included."""
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's sequences never hand an id out twice
    with op.batch_alter_table(
        "entry_signals", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass
    op.execute(
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'entry_signals', 0 "
        "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'entry_signals')"
    )
    op.execute(
        "UPDATE sqlite_sequence SET seq = max(seq, "
        "(SELECT coalesce(max(id), 0) FROM entry_signals), "
        "(SELECT coalesce(max(signal_id), 0) FROM signal_removals)) "
        "WHERE name = 'entry_signals'"
    )


def downgrade() -> None:
    op.drop_index("ix_banks_collection_id", "banks")
    op.drop_index("uq_bank_entries_bank_id_remote_id", "bank_entries")
    # In place, not in batch: rebuilding these on SQLite would cascade (see upgrade).
    for column in ("false_positive_limit", "collection_id", "shared"):
        op.drop_column("banks", column)
    for column in ("origin", "remote_id"):
        op.drop_column("bank_entries", column)

    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("partner_of")

    with op.batch_alter_table("shared_objects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shared_objects_entry_id"))
        batch_op.drop_index("ix_shared_objects_bank_id_date_added")

    op.drop_table("shared_objects")
    with op.batch_alter_table("exchange_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_messages_status"))
        batch_op.drop_index(batch_op.f("ix_exchange_messages_exchange_id"))

    op.drop_table("exchange_messages")
    with op.batch_alter_table("entry_sightings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_sightings_entry_id"))

    op.drop_table("entry_sightings")
    with op.batch_alter_table("entry_opinions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_opinions_entry_id"))

    op.drop_table("entry_opinions")
    with op.batch_alter_table("taxii_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxii_statuses_bank_id"))

    op.drop_table("taxii_statuses")
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchanges_bank_id"))

    op.drop_table("exchanges")
