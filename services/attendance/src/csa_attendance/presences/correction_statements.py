"""The reads and writes of a presence correction in few round trips (issue 24).

On PostgreSQL, in the correction's transaction:

* `locked_row`: the presence's row, the provider's ingest lock and the registry's state
  (version, closed months) in one statement (`attendance_locked_registry`, migration 0011:
  the lock first, then the state, read as committed when the lock was granted);
* `save_correction`: the correction's writes in one statement: version 1 kept when this is
  the record's first correction (`INSERT ... WHERE NOT EXISTS`), the outbox row, the new
  version and the updated row (`WITH ... UPDATE ... RETURNING`).

Elsewhere (SQLite, one process) the same steps one statement each, as before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.domain.records import PresenceDeclaration, RecordVersion
from csa_attendance.presences import repository
from csa_attendance.tables import presence_versions, presences
from csa_shared.events import Envelope
from csa_shared.messaging.outbox import OUTBOX_COLUMNS, add_to_outbox, outbox_row

State = tuple[int, frozenset[str]]


def _postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


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
    if not _postgres(session):
        row = await repository.presence_row(session, presence_id)
        if row is not None and row.provider_id == provider_id:
            await repository.lock_provider(session, provider_id)
        return row, None
    params = {"lock": f"att:{provider_id}", "presence_id": presence_id}
    found = (await session.execute(_LOCKED_ROW, params)).one()
    state = (found.registry, frozenset(found.closed or ()))
    return (found if found.id is not None else None), state


_SAVES: dict[tuple[Table, bool], Any] = {}


def _bound(table: Table, prefix: str, columns: Any) -> dict[str, Any]:
    return {c: bindparam(f"{prefix}{c}", type_=table.c[c].type) for c in columns}


def _save_statement(outbox: Table, first: bool) -> Any:
    """`WITH [k: version 1 unless stored], o: outbox row, n: new version UPDATE presences
    ... RETURNING *`, built once per outbox table and shape."""
    columns = ("presence_id", "version", "start", "end", "status", "reason", "recorded_at")
    writes = [
        insert(outbox).values(_bound(outbox, "o_", OUTBOX_COLUMNS)).cte("o"),
        insert(presence_versions).values(_bound(presence_versions, "n_", columns)).cte("n"),
    ]
    if first:
        stored = exists().where(
            presence_versions.c.presence_id == bindparam("k_presence_id"),
            presence_versions.c.version == 1,
        )
        values = select(*_bound(presence_versions, "k_", columns).values()).where(~stored)
        writes.insert(0, insert(presence_versions).from_select(columns, values).cte("k"))
    changed = ("start", "end", "version", "status")
    statement = (
        update(presences)
        .where(presences.c.id == bindparam("u_id"))
        .values(_bound(presences, "u_", changed))
        .returning(*presences.c)
    )
    return statement.add_cte(*writes)


def _save(outbox: Table, first: bool) -> Any:
    found = _SAVES.get((outbox, first))
    if found is None:
        found = _SAVES[outbox, first] = _save_statement(outbox, first)
    return found


async def save_correction(
    session: AsyncSession,
    outbox: Table,
    row: Any,
    version: RecordVersion[PresenceDeclaration],
    event: Envelope,
) -> Any:
    """Version 1 kept (before the first correction), the event staged, the new version
    written; the updated `presences` row."""
    if not _postgres(session):
        await repository.keep_first_version(session, presence_versions, row)
        await add_to_outbox(session, outbox, event)
        return await repository.save_presence_version(session, row.id, version)
    c = version.content
    new = {
        "presence_id": row.id,
        "version": version.version,
        "start": c.start,
        "end": c.end,
        "status": version.status.value,
        "reason": version.reason,
        "recorded_at": version.recorded_at,
    }
    params = {f"n_{k}": v for k, v in new.items()}
    params.update({f"o_{k}": v for k, v in outbox_row(event, datetime.now(UTC)).items()})
    params.update({"u_id": row.id, "u_start": c.start, "u_end": c.end})
    params.update({"u_version": version.version, "u_status": version.status.value})
    first = row.version == 1
    if first:
        kept = repository.first_version(row._mapping, presence_versions)._asdict()
        params.update({f"k_{k}": v for k, v in kept.items()})
    return (await session.execute(_save(outbox, first), params)).one()
