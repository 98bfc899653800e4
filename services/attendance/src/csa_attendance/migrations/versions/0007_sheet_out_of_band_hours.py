"""Service sheets: the hours outside the day band 07:00-19:00 (csa-rules.md §10). Earlier
sheets gave day hours only: their days' `hours` keep that meaning, they have no
`out_of_band_hours` (read as 0) and their total of such hours is 0.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "service_sheets",
        sa.Column("total_out_of_band_hours", sa.Numeric(7, 2), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("service_sheets") as batch:
        batch.drop_column("total_out_of_band_hours")
