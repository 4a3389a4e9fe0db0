"""A batch dispatcher's claim on a placement request: who holds it and until
when, so two workers never dispatch the same request and a dead worker's
claim lapses.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 19:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("placement_requests") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(40), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("placement_requests") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
