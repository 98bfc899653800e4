"""Presences: index (child_id, start) for the overlap check's range query, replacing the
index on child_id alone (the new one serves child_id lookups too).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_presences_child_start", "presences", ["child_id", "start"])
    op.drop_index("ix_presences_child_id", table_name="presences")


def downgrade() -> None:
    op.create_index("ix_presences_child_id", "presences", ["child_id"])
    op.drop_index("ix_presences_child_start", table_name="presences")
