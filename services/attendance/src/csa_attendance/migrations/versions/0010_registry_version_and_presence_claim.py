"""The registry's version and the one-statement write of a single presence or meal (issue 24).

`registry_version` holds one counter, raised (PostgreSQL triggers, once per statement) by
every write to providers, their versions, education contracts and closed periods: a
process caches what it read of them tagged with the counter, and a write statement that
relies on the cache checks the counter first (a stale cache is never used).

`attendance_presence_clear(...)` (PostgreSQL) takes the provider's ingest lock, then tells
whether a single presence decided against an empty ledger may be stored as it is: the
registry unchanged since the caller's cache and no presence under the record's key or of
the child in the presence's window (what `presences.repository.load_records` would load).
`attendance_meal_clear(...)` likewise for a single meal decided against one presence of
the child at the provider that day and no meal: no meal under the key nor of the child at
the provider that day, an active presence of the child at the provider starting that day.
They are VOLATILE, so their queries see what was committed before they got the lock.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

REGISTRY_TABLES = ("providers", "provider_versions", "education_contracts", "closed_periods")

BUMP = """
CREATE FUNCTION attendance_bump_registry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$
"""


def _check(name: str, arguments: str, ledger_as_assumed: str) -> str:
    """A check function: the provider's lock, the registry at the caller's version, then
    `ledger_as_assumed` (a boolean expression of the arguments)."""
    return f"""
CREATE FUNCTION {name}(
    p_lock text, p_registry bigint, p_provider text, p_record text, p_child text,
    {arguments}
) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(p_lock));
    IF (SELECT version FROM registry_version WHERE id = 1) IS DISTINCT FROM p_registry THEN
        RETURN false;
    END IF;
    RETURN {ledger_as_assumed};
END $$
"""


CLEAR = _check(
    "attendance_presence_clear",
    "p_lo timestamp, p_hi timestamp",
    """NOT EXISTS (
        SELECT 1 FROM presences
        WHERE provider_id = p_provider AND provider_record_id = p_record
    ) AND NOT EXISTS (
        SELECT 1 FROM presences
        WHERE child_id = p_child AND start < p_hi
          AND start > p_lo - interval '24 hours' AND "end" > p_lo
    )""",
)

MEAL_CLEAR = _check(
    "attendance_meal_clear",
    "p_day date, p_from timestamp, p_to timestamp",
    """NOT EXISTS (
        SELECT 1 FROM meals
        WHERE provider_id = p_provider AND provider_record_id = p_record
    ) AND NOT EXISTS (
        SELECT 1 FROM meals
        WHERE child_id = p_child AND day = p_day AND provider_id = p_provider
    ) AND EXISTS (
        SELECT 1 FROM presences
        WHERE child_id = p_child AND start >= p_from AND start < p_to
          AND provider_id = p_provider AND status = 'active'
    )""",
)


def upgrade() -> None:
    op.create_table(
        "registry_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO registry_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(BUMP)
    for table in REGISTRY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_bump_registry AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION attendance_bump_registry()"
        )
    op.execute(CLEAR)
    op.execute(MEAL_CLEAR)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION attendance_meal_clear(text, bigint, text, text, text, date, "
            "timestamp, timestamp)"
        )
        op.execute(
            "DROP FUNCTION attendance_presence_clear(text, bigint, text, text, text, "
            "timestamp, timestamp)"
        )
        for table in REGISTRY_TABLES:
            op.execute(f"DROP TRIGGER {table}_bump_registry ON {table}")
        op.execute("DROP FUNCTION attendance_bump_registry()")
    op.drop_table("registry_version")
