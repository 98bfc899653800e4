"""Projection of attendance events: providers, education contracts and the care records.

Every handler is version-aware (an older event never overwrites a newer one) and flags the
child's closed billing periods the event touches for re-billing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.projections.store import (
    closed_months,
    mark_dirty,
    mark_dirty_between,
    mark_provider_dirty,
    months_of_days,
    months_of_intervals,
    upsert_versioned,
    upsert_versioned_many,
)
from csa_billing.tables import (
    education_contract_projection,
    meal_projection,
    other_charge_projection,
    presence_projection,
    provider_terms,
    reservation_projection,
    service_sheet_projection,
)
from csa_shared.events import Envelope


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _presence_row(data: dict, *, voided: bool) -> dict[str, Any]:
    return {
        "presence_id": data["presence_id"],
        "provider_id": data["provider_id"],
        "child_id": data["child_id"],
        "start": _at(data.get("start") or data["previous_start"]),
        "end": _at(data.get("end") or data["previous_end"]),
        "version": data["version"],
        "voided": voided,
    }


def _presence_months(row: dict[str, Any], data: dict) -> set[str]:
    """The billing months the presence's old and new times touch (re-billed when closed)."""
    previous = data.get("previous_start"), data.get("previous_end")
    before = (_at(previous[0]), _at(previous[1])) if all(previous) else None
    return months_of_intervals((row["start"], row["end"]), before)


VOIDED = "lu.csa.attendance.presence.voided.v1"


@dataclass(frozen=True)
class Records:
    """How one kind of record's events project: into ``table`` (single-column primary key
    ``key``), each event as ``row``; a changed row re-bills the closed ``months`` of its
    old and new dates."""

    table: Table
    key: str
    row: Callable[[Envelope], dict[str, Any]]
    months: Callable[[dict[str, Any], Envelope], set[str]]

    def first_run(self, events: list[Envelope]) -> int:
        """How many leading events have distinct records (one upsert cannot touch a row
        twice; an event id repeated repeats its record)."""
        seen: set[str] = set()
        for at, event in enumerate(events):
            if event.data[self.key] in seen:
                return at
            seen.add(event.data[self.key])
        return len(events)


async def on_records(
    session: AsyncSession, records: Records, events: list[Envelope], frozen: set[str] | None = None
) -> None:
    """Consecutive events of one kind of record in as few statements as the same as one by
    one: one upsert per run of distinct records, the closed months read once (``frozen``:
    when the caller read them already); a record's second event in the run starts the next
    statement."""
    start = 0
    while start < len(events):
        end = start + records.first_run(events[start:])
        group = [(event, records.row(event)) for event in events[start:end]]
        changed = await upsert_versioned_many(
            session, records.table, records.key, [row for _, row in group]
        )
        if changed:
            if frozen is None:
                frozen = await closed_months(session)
            if frozen:
                await mark_changed(session, records, group, changed, frozen)
        start = end


async def mark_changed(
    session: AsyncSession,
    records: Records,
    group: list[tuple[Envelope, dict[str, Any]]],
    changed: set[str],
    closed: set[str],
) -> None:
    """The child's periods in the `closed` months each changed record of `group` (its event
    and row) touches, old and new dates, flagged for re-billing."""
    for event, row in group:
        if row[records.key] in changed:
            await mark_dirty(session, event.data["child_id"], records.months(row, event), closed)


async def _one(session: AsyncSession, records: Records, event: Envelope) -> None:
    """One event of `records`' kind: its row inserted or advanced (an older version never
    overwrites a newer one); when it changed, the closed periods it touches re-billed."""
    row = records.row(event)
    key = {records.key: row.pop(records.key)}
    if await upsert_versioned(session, records.table, key, row):
        await mark_dirty(session, event.data["child_id"], records.months(row, event))


def meal_row(event: Envelope) -> dict[str, Any]:
    data = event.data
    return {
        "meal_id": data["meal_id"],
        "provider_id": data["provider_id"],
        "child_id": data["child_id"],
        "day": date.fromisoformat(data["day"]),
        "count": data["count"],
        "voided": bool(data.get("voided", False)),
        "version": data["version"],
    }


def meal_months(row: dict[str, Any], event: Envelope) -> set[str]:
    """The billing months of the meal's old and new days."""
    return months_of_days(row["day"], _day(event.data.get("previous_day")))


PRESENCES = Records(
    presence_projection,
    "presence_id",
    lambda event: _presence_row(event.data, voided=event.type == VOIDED),
    lambda row, event: _presence_months(row, event.data),
)
MEALS = Records(meal_projection, "meal_id", meal_row, meal_months)


async def on_presences(
    session: AsyncSession, events: list[Envelope], frozen: set[str] | None = None
) -> None:
    """Consecutive presence events (recorded, corrected, voided): ``on_records``."""
    await on_records(session, PRESENCES, events, frozen)


async def on_meals(
    session: AsyncSession, events: list[Envelope], frozen: set[str] | None = None
) -> None:
    """Consecutive meal events (recorded, corrected, voided by a correction): ``on_records``."""
    await on_records(session, MEALS, events, frozen)


async def on_presence_recorded(session: AsyncSession, event: Envelope) -> None:
    """Insert or advance the presence; an older version never overwrites a newer one."""
    await _one(session, PRESENCES, event)


async def on_presence_corrected(session: AsyncSession, event: Envelope) -> None:
    await _one(session, PRESENCES, event)


async def on_presence_voided(session: AsyncSession, event: Envelope) -> None:
    await _one(session, PRESENCES, event)  # (voided: the event's type, `PRESENCES.row`)


async def on_meal(session: AsyncSession, event: Envelope) -> None:
    """meal.recorded and meal.corrected (a correction may void the meal)."""
    await _one(session, MEALS, event)


async def on_reservation_recorded(session: AsyncSession, event: Envelope) -> None:
    """A newer version of a reservation re-bills the closed periods of its old and new
    times (both read before the upsert)."""
    data = event.data
    start, end = _at(data["start"]), _at(data["end"])
    table = reservation_projection
    before = (
        await session.execute(
            select(table.c.start, table.c.end).where(
                table.c.reservation_id == data["reservation_id"]
            )
        )
    ).first()
    changed = await upsert_versioned(
        session,
        reservation_projection,
        {"reservation_id": data["reservation_id"]},
        {
            "provider_id": data["provider_id"],
            "child_id": data["child_id"],
            "start": start,
            "end": end,
            "version": data["version"],
        },
    )
    if changed:
        months = months_of_intervals((start, end), tuple(before) if before else None)
        await mark_dirty(session, data["child_id"], months)


async def on_service_sheet_submitted(session: AsyncSession, event: Envelope) -> None:
    """An AP service sheet replaces the earlier sheet of its child, provider and month."""
    data = event.data
    changed = await upsert_versioned(
        session,
        service_sheet_projection,
        {"provider_id": data["provider_id"], "child_id": data["child_id"], "month": data["month"]},
        {
            "sheet_id": data["sheet_id"],
            "days": json.dumps(data["days"]),
            "version": data["version"],
        },
    )
    if changed:
        await mark_dirty(session, data["child_id"], {data["month"]})


async def on_other_charge_recorded(session: AsyncSession, event: Envelope) -> None:
    data = event.data
    day = date.fromisoformat(data["day"])
    changed = await upsert_versioned(
        session,
        other_charge_projection,
        {"charge_id": data["charge_id"]},
        {
            "provider_id": data["provider_id"],
            "child_id": data["child_id"],
            "day": day,
            "kind": data["kind"],
            "amount": Decimal(data["amount"]),
            "description": data["description"],
            "version": data["version"],
        },
    )
    if changed:
        await mark_dirty(session, data["child_id"], months_of_days(day))


async def on_provider(session: AsyncSession, event: Envelope) -> None:
    """provider.registered / provider.changed: terms dated from ``effective_from``.

    New terms re-price the closed periods from ``effective_from`` (all of them when these
    are the provider's first terms: they then also apply to the earlier records)."""
    data = event.data
    effective = date.fromisoformat(data["effective_from"])
    changed = await upsert_versioned(
        session,
        provider_terms,
        {"provider_id": data["provider_id"], "effective_from": effective},
        {
            "provider_type": data["provider_type"],
            "name": data["name"],
            "commune": data["commune"],
            "hourly_price": Decimal(data["hourly_price"]),
            "meal_price": Decimal(data["meal_price"]),
            "plurilingual": data["plurilingual"],
            "iban": data.get("iban"),  # absent from events before bank details existed
            "bic": data.get("bic"),
            "address": json.dumps(data["address"], sort_keys=True) if data.get("address") else None,
            "version": data["version"],
        },
    )
    if changed:
        earlier = await session.execute(
            select(provider_terms.c.effective_from).where(
                provider_terms.c.provider_id == data["provider_id"],
                provider_terms.c.effective_from < effective,
            )
        )
        since = effective if earlier.first() is not None else None
        await mark_provider_dirty(session, data["provider_id"], since)


async def on_education_contract_started(session: AsyncSession, event: Envelope) -> None:
    """A child's contract at a provider (price, billing mode, dates); a new version re-bills
    the closed periods covered by the old or the new dates."""
    data = event.data
    table = education_contract_projection
    before = (
        await session.execute(
            select(table.c.start, table.c.end).where(table.c.contract_id == data["contract_id"])
        )
    ).first()
    start, end = _day(data["start"]), _day(data.get("end"))
    changed = await upsert_versioned(
        session,
        table,
        {"contract_id": data["contract_id"]},
        {
            "provider_id": data["provider_id"],
            "child_id": data["child_id"],
            "start": start,
            "end": end,
            "hourly_price": Decimal(data["hourly_price"]),
            "billing_mode": data["billing_mode"],
            "version": data["version"],
        },
    )
    if changed:
        if before is not None:
            start = min(before.start, start) if start else before.start
            end = None if end is None or before.end is None else max(before.end, end)
        await mark_dirty_between(session, data["child_id"], start, end)


async def on_education_contract_ended(session: AsyncSession, event: Envelope) -> None:
    """Dates the end of a known education contract (an unknown one is ignored); the closed
    periods between the old and the new end are re-billed."""
    data = event.data
    table = education_contract_projection
    before = (
        await session.execute(
            select(table.c.child_id, table.c.end).where(
                table.c.contract_id == data["contract_id"], table.c.version < data["version"]
            )
        )
    ).first()
    if before is None:
        return
    end = _day(data["end"])
    await session.execute(
        table.update()
        .where(table.c.contract_id == data["contract_id"], table.c.version < data["version"])
        .values(end=end, version=data["version"], updated_at=datetime.now(UTC))
    )
    ends = [d for d in (before.end, end) if d is not None]
    if before.end != end and ends:
        later = None if before.end is None or end is None else max(ends)
        await mark_dirty_between(session, before.child_id, min(ends) + timedelta(days=1), later)


HANDLERS = {
    "lu.csa.attendance.presence.recorded.v1": on_presence_recorded,
    "lu.csa.attendance.presence.corrected.v1": on_presence_corrected,
    "lu.csa.attendance.presence.voided.v1": on_presence_voided,
    "lu.csa.attendance.meal.recorded.v1": on_meal,
    "lu.csa.attendance.meal.corrected.v1": on_meal,
    "lu.csa.attendance.reservation.recorded.v1": on_reservation_recorded,
    "lu.csa.attendance.servicesheet.submitted.v1": on_service_sheet_submitted,
    "lu.csa.attendance.othercharge.recorded.v1": on_other_charge_recorded,
    "lu.csa.attendance.provider.registered.v1": on_provider,
    "lu.csa.attendance.provider.changed.v1": on_provider,
    "lu.csa.attendance.educationcontract.started.v1": on_education_contract_started,
    "lu.csa.attendance.educationcontract.ended.v1": on_education_contract_ended,
}
# Handled several at once when they come in a run (`InboxConsumer.handle_batch`).
BATCH_HANDLERS = {
    "lu.csa.attendance.presence.recorded.v1": on_presences,
    "lu.csa.attendance.presence.corrected.v1": on_presences,
    VOIDED: on_presences,
    "lu.csa.attendance.meal.recorded.v1": on_meals,
    "lu.csa.attendance.meal.corrected.v1": on_meals,
}
