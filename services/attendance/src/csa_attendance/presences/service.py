"""Use cases of ingest: decide a batch with the pure domain, then persist it in bulk.

One transaction per request: the state is loaded with a handful of set queries (the
registry's and the closed periods before the per-provider lock, the records under the lock),
the domain decides every item (`process_batch`), and accepted records, their first versions
and their outbox rows are written in bulk (`repository.insert_all`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.domain.batch import (
    BATCH_LIMIT,
    ItemResult,
    Outcome,
    process_batch,
    recorded_event,
)
from csa_attendance.domain.errors import BatchTooLarge, Code
from csa_attendance.domain.ledger import AttendanceState
from csa_attendance.domain.records import (
    Declaration,
    MealDeclaration,
    PresenceDeclaration,
    ReservationDeclaration,
)
from csa_attendance.events import check_staged, staged_events
from csa_attendance.presences import repository
from csa_attendance.presences.schemas import ItemResultOut, MealIn, Problem, parse_item
from csa_attendance.problems import as_problem, violation_json
from csa_attendance.registry import repository as registry
from csa_attendance.tables import meal_versions, meals, presence_versions, presences, reservations

PRESENCE_RECORDED = "lu.csa.attendance.presence.recorded.v1"
LUXEMBOURG = ZoneInfo("Europe/Luxembourg")
KIND = {
    PresenceDeclaration: "presence",
    MealDeclaration: "meal",
    ReservationDeclaration: "reservation",
}


def local_now() -> datetime:
    """Naive local Luxembourg time, as the domain counts."""
    return datetime.now(LUXEMBOURG).replace(tzinfo=None)


def _rejected(index: int, raw: Any, errors: list[dict[str, str]]) -> ItemResultOut:
    record_id = raw.get("record_id") if isinstance(raw, dict) else None
    kind = raw.get("kind", "presence") if isinstance(raw, dict) else None
    return _result(
        index,
        record_id if isinstance(record_id, str) else None,
        kind if isinstance(kind, str) else None,
        "rejected",
        None,
        [_problem(e) for e in errors],
    )


def _problem(error: dict[str, Any]) -> Problem:
    return Problem.model_construct(
        code=error["code"], field=error["field"], message=error["message"]
    )


def _result(
    index: int,
    record_id: str | None,
    kind: str | None,
    outcome: str,
    id_: str | None,
    errors: list[Problem],
) -> ItemResultOut:
    """A result built from values already checked (no per-item validation; every field set)."""
    return ItemResultOut.model_construct(
        index=index, record_id=record_id, kind=kind, outcome=outcome, id=id_, errors=errors
    )


def _declaration(provider_id: str, item: Any) -> Declaration:
    common = {"provider_id": provider_id, "record_id": item.record_id, "child_id": item.child_id}
    if isinstance(item, MealIn):
        return MealDeclaration(**common, day=item.day, count=item.count)
    kind = PresenceDeclaration if item.kind == "presence" else ReservationDeclaration
    return kind(**common, start=item.start, end=item.end)


def _parse(provider_id: str, raw_items: list[Any]) -> tuple[list[Any], dict[int, ItemResultOut]]:
    """Items that parse, with their positions; the others are rejected right here."""
    parsed: list[tuple[int, Declaration]] = []
    rejected: dict[int, ItemResultOut] = {}
    for index, raw in enumerate(raw_items):
        try:
            item = parse_item(raw)
        except ValidationError as exc:
            errors = [
                {
                    "code": Code.INVALID_VALUE.value,
                    "field": ".".join(str(p) for p in e["loc"]) or "(item)",
                    "message": e["msg"],
                }
                for e in exc.errors()
            ]
            rejected[index] = _rejected(index, raw, errors)
            continue
        if item.provider_id is not None and item.provider_id != provider_id:
            msg = "provider_id must be the token's provider"
            errors = [{"code": Code.NOT_AUTHORISED.value, "field": "provider_id", "message": msg}]
            rejected[index] = _rejected(index, raw, errors)
            continue
        parsed.append((index, _declaration(provider_id, item)))
    return parsed, rejected


def _span(items: list[Declaration]) -> tuple[datetime, datetime]:
    starts, ends = [], []
    for d in items:
        if isinstance(d, MealDeclaration):
            starts.append(datetime.combine(d.day, datetime.min.time()))
            ends.append(datetime.combine(d.day, datetime.max.time()))
        else:
            starts.append(d.start.replace(tzinfo=None))
            ends.append(d.end.replace(tzinfo=None))
    return min(starts), max(ends)


async def ingest(
    session: AsyncSession,
    outbox: Table,
    provider_id: str,
    raw_items: list[Any],
    *,
    source: str,
    now: datetime | None = None,
) -> list[ItemResultOut]:
    """Decide and store a batch; per-item results in the order of the items."""
    if len(raw_items) > BATCH_LIMIT:
        raise as_problem(BatchTooLarge(len(raw_items), BATCH_LIMIT))
    now = now or local_now()
    parsed, results = _parse(provider_id, raw_items)
    if parsed:
        decls = [d for _, d in parsed]
        children = {d.child_id for d in decls}
        lo, hi = _span(decls)
        # Not guarded by the lock (it serialises the provider's records only), so read first.
        known = await registry.load_providers(session, [provider_id])
        contracts = await registry.contracts_of(
            session, provider_id=provider_id, child_ids=children
        )
        closed = await registry.closed_months(session)
        # Rows and events of every item as if accepted, built before the lock is taken.
        prepared = _prepare(decls, closed, now=now, source=source)
        await repository.lock_provider(session, provider_id)  # held until the commit
        p, m, r, stored_ids = await repository.load_records(
            session,
            provider_id,
            [d.record_id for d in decls],
            children,
            lo,
            hi,
            kinds={KIND[type(d)] for d in decls},
        )
        state = AttendanceState(
            providers=known, contracts=contracts, presences=p, meals=m, reservations=r
        )
        decided = process_batch(decls, state, now=now, closed_months=closed)
        outs = await _store(session, outbox, decls, decided, stored_ids, prepared)
        for (index, _), out in zip(parsed, outs, strict=True):
            out.index = index
            results[index] = out
    return [results[i] for i in range(len(raw_items))]


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What an item writes if accepted: its id, row, first version and outbox row."""

    id: str
    row: dict[str, Any]
    version: dict[str, Any]
    outbox: dict[str, Any]


def _prepare(
    decls: list[Declaration], closed: set[str], *, now: datetime, source: str
) -> list[_Prepared]:
    """Ids, rows and events of all items, built as the domain would on acceptance (the
    event is `recorded_event`, exactly what `process_batch` emits for an accepted item)."""
    created = datetime.now(UTC)
    ids = [str(uuid.uuid4()) for _ in decls]
    events = [(recorded_event(d, closed), i) for d, i in zip(decls, ids, strict=True)]
    staged = staged_events(events, source=source)
    return [
        _Prepared(record_id, *_rows(d, record_id, created, now), row)
        for d, record_id, row in zip(decls, ids, staged, strict=True)
    ]


async def _store(
    session: AsyncSession,
    outbox: Table,
    decls: list[Declaration],
    decided: list[ItemResult],
    stored_ids: dict[str, dict[tuple[str, str], str]],
    prepared: list[_Prepared],
) -> list[ItemResultOut]:
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("presence", "meal", "reservation")}
    versions: dict[str, list[dict[str, Any]]] = {"presence": [], "meal": []}
    staged: list[dict[str, Any]] = []
    checked: set[str] = set()
    outs = []
    for decl, result, ready in zip(decls, decided, prepared, strict=True):
        kind = KIND[type(decl)]
        ids = stored_ids[kind]
        key = (decl.provider_id, decl.record_id)
        outcome = result.outcome
        errors: list[Problem] = []
        if outcome is Outcome.ACCEPTED:
            record_id: str | None = ready.id
            ids[key] = ready.id
            rows[kind].append(ready.row)
            if kind in versions:
                versions[kind].append(ready.version)
            if kind not in checked:  # the first event of each type meets its schema
                check_staged(ready.outbox)
                checked.add(kind)
            staged.append(ready.outbox)
        else:
            record_id = ids.get(key)
            if outcome is Outcome.REJECTED:
                errors = [_problem(violation_json(v)) for v in result.violations]
        outs.append(_result(result.index, decl.record_id, kind, outcome.value, record_id, errors))
    await repository.insert_all(
        session,
        [
            (presences, rows["presence"]),
            (presence_versions, versions["presence"]),
            (meals, rows["meal"]),
            (meal_versions, versions["meal"]),
            (reservations, rows["reservation"]),
            (outbox, staged),
        ],
    )
    return outs


def _rows(
    decl: Declaration, record_id: str, created: datetime, recorded_at: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    row: dict[str, Any] = {
        "id": record_id,
        "provider_id": decl.provider_id,
        "provider_record_id": decl.record_id,
        "child_id": decl.child_id,
        "version": 1,
        "status": "active",
        "created_at": created,
    }
    version: dict[str, Any] = {
        "version": 1,
        "status": "active",
        "reason": None,
        "recorded_at": recorded_at,
    }
    if isinstance(decl, MealDeclaration):
        row |= {"day": decl.day, "count": decl.count}
        version |= {"meal_id": record_id, "day": decl.day, "count": decl.count}
    else:
        row |= {"start": decl.start, "end": decl.end}
        version |= {"presence_id": record_id, "start": decl.start, "end": decl.end}
    return row, version
