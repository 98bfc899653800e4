"""Outbox, inbox and the presence projection.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from csa_shared.messaging.tables import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "presence_projection",
        sa.Column("presence_id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("start", sa.DateTime, nullable=False),
        sa.Column("end", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_presence_projection_child_id", "presence_projection", ["child_id"])


def downgrade() -> None:
    op.drop_table("presence_projection")
    op.drop_table("inbox")
    op.drop_table("outbox")
