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
from csa_attendance.domain.records import RecordHistory
from csa_attendance.events import to_envelope
from csa_attendance.presences import correction_statements, repository
from csa_attendance.presences.schemas import AmendIn
from csa_attendance.registry import service as registry_service
from csa_attendance.registry.cache import registry_of
from csa_shared.auth import Principal
from csa_shared.clock import luxembourg_now


async def may_see(session: AsyncSession, principal: Principal, row: Any) -> bool:
    if access.is_agent(principal):
        return await registry_service.agent_may_see(session, principal, row.provider_id)
    if principal.kind.value == "provider":
        return access.provider_of(principal) == row.provider_id
    return principal.can_see_child(row.child_id)


async def correction_state(
    session: AsyncSession,
    provider_id: str,
    child_id: str,
    presences: list[RecordHistory[Any]],
    meals: list[RecordHistory[Any]],
    reservations: list[RecordHistory[Any]],
    registry: tuple[int, frozenset[str]] | None = None,
) -> tuple[AttendanceState, frozenset[str]]:
    """The state a correction of one of `child_id`'s records is decided against, and the
    closed months (the registry's part from the cache when current, `registry_of`;
    `registry`: its state as read already under the lock)."""
    known = await registry_of(session, provider_id, (child_id,), registry)
    state = AttendanceState(
        providers=known.providers,
        contracts=known.contracts,
        presences=presences,
        meals=meals,
        reservations=reservations,
    )
    return state, known.closed


async def show(
    session: AsyncSession, principal: Principal, presence_id: str
) -> tuple[Any, list[Any]]:
    """A presence (its `presences` row) and its versions, first to current."""
    row = await repository.presence_row(session, presence_id)
    if row is None or not await may_see(session, principal, row):
        raise UnknownRecord("presence", presence_id)  # same answer: no leak
    return row, await repository.presence_versions_of(session, row)


async def correct(
    session: AsyncSession,
    outbox: Table,
    principal: Principal,
    presence_id: str,
    amend: AmendIn | None,
    reason: str,
    *,
    source: str,
) -> Any:
    """Amend (new times) or void (`amend` None) one of the provider's own presences; its
    `presences` row once corrected. On PostgreSQL in five round trips with the transaction's
    BEGIN and COMMIT (`correction_statements`), and one more per kind of record in the
    window already corrected (their versions)."""
    provider_id = access.provider_of(principal)
    row, registry = await correction_statements.locked_row(session, presence_id, provider_id)
    if row is None or row.provider_id != provider_id:
        raise UnknownRecord("presence", presence_id)
    lo: datetime = min(row.start, amend.start.replace(tzinfo=None)) if amend else row.start
    hi: datetime = max(row.end, amend.end.replace(tzinfo=None)) if amend else row.end
    p, m, r, _ = await repository.load_records(  # (reservations bear on no presence)
        session, provider_id, [row.provider_record_id], {row.child_id}, lo, hi,
        kinds={"presence", "meal"}, together=True,
    )  # fmt: skip
    history = next(h for h in p if h.key.record_id == row.provider_record_id)
    state, closed = await correction_state(session, provider_id, row.child_id, p, m, r, registry)
    if amend is not None:
        new, event = amend_presence(
            history,
            start=amend.start,
            end=amend.end,
            reason=reason,
            state=state,
            now=luxembourg_now(),
            closed_months=closed,
        )
    else:
        new, event = void_presence(
            history, reason=reason, state=state, now=luxembourg_now(), closed_months=closed
        )
    envelope = to_envelope(event, source=source, entity_id=presence_id)
    return await correction_statements.save_correction(session, outbox, row, new.current, envelope)
