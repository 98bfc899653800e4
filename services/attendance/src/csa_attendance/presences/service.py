"""Use cases of ingest: decide a batch with the pure domain, then persist it in bulk.

One transaction per request: the state is loaded with a handful of set queries (the
registry's and the closed periods before the per-provider lock, the records under the lock),
the domain decides every item (`process_batch`), and accepted records, their first versions
and their outbox rows are written in bulk (`repository.insert_all`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.domain.batch import BATCH_LIMIT, ItemResult, Outcome, process_batch
from csa_attendance.domain.errors import BatchTooLarge, Code
from csa_attendance.domain.ledger import AttendanceState
from csa_attendance.domain.records import (
    Declaration,
    MealDeclaration,
    PresenceDeclaration,
    ReservationDeclaration,
)
from csa_attendance.events import envelopes, outbox_rows
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
        [Problem.model_construct(**e) for e in errors],
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
        await repository.lock_provider(session, provider_id)
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
        outs = await _store(session, outbox, decls, decided, stored_ids, source=source)
        for (index, _), out in zip(parsed, outs, strict=True):
            out.index = index
            results[index] = out
    return [results[i] for i in range(len(raw_items))]


async def _store(
    session: AsyncSession,
    outbox: Table,
    decls: list[Declaration],
    decided: list[ItemResult],
    stored_ids: dict[str, dict[tuple[str, str], str]],
    *,
    source: str,
) -> list[ItemResultOut]:
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("presence", "meal", "reservation")}
    versions: dict[str, list[dict[str, Any]]] = {"presence": [], "meal": []}
    events: list[tuple[Any, str]] = []
    created = datetime.now(UTC)
    outs = []
    for decl, result in zip(decls, decided, strict=True):
        kind = KIND[type(decl)]
        ids = stored_ids[kind]
        key = (decl.provider_id, decl.record_id)
        outcome = result.outcome
        errors: list[Problem] = []
        if outcome is Outcome.REJECTED:
            errors = [Problem.model_construct(**violation_json(v)) for v in result.violations]
            record_id = ids.get(key)
        elif outcome is Outcome.ACCEPTED:
            record_id = ids[key] = str(uuid.uuid4())
            row, version = _rows(decl, record_id, created, result)
            rows[kind].append(row)
            if kind in versions:
                versions[kind].append(version)
            events.append((result.event, record_id))
        else:
            record_id = ids.get(key)
        outs.append(_result(result.index, decl.record_id, kind, outcome.value, record_id, errors))
    await repository.insert_all(
        session,
        [
            (presences, rows["presence"]),
            (presence_versions, versions["presence"]),
            (meals, rows["meal"]),
            (meal_versions, versions["meal"]),
            (reservations, rows["reservation"]),
            (outbox, outbox_rows(envelopes(events, source=source))),
        ],
    )
    return outs


def _rows(
    decl: Declaration, record_id: str, created: datetime, result: ItemResult
) -> tuple[dict[str, Any], dict[str, Any]]:
    assert result.record is not None
    recorded_at = result.record.current.recorded_at
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
