"""Invoice and ledger lines compressed with LZ4 on PostgreSQL (14 or later, built with
LZ4; elsewhere nothing changes): the period close writes a JSON document of about 4 KB
per child into each, and LZ4 compresses it in about half the time pglz takes. Only new
values are compressed so; the column's type and contents are unchanged (metadata only,
no table rewrite).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from csa_shared.db.migrations import lz4_available

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (("invoice", "lines"), ("child_period", "lines"))


def upgrade() -> None:
    if lz4_available(op.get_bind()):
        for table, column in COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    if lz4_available(op.get_bind()):
        for table, column in COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION DEFAULT")
