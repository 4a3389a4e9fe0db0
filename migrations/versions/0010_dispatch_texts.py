"""Texts as data for dispatch and alerts: a task's title and the reason it
needs HQ (or was closed) as message ids with parameters, and an alert's
message likewise. Older rows keep their English text, which is shown as is.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 15:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("title_message", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("status_reason", sa.JSON(), nullable=True))
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("content", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("content")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("status_reason")
        batch.drop_column("title_message")
