"""Queries writing and reading the billing documents of a period."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoicing.assemble import PeriodBill, provider_totals
from csa_billing.invoicing.loading import dialect_of
from csa_billing.projections.store import insert_for
from csa_billing.tables import (
    billing_period,
    child_period,
    invoice,
    plurilingual_week,
    statement_line,
)
from csa_shared.db import asyncpg_connection
from csa_shared.ids import uuid4_strings
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


async def commit_lazily(session: AsyncSession) -> None:
    """The transaction's commit returns before its WAL is on disk (PostgreSQL's
    ``synchronous_commit`` off, for this transaction only): a crash of the database may
    lose it whole, never part of it, and never after a later synchronous commit (the WAL
    is flushed in order). For a chunk of a close that only means billing it again on
    resume: nothing outside the database has seen it (the events are staged by the
    finalizing transaction, which commits synchronously). Saves a disk flush per chunk."""
    if dialect_of(session) == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))


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
    encoded: str,
    sums: dict[str, tuple[Decimal, Decimal]],
    original: str | None,
    created_at: datetime,
    invoice_id: str | None = None,
) -> dict[str, Any]:
    """An invoice row: ``encoded`` is its lines as JSON, ``sums`` their totals per provider."""
    parent, state = ZERO, ZERO
    for p, s in sums.values():
        parent, state = parent + p, state + s
    contract = bill.contract
    return {
        "id": invoice_id or str(uuid.uuid4()),
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
        "lines": encoded,
        "created_at": created_at,
    }


ZERO = Decimal("0.00")


def _statement_rows(
    row: dict[str, Any], sums: dict[str, tuple[Decimal, Decimal]]
) -> list[dict[str, Any]]:
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
        for provider, (parent, state) in sorted(sums.items())
    ]


_INVOICE_NAMES = ["id", "month", "child_id", "household_id", "corrects_month"]
_INVOICE_NAMES += ["original_invoice_id", "status", "contract_id", "language", "renewal_date"]
_INVOICE_NAMES += ["parent_total", "state_total", "lines", "created_at"]
_UPSERT_LEDGER = (  # the lines are copied from the invoices just written, not sent again
    "INSERT INTO child_period (month, child_id, invoice_id, lines, dirty) "
    "SELECT $1, child_id, id, lines, false FROM invoice WHERE id = ANY($2::varchar[]) "
    "ON CONFLICT (month, child_id) DO UPDATE "
    "SET invoice_id = excluded.invoice_id, lines = excluded.lines"
)
_DELETE_WEEKS = "DELETE FROM plurilingual_week WHERE month = $1 AND child_id = ANY($2::varchar[])"


async def write_originals(
    session: AsyncSession, period: BillingPeriod, bills: list[PeriodBill]
) -> None:
    """Draft invoices, statement lines, the billed lines and the plurilingual weeks used.

    A child whose invoice of the period already exists (written by an earlier run) is left
    as it is: its statement lines, ledger and weeks are written only with a new invoice.
    On PostgreSQL the rows are COPied (see ``_write_originals_copy``)."""
    if not bills:
        return
    now = datetime.now(UTC)
    ids = uuid4_strings(len(bills))
    rows = [
        _invoice_row(
            b, period.month, period.month, b.lines_json(), b.by_provider(), None, now, invoice_id
        )
        for b, invoice_id in zip(bills, ids, strict=True)
    ]
    driver = await asyncpg_connection(session)
    if driver is not None:
        await _write_originals_copy(driver, period, rows, bills)
        return
    inserted = await session.execute(
        insert_for(session, invoice).on_conflict_do_nothing().returning(invoice.c.id), rows
    )
    written = set(inserted.scalars())
    kept = [(row, b) for row, b in zip(rows, bills, strict=True) if row["id"] in written]
    if not kept:
        return
    invoices = [row for row, _ in kept]
    bills = [b for _, b in kept]
    statements = [s for row, b in kept for s in _statement_rows(row, b.by_provider())]
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


_STATEMENT_NAMES = ["month", "provider_id", "invoice_id", "child_id", "corrects_month"]
_STATEMENT_NAMES += ["parent_amount", "state_amount"]
# the chunk's drafts are COPied into a temporary table (emptied at each commit), then moved
# into ``invoice`` by one INSERT that skips the children already invoiced
_STAGE_INVOICES = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS invoice_stage "
    "(LIKE invoice INCLUDING DEFAULTS) ON COMMIT DELETE ROWS; "
    "DELETE FROM invoice_stage"  # already empty, unless a transaction writes two chunks
)
_INSERT_STAGED = (
    f"INSERT INTO invoice ({', '.join(_INVOICE_NAMES)}) "
    f"SELECT {', '.join(_INVOICE_NAMES)} FROM invoice_stage ON CONFLICT DO NOTHING RETURNING id"
)


async def _write_originals_copy(
    driver: Any, period: BillingPeriod, rows: list[dict[str, Any]], bills: list[PeriodBill]
) -> None:
    """``write_originals`` on PostgreSQL: COPY (binary, no per-value parameter) for the
    drafts (through ``invoice_stage``), statement lines and weeks; one statement for the
    ledger. Statement lines, ledger and weeks only for the invoices inserted now."""
    await driver.execute(_STAGE_INVOICES)  # no parameters: both statements, one round trip
    invoice_record = itemgetter(*_INVOICE_NAMES)
    await driver.copy_records_to_table(
        "invoice_stage", records=[invoice_record(row) for row in rows], columns=_INVOICE_NAMES
    )
    written = {r[0] for r in await driver.fetch(_INSERT_STAGED)}
    kept = [(row, b) for row, b in zip(rows, bills, strict=True) if row["id"] in written]
    if not kept:
        return
    statement_record = itemgetter(*_STATEMENT_NAMES)
    statements = [
        statement_record(s) for row, b in kept for s in _statement_rows(row, b.by_provider())
    ]
    if statements:
        await driver.copy_records_to_table(
            "statement_line", records=statements, columns=_STATEMENT_NAMES
        )
    await driver.execute(_UPSERT_LEDGER, period.month, [row["id"] for row, _ in kept])
    await driver.execute(_DELETE_WEEKS, period.month, [b.child_id for _, b in kept])
    weeks = [(b.child_id, w, period.month) for _, b in kept for w in b.plurilingual_weeks]
    if weeks:
        await driver.copy_records_to_table(
            "plurilingual_week", records=weeks, columns=["child_id", "week_start", "month"]
        )


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
        sums = provider_totals(adjustment)
        row = _invoice_row(
            bill,
            month,
            ledger.month,
            json.dumps(adjustment),
            sums,
            ledger.invoice_id,
            datetime.now(UTC),
        )
        await session.execute(invoice.insert().values(**row))
        rows = _statement_rows(row, sums)
        if rows:
            await session.execute(statement_line.insert(), rows)
    await session.execute(
        update(child_period)
        .where(child_period.c.month == ledger.month, child_period.c.child_id == ledger.child_id)
        .values(lines=bill.lines_json(), dirty=False)
    )
    await replace_plurilingual(session, period, [bill])


async def count_invoices(session: AsyncSession, month: str) -> int:
    return (
        await session.execute(
            select(func.count()).select_from(invoice).where(invoice.c.month == month)
        )
    ).scalar_one()
