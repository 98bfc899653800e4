"""Queries writing and reading the billing documents of a period."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoicing.assemble import PeriodBill
from csa_billing.projections.store import insert_for
from csa_billing.tables import (
    billing_period,
    child_period,
    invoice,
    plurilingual_week,
    statement_line,
)
from csa_shared.rules.periods import BillingPeriod


async def period_row(session: AsyncSession, month: str, *, lock: bool = False) -> Any:
    query = select(billing_period).where(billing_period.c.month == month)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def start_period(session: AsyncSession, period: BillingPeriod, children: int) -> None:
    statement = (
        insert_for(session, billing_period)
        .values(
            month=period.month,
            start=period.start,
            end=period.end,
            status="closing",
            cursor=None,
            children_total=children,
            children_done=0,
            started_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing()
    )
    await session.execute(statement)


async def advance(session: AsyncSession, month: str, cursor: str, done: int) -> None:
    await session.execute(
        update(billing_period)
        .where(billing_period.c.month == month)
        .values(cursor=cursor, children_done=billing_period.c.children_done + done)
    )


def _invoice_row(
    bill: PeriodBill,
    month: str,
    corrects: str,
    lines: list[dict[str, object]],
    original: str | None,
) -> dict[str, Any]:
    parent, state = _totals(lines)
    contract = bill.contract
    return {
        "id": str(uuid.uuid4()),
        "month": month,
        "child_id": bill.child_id,
        "household_id": contract.household_id if contract else None,
        "corrects_month": corrects,
        "original_invoice_id": original,
        "status": "draft",
        "contract_id": contract.contract_id if contract else None,
        "language": contract.language if contract else "fr",
        "renewal_date": contract.valid_until if contract else None,
        "parent_total": parent,
        "state_total": state,
        "lines": json.dumps(lines),
        "created_at": datetime.now(UTC),
    }


def _totals(lines: list[dict[str, object]]) -> tuple[Decimal, Decimal]:
    zero = Decimal("0.00")
    return (
        sum((Decimal(str(x["parent_amount"])) for x in lines), zero),
        sum((Decimal(str(x["state_amount"])) for x in lines), zero),
    )


def _statement_rows(row: dict[str, Any], lines: list[dict[str, object]]) -> list[dict[str, Any]]:
    from csa_billing.invoicing.assemble import provider_totals

    return [
        {
            "month": row["month"],
            "provider_id": provider,
            "invoice_id": row["id"],
            "child_id": row["child_id"],
            "corrects_month": row["corrects_month"],
            "parent_amount": parent,
            "state_amount": state,
        }
        for provider, (parent, state) in sorted(provider_totals(lines).items())
    ]


async def write_originals(
    session: AsyncSession, period: BillingPeriod, bills: list[PeriodBill]
) -> None:
    """Draft invoices, statement lines, the billed lines and the plurilingual weeks used."""
    invoices = [_invoice_row(b, period.month, period.month, b.lines, None) for b in bills]
    await session.execute(insert_for(session, invoice).on_conflict_do_nothing(), invoices)
    statements = [
        s for row, b in zip(invoices, bills, strict=True) for s in _statement_rows(row, b.lines)
    ]
    if statements:
        await session.execute(statement_line.insert(), statements)
    ledger = insert_for(session, child_period)
    await session.execute(
        ledger.on_conflict_do_update(
            index_elements=[child_period.c.month, child_period.c.child_id],
            set_={"invoice_id": ledger.excluded.invoice_id, "lines": ledger.excluded.lines},
        ),
        [
            {
                "month": period.month,
                "child_id": row["child_id"],
                "invoice_id": row["id"],
                "lines": row["lines"],
                "dirty": False,
            }
            for row in invoices
        ],
    )
    await replace_plurilingual(session, period, bills)


async def replace_plurilingual(
    session: AsyncSession, period: BillingPeriod, bills: list[PeriodBill]
) -> None:
    children = [b.child_id for b in bills]
    await session.execute(
        plurilingual_week.delete().where(
            plurilingual_week.c.child_id.in_(children), plurilingual_week.c.month == period.month
        )
    )
    weeks = [
        {"child_id": b.child_id, "week_start": w, "month": period.month}
        for b in bills
        for w in b.plurilingual_weeks
    ]
    if weeks:
        await session.execute(plurilingual_week.insert(), weeks)


async def dirty_before(session: AsyncSession, month: str, limit: int) -> list[Any]:
    """Child-periods of earlier closed months flagged for re-billing."""
    rows = await session.execute(
        select(child_period)
        .where(child_period.c.dirty.is_(True), child_period.c.month < month)
        .order_by(child_period.c.month, child_period.c.child_id)
        .limit(limit)
    )
    return list(rows)


async def has_adjustment(session: AsyncSession, month: str, child_id: str, corrects: str) -> bool:
    found = await session.execute(
        select(invoice.c.id).where(
            invoice.c.month == month,
            invoice.c.child_id == child_id,
            invoice.c.corrects_month == corrects,
        )
    )
    return found.first() is not None


async def write_adjustment(
    session: AsyncSession,
    month: str,
    ledger: Any,
    bill: PeriodBill,
    adjustment: list[dict[str, object]],
    period: BillingPeriod,
) -> None:
    """An adjustment invoice in ``month`` for the closed period ``ledger.month``; the ledger
    then holds the newly billed lines and is clean."""
    if adjustment:
        row = _invoice_row(bill, month, ledger.month, adjustment, ledger.invoice_id)
        await session.execute(invoice.insert().values(**row))
        rows = _statement_rows(row, adjustment)
        if rows:
            await session.execute(statement_line.insert(), rows)
    await session.execute(
        update(child_period)
        .where(child_period.c.month == ledger.month, child_period.c.child_id == ledger.child_id)
        .values(lines=json.dumps(bill.lines), dirty=False)
    )
    await replace_plurilingual(session, period, [bill])


async def count_invoices(session: AsyncSession, month: str) -> int:
    return (
        await session.execute(
            select(func.count()).select_from(invoice).where(invoice.c.month == month)
        )
    ).scalar_one()


def today() -> date:
    return datetime.now(UTC).date()
