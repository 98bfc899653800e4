"""Period close (csa-rules.md §7): orchestration over the repositories, chunk by chunk.

Each chunk of children is billed and committed with the period's cursor, so a crash
half-way resumes after the last committed chunk; finalization (numbers, statements,
events) is one transaction; a closed period is returned as it is (idempotent).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from csa_billing.invoicing import events, loading, repository
from csa_billing.invoicing.adjust import adjustment_lines
from csa_billing.invoicing.assemble import bill_period
from csa_billing.invoicing.finalize import finalize
from csa_billing.invoicing.settings import DEFAULT_CHUNK, grace_days
from csa_shared.errors import Conflict
from csa_shared.messaging.outbox import add_to_outbox
from csa_shared.rules.periods import BillingPeriod, billing_period, parse_month
from csa_shared.runtime import ServiceRuntime

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class CloseOptions:
    chunk_size: int = DEFAULT_CHUNK
    ignore_grace: bool = False
    today: date | None = None
    progress: Progress | None = None
    after_chunk: Callable[[int], None] | None = None  # hook (tests inject a crash here)


def period_of(month: str) -> BillingPeriod:
    return billing_period(*parse_month(month))


def closable_from(period: BillingPeriod) -> date:
    return period.end + timedelta(days=grace_days() + 1)


async def close_period(
    runtime: ServiceRuntime, month: str, options: CloseOptions | None = None
) -> Any:
    """Close ``month``; returns the billing_period row."""
    options = options or CloseOptions()
    period = period_of(month)
    today = options.today or repository.today()
    if not options.ignore_grace and today < closable_from(period):
        raise Conflict(
            f"period {month} can be closed from {closable_from(period)} "
            f"(grace of {grace_days()} days after {period.end})",
            code="period-not-closable",
        )
    async with runtime.unit_of_work() as session:
        row = await repository.period_row(session, month)
        if row is not None and row.status == "closed":
            return row
        children = await loading.children_of(session, period)
        await repository.start_period(session, period, len(children))
        row = await repository.period_row(session, month)
        book = await loading.provider_book(session)
    pending = [c for c in children if row.cursor is None or c > row.cursor]
    done = len(children) - len(pending)
    for index, start in enumerate(range(0, len(pending), options.chunk_size)):
        chunk = pending[start : start + options.chunk_size]
        async with runtime.unit_of_work() as session:
            data = await loading.load_children(session, period, chunk)
            bills = [bill_period(data[child], period, book) for child in chunk]
            await repository.write_originals(session, period, bills)
            await repository.advance(session, month, chunk[-1], len(chunk))
        done += len(chunk)
        if options.progress:
            options.progress(done, len(children))
        if options.after_chunk:
            options.after_chunk(index + 1)
    await _rebill(runtime, month, book, options.chunk_size)
    async with runtime.unit_of_work() as session:
        invoices, statements = await finalize(session, month)
        closed = await repository.period_row(session, month)
        issued = [events.invoice_issued(i) for i in invoices]
        issued += [events.statement_issued(s) for s in statements]
        issued.append(events.period_closed(closed, len(invoices), closed.children_total))
        await add_to_outbox(session, runtime.outbox, *issued)
    return closed


async def _rebill(runtime: ServiceRuntime, month: str, book: Any, chunk_size: int) -> None:
    """Adjustments in ``month`` for every dirty child-period of an earlier closed month."""
    skipped: set[tuple[str, str]] = set()
    while True:
        async with runtime.unit_of_work() as session:
            ledgers = [
                ledger
                for ledger in await repository.dirty_before(
                    session, month, chunk_size + len(skipped)
                )
                if (ledger.month, ledger.child_id) not in skipped
            ]
            if not ledgers:
                return
            for ledger in ledgers:
                if await repository.has_adjustment(session, month, ledger.child_id, ledger.month):
                    skipped.add((ledger.month, ledger.child_id))  # left for the next period
                    continue
                period = period_of(ledger.month)
                data = await loading.load_children(session, period, [ledger.child_id])
                bill = bill_period(data[ledger.child_id], period, book)
                lines = adjustment_lines(json.loads(ledger.lines), bill.lines)
                await repository.write_adjustment(session, month, ledger, bill, lines, period)


async def period_status_in(session: Any, month: str) -> Any:
    """The period's row (None before its close started)."""
    return await repository.period_row(session, period_of(month).month)
