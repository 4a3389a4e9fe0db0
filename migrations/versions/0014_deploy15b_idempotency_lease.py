"""An Idempotency-Key's claim has an attempt number and the time it was
taken, so a retry may take over a key whose process died before answering
(after a lease), and the first owner's late commit is refused.

Revision ID: 0014_deploy15b
Revises: 0013_reopt15
Create Date: 2026-11-24 22:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_deploy15b"
down_revision = "0013_reopt15"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_records") as batch:
        batch.add_column(sa.Column("attempt", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_records") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("attempt")
