"""Use cases: submit an AP service sheet (a new version replaces the previous one), record a
charge outside the CSA (idempotent by the provider's record id)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.domain.charges import (
    ChargeKind,
    OtherCharge,
    charge_ingest_decision,
    record_other_charge,
)
from csa_attendance.domain.errors import AttendanceDomainError, Code, Violation
from csa_attendance.domain.events import ServiceSheetDay
from csa_attendance.domain.records import Ingest
from csa_attendance.domain.service_sheets import ServiceSheet, submit_service_sheet
from csa_attendance.events import to_envelope
from csa_attendance.registry import repository as registry
from csa_attendance.registry.service import agent_may_see, get_provider
from csa_attendance.sheets import repository
from csa_attendance.sheets.schemas import (
    OtherChargeIn,
    OtherChargeOut,
    ServiceSheetHistory,
    ServiceSheetIn,
    ServiceSheetOut,
    SheetDayOut,
)
from csa_shared.auth import Principal
from csa_shared.clock import luxembourg_now
from csa_shared.errors import NotFound
from csa_shared.messaging.outbox import add_to_outbox
from csa_shared.rules.money import round_quantity

# The Dageselteren agency is one principal: every agent holding its role acts for it.
AGENCY_ID = "dageselteren"


def _sheet(row: Any) -> ServiceSheet:
    return ServiceSheet(
        provider_id=row.provider_id,
        child_id=row.child_id,
        month=row.month,
        days=tuple(
            ServiceSheetDay(
                day=datetime.fromisoformat(d["day"]).date(),
                hours=Decimal(d["hours"]),
                lunches=d["lunches"],
                out_of_band_hours=Decimal(d.get("out_of_band_hours", 0)),
            )
            for d in row.days
        ),
        version=row.version,
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
    )


def sheet_out(row: Any) -> ServiceSheetOut:
    return ServiceSheetOut(
        id=row.id,
        provider_id=row.provider_id,
        child_id=row.child_id,
        month=row.month,
        version=row.version,
        days=[SheetDayOut(**d) for d in row.days],
        total_hours=row.total_hours,
        total_out_of_band_hours=row.total_out_of_band_hours,
        total_lunches=row.total_lunches,
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
    )


async def submit(
    session: AsyncSession, outbox: Table, principal: Principal, body: ServiceSheetIn, *, source: str
) -> ServiceSheetOut:
    access.require_agency(principal)
    provider = await get_provider(session, body.provider_id)
    stored = await repository.sheet_versions(session, body.provider_id, body.child_id, body.month)
    days = [
        ServiceSheetDay(
            day=d.day, hours=d.hours, lunches=d.lunches, out_of_band_hours=d.out_of_band_hours
        )
        for d in body.days
    ]
    history, event = submit_service_sheet(
        provider=provider,
        child_id=body.child_id,
        month=body.month,
        days=days,
        submitted_by=AGENCY_ID,
        contracts=await registry.contracts_of(
            session, provider_id=body.provider_id, child_ids=[body.child_id]
        ),
        history=[_sheet(r) for r in stored],
        now=luxembourg_now(),
        closed_months=await registry.closed_months(session),
    )
    sheet = history[-1]
    row = {
        "id": str(uuid.uuid4()),
        "provider_id": sheet.provider_id,
        "child_id": sheet.child_id,
        "month": sheet.month,
        "version": sheet.version,
        "days": [
            {
                "day": d.day.isoformat(),
                "hours": str(d.hours),
                "lunches": d.lunches,
                "out_of_band_hours": str(d.out_of_band_hours),
            }
            for d in sheet.days
        ],
        "total_hours": round_quantity(sheet.total_hours, 2),
        "total_out_of_band_hours": round_quantity(sheet.total_out_of_band_hours, 2),
        "total_lunches": sheet.total_lunches,
        "submitted_by": sheet.submitted_by,
        "submitted_at": sheet.submitted_at,
    }
    await repository.insert_sheet(session, row)
    await add_to_outbox(session, outbox, to_envelope(event, source=source, entity_id=row["id"]))
    return sheet_out(SimpleNamespace(**row))


async def sheet_history(
    session: AsyncSession, principal: Principal, provider_id: str, child_id: str, month: str
) -> ServiceSheetHistory:
    if access.is_agent(principal):
        if not await agent_may_see(session, principal, provider_id):
            raise NotFound("no such service sheet")
    elif access.provider_of(principal) != provider_id:
        raise NotFound("no such service sheet")
    rows = await repository.sheet_versions(session, provider_id, child_id, month)
    if not rows:
        raise NotFound("no such service sheet")
    versions = [sheet_out(r) for r in rows]
    return ServiceSheetHistory(current=versions[-1], versions=versions)


def charge_out(row: Any) -> OtherChargeOut:
    return OtherChargeOut(
        id=row.id,
        provider_id=row.provider_id,
        record_id=row.provider_record_id,
        child_id=row.child_id,
        day=row.day,
        kind=ChargeKind(row.kind),
        amount=row.amount,
        description=row.description,
    )


def _charge(provider_id: str, row: Any) -> OtherCharge:
    return OtherCharge(
        provider_id=provider_id,
        record_id=row.provider_record_id,
        child_id=row.child_id,
        day=row.day,
        kind=ChargeKind(row.kind),
        amount=row.amount,
        description=row.description,
    )


async def record_charge(
    session: AsyncSession, outbox: Table, principal: Principal, body: OtherChargeIn, *, source: str
) -> tuple[OtherChargeOut, bool]:
    """Record a charge; an identical repeat returns the stored one (created False)."""
    provider_id = access.provider_of(principal)
    charge = OtherCharge(provider_id=provider_id, **body.model_dump())
    existing = await repository.charge_by_record(session, provider_id, body.record_id)
    decision = charge_ingest_decision(_charge(provider_id, existing) if existing else None, charge)
    if decision is Ingest.DUPLICATE:
        return charge_out(existing), False
    if decision is Ingest.CONFLICT:
        msg = f"record {body.record_id} was already sent with other content"
        raise AttendanceDomainError([Violation(Code.CONFLICTING_REPEAT, "record_id", msg)])
    event = record_other_charge(
        charge,
        contracts=await registry.contracts_of(
            session, provider_id=provider_id, child_ids=[body.child_id]
        ),
        now=luxembourg_now(),
        closed_months=await registry.closed_months(session),
    )
    row = {
        "id": str(uuid.uuid4()),
        "provider_id": provider_id,
        "provider_record_id": body.record_id,
        "child_id": body.child_id,
        "day": body.day,
        "kind": body.kind.value,
        "amount": body.amount,
        "description": body.description,
        "created_at": datetime.now(UTC),
    }
    await repository.insert_charge(session, row)
    await add_to_outbox(session, outbox, to_envelope(event, source=source, entity_id=row["id"]))
    return charge_out(SimpleNamespace(**row)), True
