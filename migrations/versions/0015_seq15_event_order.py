"""Events get `seq`, their place in commit order, which clients see as the
event's id (live, on replay, as their cursor); and `request_id`, the web
request that caused them, so whichever process publishes an event can say so.

On PostgreSQL `seq` is handed out just after the writing transaction commits
(`coordinator.events.order`), so writers no longer queue behind one lock;
the partial index finds the few committed events still waiting for theirs.
On SQLite (one writer at a time) `seq` equals `id`, set in the same
transaction. Existing events keep their order: `seq = id`.

Revision ID: 0015_seq15
Revises: 0014_deploy15b
Create Date: 2026-11-24 22:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_seq15"
down_revision = "0014_deploy15b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch.add_column(sa.Column("request_id", sa.String(64), nullable=True))
    op.execute("UPDATE events SET seq = id")
    op.create_index("ix_events_seq", "events", ["seq"], unique=True, postgresql_include=["id"])
    op.create_index(
        "ix_events_unsequenced",
        "events",
        ["id"],
        postgresql_where=sa.text("seq IS NULL"),
        sqlite_where=sa.text("seq IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_events_unsequenced", table_name="events")
    op.drop_index("ix_events_seq", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("request_id")
        batch.drop_column("seq")
