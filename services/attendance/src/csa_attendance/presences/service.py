"""Use cases of ingest: decide a batch with the pure domain, then persist it in bulk.

One transaction per request: the state is loaded with a handful of set queries (the
registry's and the closed periods before the per-provider lock, the records under the lock),
the domain decides every item (`process_batch`), and accepted records, their first versions
and their outbox rows are written in bulk (`repository.insert_all`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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
from csa_attendance.events import check_staged, staged_events
from csa_attendance.presences import repository
from csa_attendance.presences.schemas import Item, MealIn, Problem, parse_item
from csa_attendance.problems import as_problem, violation_json
from csa_attendance.registry import repository as registry
from csa_attendance.tables import meals, presences, reservations
from csa_shared.clock import luxembourg_now
from csa_shared.ids import uuid4_strings
from csa_shared.messaging.outbox import outbox_batch_rows

KIND = {
    PresenceDeclaration: "presence",
    MealDeclaration: "meal",
    ReservationDeclaration: "reservation",
}


def _rejected(index: int, raw: Any, errors: list[dict[str, str]]) -> ItemOutcome:
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


@dataclass(slots=True)
class ItemOutcome:
    """The result of one item, as `ItemResultOut` documents it, built without a pydantic
    model per item (values already checked); `as_json` is its JSON object."""

    index: int
    record_id: str | None
    kind: str | None
    outcome: str
    id: str | None
    errors: list[Problem]

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "record_id": self.record_id,
            "kind": self.kind,
            "outcome": self.outcome,
            "id": self.id,
            "errors": [e.model_dump() for e in self.errors] if self.errors else [],
        }


def _result(
    index: int,
    record_id: str | None,
    kind: str | None,
    outcome: str,
    id_: str | None,
    errors: list[Problem],
) -> ItemOutcome:
    return ItemOutcome(index, record_id, kind, outcome, id_, errors)


def _declaration(provider_id: str, item: Any) -> Declaration:
    if isinstance(item, MealIn):
        return MealDeclaration(
            provider_id=provider_id,
            record_id=item.record_id,
            child_id=item.child_id,
            day=item.day,
            count=item.count,
        )
    kind = PresenceDeclaration if item.kind == "presence" else ReservationDeclaration
    return kind(
        provider_id=provider_id,
        record_id=item.record_id,
        child_id=item.child_id,
        start=item.start,
        end=item.end,
    )


def _parse(provider_id: str, raw_items: list[Any]) -> tuple[list[Any], dict[int, ItemOutcome]]:
    """Items that parse, with their positions; the others are rejected right here."""
    parsed: list[tuple[int, Declaration]] = []
    rejected: dict[int, ItemOutcome] = {}
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
        _sort(provider_id, index, item, parsed, rejected)
    return parsed, rejected


def _sort(
    provider_id: str,
    index: int,
    item: Item,
    parsed: list[tuple[int, Declaration]],
    rejected: dict[int, ItemOutcome],
) -> None:
    """A valid item to `parsed` as a declaration, or to `rejected` if for another provider."""
    if item.provider_id is not None and item.provider_id != provider_id:
        msg = "provider_id must be the token's provider"
        errors = [{"code": Code.NOT_AUTHORISED.value, "field": "provider_id", "message": msg}]
        rejected[index] = _rejected(index, {"record_id": item.record_id, "kind": item.kind}, errors)
        return
    parsed.append((index, _declaration(provider_id, item)))


def _span(items: list[Declaration]) -> tuple[datetime, datetime]:
    starts, ends = [], []
    for d in items:
        if isinstance(d, MealDeclaration):
            starts.append(datetime.combine(d.day, datetime.min.time()))
            ends.append(datetime.combine(d.day, datetime.max.time()))
        else:
            start, end = d.start, d.end
            # (naive already, but for an offset the validation will refuse)
            starts.append(start if start.tzinfo is None else start.replace(tzinfo=None))
            ends.append(end if end.tzinfo is None else end.replace(tzinfo=None))
    return min(starts), max(ends)


async def ingest(
    session: AsyncSession,
    outbox: Table,
    provider_id: str,
    raw_items: list[Any],
    *,
    source: str,
    now: datetime | None = None,
) -> list[ItemOutcome]:
    """Decide and store a batch; per-item results in the order of the items."""
    if len(raw_items) > BATCH_LIMIT:
        raise as_problem(BatchTooLarge(len(raw_items), BATCH_LIMIT))
    parsed, results = _parse(provider_id, raw_items)
    return await _ingest(session, outbox, provider_id, parsed, results, len(raw_items), source, now)


async def ingest_valid(
    session: AsyncSession,
    outbox: Table,
    provider_id: str,
    items: list[Item],
    *,
    source: str,
    now: datetime | None = None,
) -> list[ItemOutcome]:
    """`ingest` of items already validated (the whole body at once, `schemas.valid_batch`):
    the same results as `ingest` of their JSON."""
    if len(items) > BATCH_LIMIT:
        raise as_problem(BatchTooLarge(len(items), BATCH_LIMIT))
    parsed: list[tuple[int, Declaration]] = []
    results: dict[int, ItemOutcome] = {}
    for index, item in enumerate(items):
        _sort(provider_id, index, item, parsed, results)
    return await _ingest(session, outbox, provider_id, parsed, results, len(items), source, now)


async def _ingest(
    session: AsyncSession,
    outbox: Table,
    provider_id: str,
    parsed: list[tuple[int, Declaration]],
    results: dict[int, ItemOutcome],
    size: int,
    source: str,
    now: datetime | None,
) -> list[ItemOutcome]:
    now = now or luxembourg_now()
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
        outs = await _store(session, outbox, decls, decided, stored_ids, source=source)
        for (index, _), out in zip(parsed, outs, strict=True):
            out.index = index
            results[index] = out
    return [results[i] for i in range(size)]


async def _store(
    session: AsyncSession,
    outbox: Table,
    decls: list[Declaration],
    decided: list[ItemResult],
    stored_ids: dict[str, dict[tuple[str, str], str]],
    *,
    source: str,
) -> list[ItemOutcome]:
    """Rows and outbox rows of the accepted items (their events are the domain's,
    `ItemResult.event`), written in bulk; the results of all items. A record's version 1 is
    its row (`repository.first_version`); the events go to the outbox as one row."""
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("presence", "meal", "reservation")}
    events: list[tuple[Any, str]] = []
    created = datetime.now(UTC)
    outs = []
    accepted = [r.outcome is Outcome.ACCEPTED for r in decided]
    new_ids = iter(uuid4_strings(sum(accepted)))
    for decl, result, is_new in zip(decls, decided, accepted, strict=True):
        kind = KIND[type(decl)]
        ids = stored_ids[kind]
        key = (decl.provider_id, decl.record_id)
        errors: list[Problem] = []
        if is_new:
            record_id: str | None = next(new_ids)
            assert record_id is not None and result.event is not None
            ids[key] = record_id
            rows[kind].append(_row(decl, record_id, created))
            events.append((result.event, record_id))
        else:
            record_id = ids.get(key)
            if result.outcome is Outcome.REJECTED:
                errors = [_problem(violation_json(v)) for v in result.violations]
        outs.append(
            _result(result.index, decl.record_id, kind, result.outcome.value, record_id, errors)
        )
    staged = staged_events(events, source=source)
    checked: set[type] = set()
    for (event, _), row in zip(events, staged, strict=True):
        if type(event) not in checked:  # the first event of each type meets its schema;
            check_staged(row)  # the others share its shape (same code, same dataclass)
            checked.add(type(event))
    await repository.insert_all(
        session,
        [
            (presences, rows["presence"]),
            (meals, rows["meal"]),
            (reservations, rows["reservation"]),
            (outbox, outbox_batch_rows(staged)),
        ],
    )
    return outs


def _row(decl: Declaration, record_id: str, created: datetime) -> dict[str, Any]:
    row = {
        "id": record_id,
        "provider_id": decl.provider_id,
        "provider_record_id": decl.record_id,
        "child_id": decl.child_id,
        "version": 1,
        "status": "active",
        "created_at": created,
    }
    if isinstance(decl, MealDeclaration):
        row["day"], row["count"] = decl.day, decl.count
    else:
        row["start"], row["end"] = decl.start, decl.end
    return row
