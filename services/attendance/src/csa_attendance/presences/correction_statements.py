"""The statements of a presence or meal correction in few round trips (issue 24).

The correction's write, `save_statement`: version 1 kept when this is the record's first
correction (`INSERT ... WHERE NOT EXISTS`), the outbox row, the new version and the updated
row, as one `WITH ... UPDATE ... RETURNING`; checked (`quick_correction`'s write), every
part guarded by `attendance_correction_clear` (migration 0012), so nothing is written when
what the correction was decided on changed.

The locked path of a presence correction (when the checked write wrote nothing), on
PostgreSQL in the correction's transaction:

* `locked_row`: the presence's row, the provider's ingest lock and the registry's state
  (version, closed months) in one statement (`attendance_locked_registry`, migration 0011:
  the lock first, then the state, read as committed when the lock was granted);
* `save_correction`: `save_statement`, unchecked (the lock is held).

Elsewhere (SQLite, one process) the same steps one statement each, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.domain.records import PresenceDeclaration, RecordVersion
from csa_attendance.presences import repository
from csa_attendance.tables import meal_versions, meals, presence_versions, presences
from csa_shared.events import Envelope
from csa_shared.messaging.outbox import OUTBOX_COLUMNS, add_to_outbox, outbox_row

State = tuple[int, frozenset[str]]


def _locked_row_statement() -> Any:
    locked = func.attendance_locked_registry(bindparam("lock")).table_valued(
        "registry", "closed", name="locked"
    )
    joined = locked.outerjoin(presences, presences.c.id == bindparam("presence_id"))
    return select(presences, locked.c.registry, locked.c.closed).select_from(joined)


_LOCKED_ROW = _locked_row_statement()


async def locked_row(
    session: AsyncSession, presence_id: str, provider_id: str
) -> tuple[Any | None, State | None]:
    """The `presences` row (None when there is none) with `provider_id`'s ingest lock
    taken, and on PostgreSQL the registry's state read under the lock."""
    if not repository.postgres(session):
        row = await repository.presence_row(session, presence_id)
        if row is not None and row.provider_id == provider_id:
            await repository.lock_provider(session, provider_id)
        return row, None
    params = {"lock": f"att:{provider_id}", "presence_id": presence_id}
    found = (await session.execute(_LOCKED_ROW, params)).one()
    state = (found.registry, frozenset(found.closed or ()))
    return (found if found.id is not None else None), state


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of corrected record: its table, its versions' table, the versions' column
    naming the record, and the columns of its content."""

    name: str
    table: Table
    versions: Table
    key: str
    content: tuple[str, ...]


PRESENCE = Kind("presence", presences, presence_versions, "presence_id", ("start", "end"))
MEAL = Kind("meal", meals, meal_versions, "meal_id", ("day", "count"))

# What `attendance_correction_clear` (migration 0012) is given, in its order.
CHECKED = ("lock", "registry", "print", "provider", "record", "child", "lo", "hi")

_SAVES: dict[tuple[Kind, Table, bool, bool], Any] = {}


def _bound(table: Table, prefix: str, columns: Any) -> dict[str, Any]:
    return {c: bindparam(f"{prefix}{c}", type_=table.c[c].type) for c in columns}


def _insert(table: Table, prefix: str, columns: tuple[str, ...], *where: Any) -> Any:
    """`INSERT INTO table (columns) VALUES (<prefix>...)`, or `... SELECT <prefix>...
    WHERE where` when guarded."""
    bound = _bound(table, prefix, columns)
    if not where:
        return insert(table).values(bound)
    values = select(*(b.label(c) for c, b in bound.items())).where(*where)
    return insert(table).from_select(list(columns), values)


def _save_statement(kind: Kind, outbox: Table, first: bool, checked: bool) -> Any:
    """`WITH [ok: the check,] [k: version 1 unless stored], o: outbox row, n: new version
    UPDATE <table> ... RETURNING *`, built once per kind, outbox table and shape; with
    `checked`, every write made only when `attendance_correction_clear` holds."""
    columns = (kind.key, "version", *kind.content, "status", "reason", "recorded_at")
    guard: list[Any] = []
    ctes: list[Any] = []
    if checked:
        check = func.attendance_correction_clear(*(bindparam(f"c_{c}") for c in CHECKED))
        ok = select(check.label("free")).cte("ok")
        guard, ctes = [select(ok.c.free).scalar_subquery()], [ok]
    if first:
        stored = exists().where(
            kind.versions.c[kind.key] == bindparam(f"k_{kind.key}"),
            kind.versions.c.version == 1,
        )
        ctes.append(_insert(kind.versions, "k_", columns, ~stored, *guard).cte("k"))
    ctes.append(_insert(outbox, "o_", OUTBOX_COLUMNS, *guard).cte("o"))
    ctes.append(_insert(kind.versions, "n_", columns, *guard).cte("n"))
    statement = (
        update(kind.table)
        .where(kind.table.c.id == bindparam("u_id"), *guard)
        .values(_bound(kind.table, "u_", (*kind.content, "version", "status")))
        .returning(*kind.table.c)
    )
    return statement.add_cte(*ctes)


def save_statement(kind: Kind, outbox: Table, first: bool, checked: bool = False) -> Any:
    """`_save_statement`, built once per shape (SQLAlchemy then reuses its compiled form
    and asyncpg its prepared statement)."""
    shape = (kind, outbox, first, checked)
    found = _SAVES.get(shape)
    if found is None:
        found = _SAVES[shape] = _save_statement(kind, outbox, first, checked)
    return found


def save_params(
    kind: Kind, row: Any, version: RecordVersion[Any], event: dict[str, Any]
) -> dict[str, Any]:
    """`save_statement`'s parameters but the check's: the new version of `row` (a row of
    `kind.table`) and its event's outbox row (`event`: `OUTBOX_COLUMNS`' values); version
    1 too when `row` is at it."""
    content = {c: getattr(version.content, c) for c in kind.content}
    status = version.status.value
    new = {kind.key: row.id, "version": version.version, **content, "status": status}
    new.update({"reason": version.reason, "recorded_at": version.recorded_at})
    params = {f"n_{k}": v for k, v in new.items()}
    params.update({f"o_{k}": v for k, v in event.items()})
    params.update({f"u_{k}": v for k, v in content.items()})
    params.update({"u_id": row.id, "u_version": version.version, "u_status": status})
    if row.version == 1:
        mapping = row._mapping if hasattr(row, "_mapping") else row._asdict()
        kept = repository.first_version(mapping, kind.versions)._asdict()
        params.update({f"k_{k}": v for k, v in kept.items()})
    return params


async def save_correction(
    session: AsyncSession,
    outbox: Table,
    row: Any,
    version: RecordVersion[PresenceDeclaration],
    event: Envelope,
) -> Any:
    """Version 1 kept (before the first correction), the event staged, the new version
    written; the updated `presences` row."""
    if not repository.postgres(session):
        await repository.keep_first_version(session, presence_versions, row)
        await add_to_outbox(session, outbox, event)
        return await repository.save_presence_version(session, row.id, version)
    params = save_params(PRESENCE, row, version, outbox_row(event, datetime.now(UTC)))
    statement = save_statement(PRESENCE, outbox, row.version == 1)
    return (await session.execute(statement, params)).one()
