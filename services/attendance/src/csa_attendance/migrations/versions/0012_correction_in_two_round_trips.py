"""A presence or meal correction in two round trips (issue 24): one read, one write.

`attendance_correction_ledger(provider, record, child, lo, hi)` (PostgreSQL) returns what a
correction of the record `(provider, record)` of `child` is decided against, as
`presences.repository.load_records` reads it for one record and one child: the provider's
presence and meal under the key, the child's presences overlapping `[lo, hi)` and meals of
its days, the versions of those corrected before, each as one JSON array ordered by id (and
version), and `print`, the md5 of the four. It is STABLE: it reads in its caller's snapshot,
so the read statement's registry state and ledger are of one moment.

`attendance_correction_clear(lock, registry, print, provider, record, child, lo, hi)` takes
the provider's ingest lock, then tells whether a correction decided against that read may be
written as it is: the registry still at `registry` and the ledger's `print` unchanged. It is
VOLATILE, so its queries see what was committed before it got the lock (a plain statement's
snapshot predates the lock); the writes of the correction's statement are guarded by it.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ARGUMENTS = "p_provider text, p_record text, p_child text, p_lo timestamp, p_hi timestamp"

LEDGER = f"""
CREATE FUNCTION attendance_correction_ledger(
    {ARGUMENTS},
    OUT presence_rows json, OUT presence_version_rows json, OUT meal_rows json,
    OUT meal_version_rows json,
    OUT print text
) LANGUAGE plpgsql STABLE AS $$
BEGIN
    WITH p AS (
        SELECT * FROM presences
        WHERE provider_id = p_provider AND provider_record_id = p_record
        UNION
        SELECT * FROM presences
        WHERE child_id = p_child AND start < p_hi
          AND start > p_lo - interval '24 hours' AND "end" > p_lo
    ), m AS (
        SELECT * FROM meals
        WHERE provider_id = p_provider AND provider_record_id = p_record
        UNION
        SELECT * FROM meals
        WHERE child_id = p_child AND day >= p_lo::date AND day <= p_hi::date
    )
    SELECT
        (SELECT json_agg(p ORDER BY p.id) FROM p),
        (SELECT json_agg(v ORDER BY v.presence_id, v.version) FROM presence_versions v
         WHERE v.presence_id IN (SELECT id FROM p WHERE version > 1)),
        (SELECT json_agg(m ORDER BY m.id) FROM m),
        (SELECT json_agg(v ORDER BY v.meal_id, v.version) FROM meal_versions v
         WHERE v.meal_id IN (SELECT id FROM m WHERE version > 1))
    INTO presence_rows, presence_version_rows, meal_rows, meal_version_rows;
    print := md5(concat_ws('|', presence_rows::text, presence_version_rows::text,
                           meal_rows::text, meal_version_rows::text));
END $$
"""

CLEAR = f"""
CREATE FUNCTION attendance_correction_clear(
    p_lock text, p_registry bigint, p_print text, {ARGUMENTS}
) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(p_lock));
    RETURN (SELECT version FROM registry_version WHERE id = 1) IS NOT DISTINCT FROM p_registry
        AND (
            SELECT l.print
            FROM attendance_correction_ledger(p_provider, p_record, p_child, p_lo, p_hi) l
        ) IS NOT DISTINCT FROM p_print;
END $$
"""

TYPES = "text, text, text, timestamp, timestamp"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LEDGER)
        op.execute(CLEAR)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION attendance_correction_clear(text, bigint, text, {TYPES})")
        op.execute(f"DROP FUNCTION attendance_correction_ledger({TYPES})")
