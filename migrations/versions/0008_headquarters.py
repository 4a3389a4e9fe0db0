"""Operational headquarters: contacts and a report interval of their own for
each HQ, staff attached to an HQ, duty shifts, and free text on status reports.

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-26 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("headquarters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=40), server_default="", nullable=False))
        batch_op.add_column(sa.Column("email", sa.String(length=120), server_default="", nullable=False))
        batch_op.add_column(sa.Column("address", sa.String(length=240), server_default="", nullable=False))
        batch_op.add_column(sa.Column("report_interval_minutes", sa.Integer(), nullable=True))

    with op.batch_alter_table("hq_status_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notes", sa.Text(), server_default="", nullable=False))

    op.create_table(
        "hq_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hq_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("position", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hq_id"], ["headquarters.id"], name=op.f("fk_hq_staff_hq_id_headquarters"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_hq_staff_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hq_staff")),
        sa.UniqueConstraint("user_id", name=op.f("uq_hq_staff_user_id")),
    )
    with op.batch_alter_table("hq_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hq_staff_hq_id"), ["hq_id"], unique=False)

    op.create_table(
        "hq_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hq_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name=op.f("ck_hq_shifts_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["hq_id"], ["headquarters.id"], name=op.f("fk_hq_shifts_hq_id_headquarters"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_hq_shifts_user_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["started_by_id"], ["users.id"], name=op.f("fk_hq_shifts_started_by_id_users")),
        sa.ForeignKeyConstraint(["ended_by_id"], ["users.id"], name=op.f("fk_hq_shifts_ended_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hq_shifts")),
    )
    with op.batch_alter_table("hq_shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hq_shifts_hq_id"), ["hq_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hq_shifts_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hq_shifts_started_at"), ["started_at"], unique=False)
        batch_op.create_index(
            "uq_hq_shifts_open_user",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("hq_shifts", schema=None) as batch_op:
        batch_op.drop_index("uq_hq_shifts_open_user")
        batch_op.drop_index(batch_op.f("ix_hq_shifts_started_at"))
        batch_op.drop_index(batch_op.f("ix_hq_shifts_user_id"))
        batch_op.drop_index(batch_op.f("ix_hq_shifts_hq_id"))
    op.drop_table("hq_shifts")
    with op.batch_alter_table("hq_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hq_staff_hq_id"))
    op.drop_table("hq_staff")
    with op.batch_alter_table("hq_status_reports", schema=None) as batch_op:
        batch_op.drop_column("notes")
    with op.batch_alter_table("headquarters", schema=None) as batch_op:
        batch_op.drop_column("report_interval_minutes")
        batch_op.drop_column("address")
        batch_op.drop_column("email")
        batch_op.drop_column("phone")
