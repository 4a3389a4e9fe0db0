"""Outbox for follow-up jobs, one row per periodic run per tick, and whether
an idempotent request's change was committed

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_sent_at"), "outbox", ["sent_at"], unique=False)
    op.create_table(
        "periodic_runs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("tick", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periodic_runs")),
        sa.UniqueConstraint("job_id", "tick", name=op.f("uq_periodic_runs_job_id")),
    )
    op.create_index(op.f("ix_periodic_runs_job_id"), "periodic_runs", ["job_id"], unique=False)
    op.create_index(op.f("ix_periodic_runs_started_at"), "periodic_runs", ["started_at"], unique=False)
    with op.batch_alter_table("idempotency_records") as batch_op:
        batch_op.add_column(sa.Column("committed", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_records") as batch_op:
        batch_op.drop_column("committed")
    op.drop_table("periodic_runs")
    op.drop_table("outbox")
