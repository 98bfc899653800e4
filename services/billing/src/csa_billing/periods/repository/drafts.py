"""The close's writes of a period's documents: draft invoices (one per child and provider),
statement lines, the ledger, plurilingual weeks, adjustments."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.periods.bills import PeriodBill, provider_totals
from csa_billing.projections.store import insert_for
from csa_billing.tables import (
    child_period,
    invoice,
    plurilingual_week,
    statement_line,
)
from csa_shared.db import asyncpg_connection
from csa_shared.ids import uuid4_strings
from csa_shared.rules.periods import BillingPeriod


def _invoice_row(
    bill: PeriodBill,
    month: str,
    corrects: str,
    provider: str | None,
    encoded: str,
    totals: tuple[Decimal, Decimal],
    original: str | None,
    created_at: datetime,
    invoice_id: str | None = None,
) -> dict[str, Any]:
    """An invoice row of ``provider``: ``encoded`` is its lines as JSON, ``totals`` their
    (parent, state) sums."""
    contract = bill.contract
    return {
        "id": invoice_id or str(uuid.uuid4()),
        "month": month,
        "child_id": bill.child_id,
        "provider_id": provider,
        "household_id": contract.household_id if contract else None,
        "corrects_month": corrects,
        "original_invoice_id": original,
        "status": "draft",
        "contract_id": contract.contract_id if contract else None,
        "language": contract.language if contract else "fr",
        "renewal_date": contract.valid_until if contract else None,
        "parent_total": totals[0],
        "state_total": totals[1],
        "lines": encoded,
        "created_at": created_at,
    }


ZERO = Decimal("0.00")


def _invoice_count(bill: PeriodBill) -> int:
    return max(1, len(bill.provider_lines()))


def _original_rows(
    bill: PeriodBill, month: str, created_at: datetime, ids: Iterator[str]
) -> list[dict[str, Any]]:
    """One draft per provider billed (csa-rules.md §7: a parent pays each provider
    separately), providers sorted; a child with nothing billed gets one 0.00 draft without
    a provider (it states that nothing is owed for the period)."""
    lines = bill.provider_lines()
    if not lines:
        return [
            _invoice_row(bill, month, month, None, "[]", (ZERO, ZERO), None, created_at, next(ids))
        ]
    sums = bill.by_provider()
    return [
        _invoice_row(bill, month, month, p, text, sums[p], None, created_at, next(ids))
        for p, text in lines.items()
    ]


def _statement_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statement line of each invoice billing a provider."""
    return [
        {
            "month": row["month"],
            "provider_id": row["provider_id"],
            "invoice_id": row["id"],
            "child_id": row["child_id"],
            "corrects_month": row["corrects_month"],
            "parent_amount": row["parent_total"],
            "state_amount": row["state_total"],
        }
        for row in rows
        if row["provider_id"] is not None
    ]


_INVOICE_NAMES = ["id", "month", "child_id", "provider_id", "household_id", "corrects_month"]
_INVOICE_NAMES += ["original_invoice_id", "status", "contract_id", "language", "renewal_date"]
_INVOICE_NAMES += ["parent_total", "state_total", "lines", "created_at"]
# the ledger's lines are put together from the child's invoices just written (each
# provider's lines, providers in code point order as in ``PeriodBill.lines_json``), not
# sent again; its invoice is that of the first provider
_UPSERT_LEDGER = (
    "INSERT INTO child_period (month, child_id, invoice_id, lines, dirty) "
    'SELECT $1, child_id, (array_agg(id ORDER BY provider_id COLLATE "C"))[1], '
    "'[' || coalesce(string_agg(nullif(substr(lines, 2, length(lines) - 2), ''), ', ' "
    "ORDER BY provider_id COLLATE \"C\"), '') || ']', false "
    "FROM invoice WHERE id = ANY($2::varchar[]) GROUP BY child_id "
    "ON CONFLICT (month, child_id) DO UPDATE "
    "SET invoice_id = excluded.invoice_id, lines = excluded.lines"
)
_DELETE_WEEKS = "DELETE FROM plurilingual_week WHERE month = $1 AND child_id = ANY($2::varchar[])"


def _kept(
    rows: list[dict[str, Any]], bills: list[PeriodBill], written: set[str]
) -> tuple[list[dict[str, Any]], list[PeriodBill]]:
    """The rows inserted now, and the bills of their children."""
    kept = [row for row in rows if row["id"] in written]
    children = {row["child_id"] for row in kept}
    return kept, [b for b in bills if b.child_id in children]


async def write_originals(
    session: AsyncSession, period: BillingPeriod, bills: list[PeriodBill]
) -> None:
    """Draft invoices (one per child and provider), statement lines, the billed lines and
    the plurilingual weeks used.

    A child whose invoices of the period already exist (written by an earlier run) is left
    as it is: its statement lines, ledger and weeks are written only with new invoices.
    On PostgreSQL the rows are COPied (see ``_write_originals_copy``)."""
    if not bills:
        return
    now = datetime.now(UTC)
    ids = iter(uuid4_strings(sum(map(_invoice_count, bills))))
    rows = [row for b in bills for row in _original_rows(b, period.month, now, ids)]
    driver = await asyncpg_connection(session)
    if driver is not None:
        await _write_originals_copy(driver, period, rows, bills)
        return
    invoiced = set(
        (
            await session.execute(
                select(invoice.c.child_id).where(
                    invoice.c.month == period.month,
                    invoice.c.corrects_month == period.month,
                    invoice.c.child_id.in_([b.child_id for b in bills]),
                )
            )
        ).scalars()
    )
    rows = [row for row in rows if row["child_id"] not in invoiced]
    if not rows:
        return
    inserted = await session.execute(
        insert_for(session, invoice).on_conflict_do_nothing().returning(invoice.c.id), rows
    )
    invoices, bills = _kept(rows, bills, set(inserted.scalars()))
    if not invoices:
        return
    statements = _statement_rows(invoices)
    if statements:
        await session.execute(statement_line.insert(), statements)
    first: dict[str, str] = {}
    for row in invoices:
        first.setdefault(row["child_id"], row["id"])
    ledger = insert_for(session, child_period)
    await session.execute(
        ledger.on_conflict_do_update(
            index_elements=[child_period.c.month, child_period.c.child_id],
            set_={"invoice_id": ledger.excluded.invoice_id, "lines": ledger.excluded.lines},
        ),
        [
            {
                "month": period.month,
                "child_id": b.child_id,
                "invoice_id": first[b.child_id],
                "lines": b.lines_json(),
                "dirty": False,
            }
            for b in bills
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
    f"SELECT {', '.join('s.' + name for name in _INVOICE_NAMES)} FROM invoice_stage s "
    "WHERE NOT EXISTS (SELECT 1 FROM invoice i WHERE i.month = s.month "
    "AND i.child_id = s.child_id AND i.corrects_month = s.corrects_month) "
    "ON CONFLICT DO NOTHING RETURNING id"
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
    invoices, bills = _kept(rows, bills, {r[0] for r in await driver.fetch(_INSERT_STAGED)})
    if not invoices:
        return
    statement_record = itemgetter(*_STATEMENT_NAMES)
    statements = [statement_record(s) for s in _statement_rows(invoices)]
    if statements:
        await driver.copy_records_to_table(
            "statement_line", records=statements, columns=_STATEMENT_NAMES
        )
    await driver.execute(_UPSERT_LEDGER, period.month, [row["id"] for row in invoices])
    await driver.execute(_DELETE_WEEKS, period.month, [b.child_id for b in bills])
    weeks = [(b.child_id, w, period.month) for b in bills for w in b.plurilingual_weeks]
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


async def original_invoices(session: AsyncSession, month: str, child_id: str) -> dict[Any, str]:
    """The child's invoices of the closed period ``month``, by provider (None: an invoice
    of every provider of the child, issued before invoices were split, or of none)."""
    rows = await session.execute(
        select(invoice.c.provider_id, invoice.c.id).where(
            invoice.c.month == month,
            invoice.c.child_id == child_id,
            invoice.c.corrects_month == month,
        )
    )
    return {provider: invoice_id for provider, invoice_id in rows}


async def write_adjustment(
    session: AsyncSession,
    month: str,
    ledger: Any,
    bill: PeriodBill,
    adjustments: dict[str, list[dict[str, object]]],
    period: BillingPeriod,
) -> None:
    """An adjustment invoice in ``month`` for the closed period ``ledger.month`` per
    provider whose lines changed, referencing that provider's original invoice; without
    one, the period's invoice without provider (issued before invoices were split per
    provider, or a 0.00 invoice), else none. The ledger then holds the newly billed lines
    and is clean."""
    if adjustments:
        originals = await original_invoices(session, ledger.month, ledger.child_id)
        now = datetime.now(UTC)
        rows = []
        for provider, lines in sorted(adjustments.items()):
            [totals] = provider_totals(lines).values()
            original = originals.get(provider) or originals.get(None)
            rows.append(
                _invoice_row(
                    bill, month, ledger.month, provider, json.dumps(lines), totals, original, now
                )
            )
        await session.execute(invoice.insert(), rows)
        await session.execute(statement_line.insert(), _statement_rows(rows))
    await session.execute(
        update(child_period)
        .where(child_period.c.month == ledger.month, child_period.c.child_id == ledger.child_id)
        .values(lines=bill.lines_json(), dirty=False)
    )
    await replace_plurilingual(session, period, [bill])
