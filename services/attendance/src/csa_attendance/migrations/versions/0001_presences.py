"""Outbox, inbox and presences.

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
        "presences",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("provider_record_id", sa.String(128), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("start", sa.DateTime, nullable=False),
        sa.Column("end", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "provider_id", "provider_record_id", name="uq_presence_provider_record"
        ),
    )
    op.create_index("ix_presences_child_id", "presences", ["child_id"])


def downgrade() -> None:
    op.drop_table("presences")
    op.drop_table("inbox")
    op.drop_table("outbox")
