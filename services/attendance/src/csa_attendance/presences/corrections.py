"""Use cases of one presence: amend or void it with a reason (a new version, history kept),
show it with its versions. Refusals are raised as domain errors (`UnknownRecord` for a
presence the principal may not see or correct)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.domain.corrections import amend_presence, void_presence
from csa_attendance.domain.errors import UnknownRecord
from csa_attendance.domain.ledger import AttendanceState
from csa_attendance.events import to_envelope
from csa_attendance.presences import correction_statements, quick_correction, repository
from csa_attendance.presences.correction_statements import PRESENCE
from csa_attendance.presences.quick_correction import correction_state
from csa_attendance.presences.schemas import AmendIn
from csa_attendance.registry import service as registry_service
from csa_shared.auth import Principal
from csa_shared.clock import luxembourg_now
from csa_shared.db.engine import is_postgres
from csa_shared.runtime import ServiceRuntime


async def may_see(session: AsyncSession, principal: Principal, row: Any) -> bool:
    if access.is_agent(principal):
        return await registry_service.agent_may_see(session, principal, row.provider_id)
    if principal.kind.value == "provider":
        return access.provider_of(principal) == row.provider_id
    return principal.can_see_child(row.child_id)


async def show(
    session: AsyncSession, principal: Principal, presence_id: str
) -> tuple[Any, list[Any]]:
    """A presence (its `presences` row) and its versions, first to current."""
    row = await repository.presence_row(session, presence_id)
    if row is None or not await may_see(session, principal, row):
        raise UnknownRecord("presence", presence_id)  # same answer: no leak
    return row, await repository.presence_versions_of(session, row)


def _decision(amend: AmendIn | None, reason: str) -> quick_correction.Decide:
    """The domain's decision on the presence's history: amend it to `amend`'s times, or
    void it (`amend` None)."""

    def decide(history: Any, state: AttendanceState, closed: frozenset[str]) -> Any:
        given: dict[str, Any] = {"state": state, "now": luxembourg_now(), "closed_months": closed}
        if amend is None:
            return void_presence(history, reason=reason, **given)
        return amend_presence(history, start=amend.start, end=amend.end, reason=reason, **given)

    return decide


async def correct(
    runtime: ServiceRuntime,
    principal: Principal,
    presence_id: str,
    amend: AmendIn | None,
    reason: str,
) -> Any:
    """Amend (new times) or void (`amend` None) one of the provider's own presences; its
    `presences` row once corrected, committed. On PostgreSQL in two round trips
    (`quick_correction`), no session; when the ledger changed between its read and its
    write, or elsewhere (SQLite), the locked path in the request's unit of work
    (`runtime.unit_of_work`, committed before the answer as `UNIT` is): on PostgreSQL
    five round trips with the transaction's BEGIN and COMMIT (`correction_statements`),
    and one more per kind of record in the window already corrected (their versions)."""
    provider_id = access.provider_of(principal)
    decide = _decision(amend, reason)
    new_start = amend.start.replace(tzinfo=None) if amend else None
    new_end = amend.end.replace(tzinfo=None) if amend else None
    if is_postgres(runtime.engine):
        done = await quick_correction.correct(
            runtime.engine, runtime.outbox, PRESENCE, provider_id, presence_id,
            (new_start, new_end), decide, source=runtime.source,
        )  # fmt: skip
        if done is not None:
            runtime.relay.wake()
            return done[2]
    async with runtime.unit_of_work() as session:
        return await _locked(
            session, runtime.outbox, provider_id, presence_id, (new_start, new_end), decide,
            source=runtime.source,
        )  # fmt: skip


async def _locked(
    session: AsyncSession,
    outbox: Table,
    provider_id: str,
    presence_id: str,
    amended: tuple[datetime | None, datetime | None],
    decide: quick_correction.Decide,
    *,
    source: str,
) -> Any:
    """The correction under the provider's lock, in `session`'s transaction."""
    new_start, new_end = amended
    row, registry = await correction_statements.locked_row(session, presence_id, provider_id)
    if row is None or row.provider_id != provider_id:
        raise UnknownRecord("presence", presence_id)
    lo: datetime = min(row.start, new_start) if new_start else row.start
    hi: datetime = max(row.end, new_end) if new_end else row.end
    p, m, r, _ = await repository.load_records(  # (reservations bear on no presence)
        session, provider_id, [row.provider_record_id], {row.child_id}, lo, hi,
        kinds={"presence", "meal"}, together=True,
    )  # fmt: skip
    history = quick_correction.history_of(p, row)
    state, closed = await correction_state(session, provider_id, row.child_id, p, m, r, registry)
    new, event = decide(history, state, closed)
    envelope = to_envelope(event, source=source, entity_id=presence_id)
    return await correction_statements.save_correction(session, outbox, row, new.current, envelope)
