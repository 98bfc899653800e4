"""Queries of the privacy module."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.domain.numbering import invoice_number
from csa_billing.tables import (
    child_projection,
    contract_version,
    invoice,
    invoice_pdf,
    meal_projection,
    other_charge_projection,
    presence_projection,
    reservation_projection,
    service_sheet_projection,
    statement_line,
)

ATTENDANCE = {
    "presences": presence_projection,
    "meals": meal_projection,
    "reservations": reservation_projection,
    "service_sheets": service_sheet_projection,
    "other_charges": other_charge_projection,
}


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result.all()]


async def _of_child(session: AsyncSession, table: Table, child_id: str) -> list[dict[str, Any]]:
    key = [c for c in table.primary_key.columns]
    query = select(table).where(table.c.child_id == child_id).order_by(*key)
    return _rows(await session.execute(query))


JSON_COLUMNS = ("billing_address", "representative", "home_address")


async def child_row(session: AsyncSession, child_id: str) -> dict[str, Any] | None:
    found = await _of_child(session, child_projection, child_id)
    if not found:
        return None
    row = found[0]
    parsed = {k: json.loads(row[k]) for k in JSON_COLUMNS if row.get(k) is not None}
    return {**row, **parsed}


async def contract_rows(session: AsyncSession, child_id: str) -> list[dict[str, Any]]:
    rows = await _of_child(session, contract_version, child_id)
    return [{**r, "billing_address": json.loads(r["billing_address"])} for r in rows]


async def attendance_rows(session: AsyncSession, child_id: str) -> dict[str, list[dict[str, Any]]]:
    return {name: await _of_child(session, table, child_id) for name, table in ATTENDANCE.items()}


async def invoice_rows(session: AsyncSession, child_id: str) -> list[dict[str, Any]]:
    query = (
        select(invoice)
        .where(invoice.c.child_id == child_id)
        .order_by(invoice.c.month, invoice.c.corrects_month, invoice.c.created_at)
    )
    return [
        {
            **r,
            "number": None if r["seq"] is None else invoice_number(r["series"], r["seq"]),
            "lines": json.loads(r["lines"]),
        }
        for r in _rows(await session.execute(query))
    ]


async def statement_rows(session: AsyncSession, child_id: str) -> list[dict[str, Any]]:
    query = (
        select(statement_line)
        .where(statement_line.c.child_id == child_id)
        .order_by(statement_line.c.month, statement_line.c.provider_id)
    )
    return _rows(await session.execute(query))


async def scrub(session: AsyncSession, child_id: str, *, erased: str) -> None:
    """Display name and billing addresses of the child's projections."""
    for table in (child_projection, contract_version):
        rows = (
            await session.execute(
                select(table.c.billing_address).where(table.c.child_id == child_id).distinct()
            )
        ).all()
        for (stored,) in rows:
            address = json.loads(stored)
            for part in ("line", "postcode", "locality", "recipient"):
                if part in address:
                    address[part] = erased
            await session.execute(
                update(table)
                .where(table.c.child_id == child_id, table.c.billing_address == stored)
                .values(billing_address=json.dumps(address, sort_keys=True))
            )
    await session.execute(
        update(child_projection)
        .where(child_projection.c.child_id == child_id)
        .values(display_name=erased, representative=None, home_address=None)
    )


async def forget_rendered_pdfs(session: AsyncSession, child_id: str) -> int:
    """Cached invoice PDFs of the child (they may print the name); they re-render on demand
    from the invoice, which stays as issued."""
    ids = select(invoice.c.id).where(invoice.c.child_id == child_id)
    result = await session.execute(delete(invoice_pdf).where(invoice_pdf.c.invoice_id.in_(ids)))
    return int(result.rowcount or 0)
