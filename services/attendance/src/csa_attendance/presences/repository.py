"""Every query of the presences module: loading the state a batch (or a correction, of a
presence or a meal) is decided against, bulk inserts (COPY on PostgreSQL, one
data-modifying statement for a few rows), presence corrections, and the reads of every
list of declarations. A meal's own row and versions: `meals.repository`.

Set queries take their keys and children as one array parameter on PostgreSQL
(`= ANY($1)`): the statement text does not depend on the batch's size, so SQLAlchemy's
compiled cache and asyncpg's prepared statements are reused, and rendering a thousand bind
parameters per request is avoided."""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, Table, any_, bindparam, func, insert, select, text, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.domain.records import (
    MealDeclaration,
    PresenceDeclaration,
    RecordHistory,
    RecordStatus,
    RecordVersion,
    ReservationDeclaration,
)
from csa_attendance.presences import one_record
from csa_attendance.tables import (
    meal_versions,
    meals,
    presence_versions,
    presences,
    reservations,
)
from csa_shared.clock import as_luxembourg
from csa_shared.http.pagination import Key, PageParams, fetch_page

ONE_DAY = timedelta(days=1)
# Presences and reservations last at most 24 h (domain.validation.MAX_LENGTH): a record
# ending after `lo` started after `lo - LONGEST`, a bound the (child_id, start) index uses.
LONGEST = timedelta(hours=24)
KINDS = frozenset({"presence", "meal", "reservation"})


async def lock_provider(session: AsyncSession, provider_id: str) -> None:
    """Serialise ingest per provider on PostgreSQL (same keys posted concurrently)."""
    if postgres(session):
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"att:{provider_id}"}
        )


@functools.cache
def row_type(table: Table) -> Any:
    """A namedtuple of `table`'s columns, for the rows of `select(table)` read in bulk: a
    SQLAlchemy `Row` answers attribute access in Python, a namedtuple in C (the figures:
    README's benchmark section)."""
    return namedtuple(f"{table.name}_row", table.c.keys())


def postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def one_of(session: AsyncSession, column: Any, values: Iterable[str]) -> Any:
    """`column IN values`: one array parameter on PostgreSQL, an expanding IN elsewhere."""
    wanted = sorted(set(values))
    if postgres(session):
        return column == any_(bindparam(None, wanted, type_=ARRAY(String())))
    return column.in_(wanted)


def _window(
    session: AsyncSession, table: Table, children: Iterable[str], lo: datetime, hi: datetime
) -> Any:
    return (
        one_of(session, table.c.child_id, children)
        & (table.c.start < hi)
        & (table.c.start > lo - LONGEST)
        & (table.c.end > lo)
    )


def _presence(row: Any, start: datetime, end: datetime) -> PresenceDeclaration:
    return PresenceDeclaration(
        provider_id=row.provider_id,
        record_id=row.provider_record_id,
        child_id=row.child_id,
        start=start,
        end=end,
    )


def as_presence(row: Any, version: Any) -> PresenceDeclaration:
    """A presence's declaration: its row's keys, a version's (or the row's) times."""
    return _presence(row, version.start, version.end)


def as_meal(row: Any, version: Any) -> MealDeclaration:
    """A meal's declaration: its row's keys, a version's (or the row's) day and count."""
    return MealDeclaration(
        provider_id=row.provider_id,
        record_id=row.provider_record_id,
        child_id=row.child_id,
        day=version.day,
        count=version.count,
    )


def _as_posted(row: Any, build: Any, recorded: Any) -> RecordVersion[Any]:
    """A record's row as its only version (no version row: no `recorded_at`/`reason` to
    look up, and a missing column on a Row is slow); it was recorded when the row was."""
    return RecordVersion(
        version=row.version if row.version > 1 else 1,
        content=build(row, row),
        status=RecordStatus(row.status),
        recorded_at=recorded(row.created_at),
        reason=None,
    )


def _recorded_at() -> Any:
    """`as_luxembourg`, memoised: the rows of one ingest share their creation time."""
    return functools.lru_cache(maxsize=None)(as_luxembourg)


async def _histories(
    session: AsyncSession, versions: Table, key: str, rows: Sequence[Any], build: Any
) -> tuple[list[RecordHistory[Any]], dict[tuple[str, str], str]]:
    """Histories of corrected records (presences, meals): version 1 rows are their own
    history (`first_version`); the others read `versions`."""
    older = [r.id for r in rows if r.version > 1]
    chains: list[Any] = []
    if older:
        found = await session.execute(
            select(versions).where(versions.c[key].in_(older)).order_by(versions.c.version)
        )
        make = row_type(versions)._make
        chains = [make(row) for row in found]
    return histories_of(rows, chains, key, build)


def histories_of(
    rows: Sequence[Any], versions: Iterable[Any], key: str, build: Any
) -> tuple[list[RecordHistory[Any]], dict[tuple[str, str], str]]:
    """Histories of records (`presences` or `meals` rows) given the version rows of those
    corrected (`versions`, in order; `key` their column naming the record)."""
    by_id: dict[str, list[Any]] = {}
    for v in versions:
        by_id.setdefault(getattr(v, key), []).append(v)
    histories, ids = [], {}
    recorded = _recorded_at()
    for row in rows:
        ids[(row.provider_id, row.provider_record_id)] = row.id
        chain = by_id.get(row.id)
        if chain is None:  # the row is its only version (the usual case)
            histories.append(RecordHistory((_as_posted(row, build, recorded),)))
            continue
        histories.append(
            RecordHistory(
                tuple(
                    RecordVersion(
                        version=v.version if row.version > 1 else 1,
                        content=build(row, v),
                        status=RecordStatus(v.status),
                        recorded_at=getattr(v, "recorded_at", None) or recorded(row.created_at),
                        reason=getattr(v, "reason", None),
                    )
                    for v in chain
                )
            )
        )
    return histories, ids


def _uncorrected_histories(
    rows: Sequence[Any], build: Any
) -> tuple[list[RecordHistory[Any]], dict[tuple[str, str], str]]:
    """Histories of records that have no corrections (reservations: no amend or void, so
    no versions table): each row is its only version, as posted."""
    recorded = _recorded_at()
    ids = {(row.provider_id, row.provider_record_id): row.id for row in rows}
    return [RecordHistory((_as_posted(row, build, recorded),)) for row in rows], ids


def _keyed(session: AsyncSession, table: Table, provider_id: str, keys: list[str]) -> Any:
    """The provider's rows of `table` under `keys`: on PostgreSQL a probe of the unique index
    per key whatever the statistics (a lateral subquery, kept apart by its `OFFSET 0`). With
    `provider_record_id = ANY($keys)`, a generic plan cached while the table was never
    analysed compared each of the provider's rows with every key (test_key_lookup_plan)."""
    if not postgres(session):
        return select(table).where(
            (table.c.provider_id == provider_id) & table.c.provider_record_id.in_(keys)
        )
    array = bindparam(None, keys, type_=ARRAY(String()))
    wanted = func.unnest(array).table_valued("key").render_derived()
    probe = (
        select(table)
        .where(table.c.provider_id == provider_id, table.c.provider_record_id == wanted.c.key)
        .offset(0)
        .lateral()
    )
    return select(probe).select_from(wanted).join(probe, true())


async def _rows(session: AsyncSession, table: Table, keyed: Any, *wheres: Any) -> list[Any]:
    """Rows of the `keyed` query and of `table` matching any of `wheres`: a query each, on
    its index (a UNION or an OR plans and runs much slower for many keys and children)."""
    queries = [keyed, *(select(table).where(where) for where in wheres)]
    return await _fetched(session, table, queries)


async def _fetched(
    session: AsyncSession, table: Table, queries: list[Any], params: dict[str, Any] | None = None
) -> list[Any]:
    found: dict[str, Any] = {}
    make = row_type(table)._make
    for query in queries:
        for row in await session.execute(query, params):
            record = make(row)
            found.setdefault(record.id, record)
    return list(found.values())


async def load_records(
    session: AsyncSession,
    provider_id: str,
    keys: Iterable[str],
    children: set[str],
    lo: datetime,
    hi: datetime,
    *,
    kinds: Collection[str] = KINDS,
    together: bool = False,
) -> tuple[list[RecordHistory[Any]], list[RecordHistory[Any]], list[RecordHistory[Any]], dict]:
    """Presences, meals and reservations a batch is decided against, and their stored ids:
    the provider's records under the batch's keys plus the children's records that overlap
    `[lo, hi)`, the span of the batch's records (every provider's presences, for the overlap
    rule; for a meal's day, the presences touching it). Nothing outside the span bears on
    the batch: no rule looks beyond a record's own span or day.

    Only the `kinds` the batch holds are looked up (presences always: meals need them):
    a key query and a range query per table (`together`, for one key and one child: both
    in one prebuilt query)."""
    keys = sorted(set(keys))

    def mine(table: Table) -> Any:
        return _keyed(session, table, provider_id, keys)

    one = one_record.params(provider_id, keys, children, lo, hi, LONGEST) if together else None
    if one is not None:  # one record, one child: the key and window reads in one query
        p_rows = await _fetched(session, presences, [one_record.query(presences)], one)
    else:
        p_rows = await _rows(
            session, presences, mine(presences), _window(session, presences, children, lo, hi)
        )
    p_hist, p_ids = await _histories(session, presence_versions, "presence_id", p_rows, as_presence)
    m_hist: list[RecordHistory[Any]] = []
    m_ids: dict[tuple[str, str], str] = {}
    if "meal" in kinds:
        days = (meals.c.day >= lo.date()) & (meals.c.day <= hi.date())
        m_rows = (
            await _fetched(session, meals, [one_record.query(meals)], one)
            if one is not None
            else await _rows(
                session, meals, mine(meals), one_of(session, meals.c.child_id, children) & days
            )
        )
        m_hist, m_ids = await _histories(session, meal_versions, "meal_id", m_rows, as_meal)
    r_hist: list[RecordHistory[Any]] = []
    r_ids: dict[tuple[str, str], str] = {}
    if "reservation" in kinds:
        r_rows = await _rows(
            session,
            reservations,
            mine(reservations),
            _window(session, reservations, children, lo, hi)
            & (reservations.c.provider_id == provider_id),
        )
        r_hist, r_ids = _uncorrected_histories(
            r_rows,
            lambda r, v: ReservationDeclaration(
                provider_id=r.provider_id,
                record_id=r.provider_record_id,
                child_id=r.child_id,
                start=v.start,
                end=v.end,
            ),
        )
    ids = {"presence": p_ids, "meal": m_ids, "reservation": r_ids}
    return p_hist, m_hist, r_hist, ids


async def presence_row(session: AsyncSession, presence_id: str) -> Any | None:
    return (await session.execute(select(presences).where(presences.c.id == presence_id))).first()


def first_version(record: Mapping[str, Any], versions: Table) -> Any:
    """Version 1 of a record (a `presences` or `meals` row's mapping) as a row of `versions`
    reads: ingest writes no version row (the record's row is its history until a correction,
    `keep_first_version`), saving a write per record on the busiest path."""
    content = (
        {"presence_id": record["id"], "start": record["start"], "end": record["end"]}
        if versions is presence_versions
        else {"meal_id": record["id"], "day": record["day"], "count": record["count"]}
    )
    return row_type(versions)(
        **content,
        version=1,
        status="active",
        reason=None,
        recorded_at=as_luxembourg(record["created_at"]),
    )


async def keep_first_version(session: AsyncSession, versions: Table, record: Any) -> None:
    """Before a record's first correction, its version 1 into `versions` (unless an older
    ingest, which wrote every version 1, did): one statement, `INSERT ... WHERE NOT EXISTS`."""
    if record.version != 1:
        return
    key = versions.c.presence_id if versions is presence_versions else versions.c.meal_id
    first = first_version(record._mapping, versions)._asdict()
    stored = select(versions.c.version).where(key == record.id, versions.c.version == 1)
    values = select(*(bindparam(f"v_{c}", v, type_=versions.c[c].type) for c, v in first.items()))
    await session.execute(insert(versions).from_select(list(first), values.where(~stored.exists())))


async def presence_versions_of(session: AsyncSession, record: Any) -> list[Any]:
    """Every version of a presence (a `presences` row), first to current."""
    found = list(
        await session.execute(
            select(presence_versions)
            .where(presence_versions.c.presence_id == record.id)
            .order_by(presence_versions.c.version)
        )
    )
    return found or [first_version(record._mapping, presence_versions)]


async def save_presence_version(
    session: AsyncSession, presence_id: str, version: RecordVersion[PresenceDeclaration]
) -> Any:
    """The new version written (the row and its version row); the updated row."""
    c = version.content
    await session.execute(
        presence_versions.insert().values(
            presence_id=presence_id,
            version=version.version,
            start=c.start,
            end=c.end,
            status=version.status.value,
            reason=version.reason,
            recorded_at=version.recorded_at,
        )
    )
    updated = await session.execute(
        update(presences)
        .where(presences.c.id == presence_id)
        .values(start=c.start, end=c.end, version=version.version, status=version.status.value)
        .returning(*presences.c)
    )
    return updated.one()


async def search(
    session: AsyncSession,
    *,
    provider_id: str | None,
    children: Iterable[str] | None,
    day_from: date | None,
    day_to: date | None,
    status: str | None,
    page: PageParams,
    table: Table = presences,
) -> tuple[list[Any], str | None]:
    """A keyset page of `table`'s records (presences, reservations: by start; meals: by
    day; then by id) and the next page's cursor."""
    query = select(table)
    if provider_id is not None:
        query = query.where(table.c.provider_id == provider_id)
    if children is not None:
        query = query.where(table.c.child_id.in_(list(children)))
    if "day" in table.c:
        when = table.c.day
        if day_from is not None:
            query = query.where(when >= day_from)
        if day_to is not None:
            query = query.where(when <= day_to)
    else:
        when = table.c.start
        if day_from is not None:
            query = query.where(when >= datetime.combine(day_from, time()))
        if day_to is not None:
            query = query.where(when < datetime.combine(day_to + ONE_DAY, time()))
    if status is not None:
        query = query.where(table.c.status == status)
    return await fetch_page(session, query, (Key(when), Key(table.c.id)), page)
