"""Use cases of meal corrections: amend (day / count) or void a meal record with a reason,
a new version appended, history kept."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.domain.corrections import amend_meal, void_meal
from csa_attendance.domain.errors import UnknownRecord
from csa_attendance.domain.ledger import AttendanceState
from csa_attendance.domain.records import MealDeclaration, RecordVersion
from csa_attendance.events import to_envelope
from csa_attendance.meals import repository
from csa_attendance.meals.schemas import MealAmendIn
from csa_attendance.presences import quick_correction
from csa_attendance.presences import repository as records
from csa_attendance.presences.correction_statements import MEAL
from csa_attendance.presences.quick_correction import correction_state, history_of
from csa_attendance.tables import meal_versions
from csa_shared.auth import Principal
from csa_shared.clock import luxembourg_now
from csa_shared.db.engine import is_postgres
from csa_shared.messaging.outbox import add_to_outbox
from csa_shared.runtime import ServiceRuntime


def _decision(amend: MealAmendIn | None, reason: str) -> quick_correction.Decide:
    """The domain's decision on the meal's history: amend it to `amend`'s day and count,
    or void it (`amend` None)."""

    def decide(history: Any, state: AttendanceState, closed: frozenset[str]) -> Any:
        given: dict[str, Any] = {"reason": reason, "now": luxembourg_now(), "closed_months": closed}
        if amend is None:
            return void_meal(history, **given)
        return amend_meal(history, day=amend.day, count=amend.count, state=state, **given)

    return decide


async def correct_meal(
    runtime: ServiceRuntime,
    principal: Principal,
    meal_id: str,
    amend: MealAmendIn | None,
    reason: str,
) -> tuple[Any, RecordVersion[MealDeclaration]]:
    """Amend (new day and count) or void (`amend` None) one of the provider's own meals:
    the meal's row as it was read and its new current version, committed. Refusals are
    raised as domain errors (`UnknownRecord` for a meal that is not the provider's).

    On PostgreSQL in two round trips (`quick_correction`), no session; when the ledger
    changed between its read and its write, or elsewhere (SQLite), under the provider's
    lock in the request's unit of work (`runtime.unit_of_work`)."""
    provider_id = access.provider_of(principal)
    decide = _decision(amend, reason)
    if is_postgres(runtime.engine):
        day = amend.day if amend else None
        done = await quick_correction.correct(
            runtime.engine, runtime.outbox, MEAL, provider_id, meal_id, (day, day), decide,
            source=runtime.source,
        )  # fmt: skip
        if done is not None:
            runtime.relay.wake()
            return done[0], done[1].current
    async with runtime.unit_of_work() as unit:
        return await _locked(
            unit, runtime.outbox, provider_id, meal_id, amend, decide, source=runtime.source
        )


async def _locked(
    unit: AsyncSession,
    outbox: Table,
    provider_id: str,
    meal_id: str,
    amend: MealAmendIn | None,
    decide: quick_correction.Decide,
    *,
    source: str,
) -> tuple[Any, RecordVersion[MealDeclaration]]:
    """The correction under the provider's lock, in `unit`'s transaction."""
    row = await repository.meal_row(unit, meal_id)
    if row is None or row.provider_id != provider_id:
        raise UnknownRecord("meal", meal_id)
    await records.lock_provider(unit, provider_id)
    days = [row.day, amend.day] if amend else [row.day]
    lo, hi = datetime.combine(min(days), time()), datetime.combine(max(days), time.max)
    p, m, r, _ = await records.load_records(
        unit, provider_id, [row.provider_record_id], {row.child_id}, lo, hi
    )
    state, closed = await correction_state(unit, provider_id, row.child_id, p, m, r)
    new, event = decide(history_of(m, row), state, closed)
    await records.keep_first_version(unit, meal_versions, row)
    await repository.save_meal_version(unit, meal_id, new.current)
    await add_to_outbox(unit, outbox, to_envelope(event, source=source, entity_id=meal_id))
    return row, new.current
