"""The outbox remembers the web request that declared each follow-up job, so
the job's log lines and events carry the same request id.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("request_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("request_id")
