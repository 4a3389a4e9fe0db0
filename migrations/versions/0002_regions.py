"""Load the 17 regions and 3 cities of republican significance.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from coordinator.geo import gazetteer

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

regions = sa.table(
    "regions",
    sa.column("code", sa.String),
    sa.column("kind", sa.String),
    sa.column("name_en", sa.String),
    sa.column("name_ru", sa.String),
    sa.column("name_kk", sa.String),
    sa.column("lat", sa.Float),
    sa.column("lon", sa.Float),
)


def upgrade() -> None:
    rows = []
    for info in gazetteer.regions():
        centre = gazetteer.region_centre(info.code)
        rows.append(
            {
                "code": info.code,
                "kind": info.kind,
                "name_en": info.name_en,
                "name_ru": info.name_ru,
                "name_kk": info.name_kk,
                "lat": centre.lat,
                "lon": centre.lon,
            }
        )
    op.bulk_insert(regions, rows)


def downgrade() -> None:
    op.execute(regions.delete())
