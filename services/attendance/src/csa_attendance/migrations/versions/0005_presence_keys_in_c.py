"""Presences: the key columns in collation "C" on PostgreSQL (ids compared byte by byte;
`csa_attendance.tables.identifier`); nothing changes on SQLite.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The columns as this revision changes them (with their lengths then).
PRESENCE_KEYS = {"id": 36, "provider_id": 64, "provider_record_id": 128, "child_id": 64}


def _collate(collation: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, length in PRESENCE_KEYS.items():
        op.alter_column(
            "presences",
            column,
            type_=sa.String(length, collation=collation),
            existing_type=sa.String(length),
        )


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
