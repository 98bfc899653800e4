"""The provider's ingest lock and the registry's state in one call (issue 24: a correction).

`attendance_locked_registry(p_lock)` (PostgreSQL) takes the provider's ingest lock
(`pg_advisory_xact_lock`, held to the end of the transaction), then reads the registry's
version and the closed months. It is VOLATILE, so what it reads was committed before it
got the lock, as when the lock and `registry_state` were two statements: a correction
takes both in the statement that reads its presence.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LOCKED_REGISTRY = """
CREATE FUNCTION attendance_locked_registry(
    p_lock text, OUT registry bigint, OUT closed text[]
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(p_lock));
    SELECT version INTO registry FROM registry_version WHERE id = 1;
    SELECT array_agg(month) INTO closed FROM closed_periods;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LOCKED_REGISTRY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION attendance_locked_registry(text)")
