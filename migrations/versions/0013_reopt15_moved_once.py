"""A placement's move: when its hold was moved and from which facility, so a
group is moved at most once and the facility it left can say why.

Revision ID: 0013_reopt15
Revises: 0012
Create Date: 2026-11-24 22:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_reopt15"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("placement_requests") as batch:
        batch.add_column(sa.Column("moved_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("moved_from_id", sa.Integer(), nullable=True))
        batch.create_index("ix_placement_requests_moved_from_id", ["moved_from_id"])


def downgrade() -> None:
    with op.batch_alter_table("placement_requests") as batch:
        batch.drop_index("ix_placement_requests_moved_from_id")
        batch.drop_column("moved_from_id")
        batch.drop_column("moved_at")
