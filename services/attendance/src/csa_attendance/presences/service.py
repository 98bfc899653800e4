"""Use cases of ingest: decide a batch with the pure domain, then persist it in bulk.

One transaction per request: the state is loaded with a handful of set queries (the
registry's and the closed periods before the per-provider lock, the records under the lock),
the domain decides every item (`process_batch`), and accepted records, their first versions
and their outbox rows are written in bulk (`bulk.insert_all`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from csa_attendance.domain.batch import BATCH_LIMIT, ItemResult, Outcome, process_batch
from csa_attendance.domain.errors import BatchTooLarge, Code, Violation
from csa_attendance.domain.ledger import AttendanceState
from csa_attendance.domain.records import (
    Declaration,
    MealDeclaration,
    PresenceDeclaration,
    ReservationDeclaration,
    first_version,
)
from csa_attendance.events import check_staged, staged_events
from csa_attendance.presences import bulk, repository
from csa_attendance.presences.one_statement import (
    Clear,
    MealClear,
    execute_if_clear,
    insert_if_clear,
)
from csa_attendance.presences.schemas import Item, MealIn, parse_item
from csa_attendance.registry.cache import cache_of, caches, registry_of
from csa_attendance.tables import meals, presences, registry_version, reservations
from csa_shared.clock import luxembourg_now
from csa_shared.db import WARM_EXECUTIONS
from csa_shared.ids import uuid4_strings
from csa_shared.messaging.outbox import OUTBOX_COLUMNS, outbox_batch_rows
from csa_shared.runtime import ServiceRuntime

KIND = {
    PresenceDeclaration: "presence",
    MealDeclaration: "meal",
    ReservationDeclaration: "reservation",
}
# An outcome's text (`Outcome.value` goes through the enum's descriptor: slower, per item).
_TEXT = {outcome: outcome.value for outcome in Outcome}
NOT_THE_TOKENS_PROVIDER = Violation(
    Code.NOT_AUTHORISED, "provider_id", "provider_id must be the token's provider"
)


@dataclass(slots=True)
class ItemOutcome:
    """The outcome of one item (`ItemResultOut` documents it as JSON): accepted, duplicate
    or rejected with its violations; a plain dataclass, built once per item."""

    index: int
    record_id: str | None
    kind: str | None
    outcome: str
    id: str | None
    errors: Sequence[Violation]


def _declaration(provider_id: str, item: Item) -> Declaration:
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


def _invalid(index: int, raw: Any, exc: ValidationError) -> ItemOutcome:
    """The outcome of an item that does not parse: its reasons, field by field."""
    errors = [
        Violation(Code.INVALID_VALUE, ".".join(str(p) for p in e["loc"]) or "(item)", e["msg"])
        for e in exc.errors()
    ]
    record_id = raw.get("record_id") if isinstance(raw, dict) else None
    kind = raw.get("kind", "presence") if isinstance(raw, dict) else None
    return ItemOutcome(
        index,
        record_id if isinstance(record_id, str) else None,
        kind if isinstance(kind, str) else None,
        "rejected",
        None,
        errors,
    )


def _sort(
    provider_id: str, items: Sequence[object]
) -> tuple[list[tuple[int, Declaration]], dict[int, ItemOutcome]]:
    """The items that are valid and the provider's, as declarations with their positions;
    the others' outcomes (rejected) by position. An item already validated (a model) is
    taken as is, a JSON value is validated here."""
    parsed: list[tuple[int, Declaration]] = []
    rejected: dict[int, ItemOutcome] = {}
    for index, raw in enumerate(items):
        if isinstance(raw, BaseModel):
            item: Item = raw  # type: ignore[assignment]
        else:
            try:
                item = parse_item(raw)
            except ValidationError as exc:
                rejected[index] = _invalid(index, raw, exc)
                continue
        if item.provider_id is not None and item.provider_id != provider_id:
            rejected[index] = ItemOutcome(
                index, item.record_id, item.kind, "rejected", None, [NOT_THE_TOKENS_PROVIDER]
            )
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
            start, end = d.start, d.end
            # (naive already, but for an offset the validation will refuse)
            starts.append(start if start.tzinfo is None else start.replace(tzinfo=None))
            ends.append(end if end.tzinfo is None else end.replace(tzinfo=None))
    return min(starts), max(ends)


async def ingest(
    session: AsyncSession,
    outbox: Table,
    provider_id: str,
    items: Sequence[object],
    *,
    source: str,
    now: datetime | None = None,
) -> list[ItemOutcome]:
    """Decide and store a batch; per-item outcomes in the order of the items.

    `items` as posted: models already validated (`schemas.valid_batch` checks a whole body
    at once; `POST /presences` posts one) or JSON values, validated here one by one; the
    same outcomes either way. More than `BATCH_LIMIT` items: `BatchTooLarge`, nothing
    looked at. All in `session`'s transaction (a request's single new record in one round
    trip is `record`'s)."""
    if len(items) > BATCH_LIMIT:
        raise BatchTooLarge(len(items), BATCH_LIMIT)
    parsed, results = _sort(provider_id, items)
    now = now or luxembourg_now()
    if parsed:
        decls = [d for _, d in parsed]
        decided, stored_ids = await _decide(session, provider_id, decls, now)
        outs = await _store(session, outbox, decls, decided, stored_ids, source=source)
        for (index, _), out in zip(parsed, outs, strict=True):
            out.index = index
            results[index] = out
    return [results[i] for i in range(len(items))]


async def record(
    runtime: ServiceRuntime, provider_id: str, items: Sequence[object]
) -> list[ItemOutcome]:
    """A request's ingest (`POST /presences`, `POST /meals`, `POST /declarations/batch`),
    committed before it returns: a single item that is a valid new presence or meal the
    cached registry accepts in one round trip with no session (`_one_statement`); anything
    else `ingest`ed in the request's unit of work (`runtime.unit_of_work`), with the same
    outcome the one round trip would have given."""
    if len(items) == 1:
        parsed, _ = _sort(provider_id, items)
        if len(parsed) == 1:
            ((_, decl),) = parsed
            fast = await _one_statement(
                runtime.engine, runtime.outbox, decl, luxembourg_now(), source=runtime.source
            )
            if fast is not None:
                runtime.relay.wake()
                return [fast]
    async with runtime.unit_of_work() as unit:
        return await ingest(unit, runtime.outbox, provider_id, items, source=runtime.source)


async def _decide(
    session: AsyncSession, provider_id: str, decls: list[Declaration], now: datetime
) -> tuple[list[ItemResult], dict[str, dict[tuple[str, str], str]]]:
    """The domain's decision on each declaration, against the state it loads (under the
    provider's lock, held until the commit), and the stored records' ids by kind."""
    children = {d.child_id for d in decls}
    lo, hi = _span(decls)
    # Not guarded by the lock (it serialises the provider's records only), so read first.
    known = await registry_of(session, provider_id, children)
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
        providers=known.providers, contracts=known.contracts, presences=p, meals=m, reservations=r
    )
    return process_batch(decls, state, now=now, closed_months=known.closed), stored_ids


async def _one_statement(
    engine: AsyncEngine,
    outbox: Table,
    decl: Declaration,
    now: datetime,
    *,
    source: str,
) -> ItemOutcome | None:
    """A single new presence or meal in one round trip (`one_statement`), decided against
    the cached registry and an assumed ledger (a presence: empty; a meal: one presence of
    the child at the provider that day); None when that does not apply (another kind, not
    cached, not accepted so, or the statement found the ledger or registry otherwise): the
    caller then takes the full path."""
    if not isinstance(decl, PresenceDeclaration | MealDeclaration) or not caches(engine):
        return None
    known = cache_of(engine).get(decl.provider_id, (decl.child_id,))
    if known is None or known.version is None:
        return None
    clear: Clear | MealClear
    if isinstance(decl, MealDeclaration):
        state = AttendanceState(
            providers=known.providers,
            contracts=known.contracts,
            presences=[first_version(_presence_on(decl), now=now)],
        )
        clear = MealClear(known.version, decl.provider_id, decl.record_id, decl.child_id, decl.day)
    else:
        state = AttendanceState(providers=known.providers, contracts=known.contracts)
        lo, hi = _span([decl])
        clear = Clear(known.version, decl.provider_id, decl.record_id, decl.child_id, lo, hi)
    decided = process_batch([decl], state, now=now, closed_months=known.closed)
    if decided[0].outcome is not Outcome.ACCEPTED:
        return None
    ids: dict[str, dict[tuple[str, str], str]] = {KIND[type(decl)]: {}}
    (out,), writes = _outcomes_and_writes(outbox, [decl], decided, ids, source=source)
    rows = [(table, found[0]) for table, found in writes]
    return out if await insert_if_clear(engine, rows, clear) else None


def _presence_on(meal: MealDeclaration) -> PresenceDeclaration:
    """A presence of the meal's child at its provider starting on its day: what the
    one-statement check (`attendance_meal_clear`) finds stored before it writes."""
    start = datetime.combine(meal.day, time(12))
    return PresenceDeclaration(
        provider_id=meal.provider_id,
        record_id="",
        child_id=meal.child_id,
        start=start,
        end=start + timedelta(minutes=1),
    )


async def _store(
    session: AsyncSession,
    outbox: Table,
    decls: list[Declaration],
    decided: list[ItemResult],
    stored_ids: dict[str, dict[tuple[str, str], str]],
    *,
    source: str,
) -> list[ItemOutcome]:
    """Rows and outbox rows of the accepted items written in bulk; the results of all."""
    outs, writes = _outcomes_and_writes(outbox, decls, decided, stored_ids, source=source)
    await bulk.insert_all(session, writes)
    return outs


def _outcomes_and_writes(
    outbox: Table,
    decls: list[Declaration],
    decided: list[ItemResult],
    stored_ids: dict[str, dict[tuple[str, str], str]],
    *,
    source: str,
) -> tuple[list[ItemOutcome], list[tuple[Table, list[dict[str, Any]]]]]:
    """The results of all items, and the rows and outbox rows of the accepted ones (their
    events are the domain's, `ItemResult.event`), by table, the tables without rows left
    out. A record's version 1 is its row (`repository.first_version`); the events go to
    the outbox as one row."""
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
        errors: Sequence[Violation] = ()
        if is_new:
            record_id: str | None = next(new_ids)
            assert record_id is not None and result.event is not None
            ids[key] = record_id
            rows[kind].append(_row(decl, record_id, created))
            events.append((result.event, record_id))
        else:
            record_id = ids.get(key)
            if result.outcome is Outcome.REJECTED:
                errors = result.violations
        outcome = _TEXT[result.outcome]
        outs.append(ItemOutcome(result.index, decl.record_id, kind, outcome, record_id, errors))
    staged = staged_events(events, source=source)
    checked: set[type] = set()
    for (event, _), row in zip(events, staged, strict=True):
        if type(event) not in checked:  # the first event of each type meets its schema;
            check_staged(row)  # the others share its shape (same code, same dataclass)
            checked.add(type(event))
    writes = [
        (presences, rows["presence"]),
        (meals, rows["meal"]),
        (reservations, rows["reservation"]),
        (outbox, outbox_batch_rows(staged)),
    ]
    return outs, [(table, found) for table, found in writes if found]


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


async def warm(connection: AsyncConnection, outbox: Table) -> None:
    """The one-statement write of a new presence (the hot path of `POST /v1/presences`)
    prepared and planned on `connection`, its check function compiled there: executed
    `WARM_EXECUTIONS` times with the statement's exact shape (a presence's row and its
    outbox row, as `_outcomes_and_writes` makes them) and the registry's current version,
    so every part of it runs. The caller rolls back (`warm_up_pool`): nothing stays."""
    version = (await connection.execute(select(registry_version.c.version))).scalar_one()
    start = datetime(2000, 1, 3, 8)
    decl = PresenceDeclaration(
        provider_id="warm-up",
        record_id="warm-up",
        child_id="warm-up",
        start=start,
        end=start + timedelta(hours=1),
    )
    created = datetime.now(UTC)
    event = dict.fromkeys(OUTBOX_COLUMNS, "warm-up") | {"created_at": created}
    writes = [(presences, _row(decl, "warm-up", created)), (outbox, event)]
    lo, hi = _span([decl])
    for _ in range(WARM_EXECUTIONS):
        clear = Clear(version, decl.provider_id, decl.record_id, decl.child_id, lo, hi)
        await execute_if_clear(connection, writes, clear)
