"""Period close (csa-rules.md §7), in one pass: load → decide → write.

The period is checked once (its grace days, ``check_closable``), then the close begins
(the period recorded as closing, its children and the providers' terms read), bills its
children chunk by chunk (each chunk read, billed by ``compute`` and written with the
period's cursor in one transaction, so a crash half-way resumes after the last committed
chunk), re-bills the dirty child-periods of earlier months, and finalizes (numbers,
statements, events) in one transaction. A closed period is returned as it is (idempotent).
Every query is ``repository``'s; every decision is ``assemble``'s and the domain's.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from bisect import bisect_right
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing import events
from csa_billing.periods import repository
from csa_billing.periods.adjust import adjustments_by_provider
from csa_billing.periods.assemble import bill_period
from csa_billing.periods.bills import PeriodBill
from csa_billing.periods.compute import GEN0_WHILE_BILLING, Compute
from csa_billing.periods.inputs import ProviderBook
from csa_billing.periods.settings import DEFAULT_CHUNK, close_workers, grace_days
from csa_shared.clock import luxembourg_today
from csa_shared.errors import Conflict
from csa_shared.messaging.outbox import add_to_outbox, stage_outbox_records
from csa_shared.observability import metrics
from csa_shared.rules.calendars import ReferenceCalendar, configured_calendar
from csa_shared.rules.periods import BillingPeriod, billing_period, parse_month
from csa_shared.runtime import ServiceRuntime

Progress = Callable[[int, int], None]
log = logging.getLogger("csa_billing.close")


@dataclass(frozen=True, slots=True)
class CloseOptions:
    chunk_size: int = DEFAULT_CHUNK
    today: date | None = None  # Luxembourg's date when None (tests set their day)
    progress: Progress | None = None
    workers: int | None = None  # worker processes billing chunks (None: BILLING_CLOSE_WORKERS)
    after_chunk: Callable[[int], None] | None = None  # hook (tests inject a crash here)


def period_of(month: str) -> BillingPeriod:
    return billing_period(*parse_month(month))


def closable_from(period: BillingPeriod) -> date:
    return period.end + timedelta(days=grace_days() + 1)


def check_closable(month: str, options: CloseOptions) -> BillingPeriod:
    """The period of ``month``; refused (409) before the end of its grace period, by anyone:
    a closed period can never be reopened, so none is closed before its last records came."""
    period = period_of(month)
    today = options.today or luxembourg_today()
    if today < closable_from(period):
        raise Conflict(
            f"period {month} can be closed from {closable_from(period)} "
            f"(grace of {grace_days()} days after {period.end})",
            code="period-not-closable",
        )
    return period


@asynccontextmanager
async def _exclusive(runtime: ServiceRuntime, month: str) -> AsyncIterator[None]:
    """One close of ``month`` at a time. On PostgreSQL every close transaction locks the
    period row (``SELECT ... FOR UPDATE``), which serializes closes across processes; SQLite
    has no row locks, so closes in this process wait on an asyncio lock instead."""
    if runtime.engine.dialect.name == "postgresql":
        yield
        return
    lock = _LOCAL_LOCKS.setdefault((str(runtime.engine.url), month), asyncio.Lock())
    async with lock:
        yield


_LOCAL_LOCKS: dict[tuple[str, str], asyncio.Lock] = {}
_relaxed: list[tuple[int, int, int]] = []  # the thresholds to restore, while closes run


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The garbage collector's youngest generation collected every ``GEN0_WHILE_BILLING``
    allocations instead of 700 while a close runs: a chunk's rows and bills live for the
    whole chunk, so frequent young collections only walk them again and again. Refcounting
    still frees them; the thresholds are restored after the last close running in this
    process."""
    if not _relaxed:
        _relaxed.append(gc.get_threshold())
        first, *older = _relaxed[0]
        gc.set_threshold(max(first, GEN0_WHILE_BILLING), *older)
    else:
        _relaxed.append(_relaxed[0])
    try:
        yield
    finally:
        thresholds = _relaxed.pop()
        if not _relaxed:
            gc.set_threshold(*thresholds)


async def open_period(runtime: ServiceRuntime, month: str, options: CloseOptions) -> Any:
    """Check the grace period and record the period as closing (children counted), so its
    progress can be read before the first chunk; returns the period row."""
    period = check_closable(month, options)
    async with runtime.unit_of_work() as session:
        row = await repository.period_row(session, period.month)
        if row is not None:
            return row
        await _begin(session, period)
        return await repository.period_row(session, period.month)


async def period_status_in(session: AsyncSession, month: str) -> Any:
    """The period's row (None before its close started)."""
    return await repository.period_row(session, period_of(month).month)


async def close_period(
    runtime: ServiceRuntime, month: str, options: CloseOptions | None = None
) -> Any:
    """Close ``month``; returns the billing_period row. Safe to run twice at once: the
    second close waits for the first's transactions and continues from its cursor."""
    options = options or CloseOptions()
    period = check_closable(month, options)
    async with _exclusive(runtime, period.month):
        with _fewer_collections():
            return await _Close(runtime, period, options).run()


async def _begin(session: AsyncSession, period: BillingPeriod) -> list[str]:
    """Record the period as closing (unless it is already); its children, sorted."""
    children = await repository.children_of(session, period)
    await repository.start_period(session, period, len(children))
    return children


class _Close:
    """One close: begin, bill the chunks, re-bill earlier months, finalize."""

    def __init__(
        self, runtime: ServiceRuntime, period: BillingPeriod, options: CloseOptions
    ) -> None:
        self.runtime, self.period, self.options = runtime, period, options
        self.month = period.month
        self.calendar = configured_calendar()

    async def run(self) -> Any:
        async with self.runtime.unit_of_work() as session:
            row = await repository.period_row(session, self.month)
            if row is not None and row.status == "closed":
                return row
            children = await _begin(session, self.period)
            book = await repository.provider_book(session)
        started = time.perf_counter()
        log.info(
            "period close started",
            extra={"month": self.month, "children": len(children), "resumed": row is not None},
        )
        workers = close_workers() if self.options.workers is None else self.options.workers
        async with Compute.start(workers, book, self.calendar) as compute:
            if (done := await self._chunks(children, compute)) is not None:
                return done  # another close finished the period meanwhile
            await self._rebill(book)
            closed, count, statements = await self._finalize(compute)
            if statements is None:
                return closed  # another close finished the period meanwhile
        duration = time.perf_counter() - started
        metrics.CLOSE_SECONDS.observe(duration)
        log.info(
            "period close finished",
            extra={
                "month": self.month,
                "children": closed.children_total,
                "invoices": count,
                "statements": statements,
                "duration_s": duration,
            },
        )
        return closed

    async def _chunks(self, children: list[str], compute: Compute) -> Any:
        """Bill the children after the period's cursor, one committed chunk at a time;
        returns the period's row if another close finished it meanwhile (else None). The
        next chunks are read while the workers bill (up to one ahead per worker): a record
        changed after this read flags its child-period dirty (re-billed next period)."""
        ahead = _Ahead(self.period, children, compute, self.options.chunk_size)
        chunks = 0
        while True:
            async with self.runtime.unit_of_work() as session:
                row = await repository.period_row(session, self.month, lock=True)
                if row.status == "closed":
                    return row
                first = 0 if row.cursor is None else bisect_right(children, row.cursor)
                chunk = children[first : first + self.options.chunk_size]
                if not chunk:
                    return None
                bills = await ahead.bills_of(session, chunk)
                await repository.commit_lazily(session)
                await repository.write_originals(session, self.period, bills)
                await repository.advance(session, self.month, chunk[-1], len(chunk))
            chunks += 1
            if self.options.progress:
                total = max(row.children_total, len(children))
                self.options.progress(row.children_done + len(chunk), total)
            if self.options.after_chunk:
                self.options.after_chunk(chunks)

    async def _rebill(self, book: ProviderBook) -> None:
        """Adjustments in this month for every dirty child-period of an earlier closed
        month (one re-bill at a time: the period row is locked)."""
        skipped: set[tuple[str, str]] = set()
        limit = self.options.chunk_size
        while True:
            async with self.runtime.unit_of_work() as session:
                await repository.period_row(session, self.month, lock=True)
                dirty = await repository.dirty_before(session, self.month, limit + len(skipped))
                ledgers = [d for d in dirty if (d.month, d.child_id) not in skipped]
                if not ledgers:
                    return
                for ledger in ledgers:
                    if not await _adjust(session, self.month, ledger, book, self.calendar):
                        skipped.add((ledger.month, ledger.child_id))  # for the next period

    async def _finalize(self, compute: Compute) -> tuple[Any, int, int | None]:
        """Number, issue the statements, close the period and stage its events, in one
        transaction: (the closed row, its invoices, its statements; None when another close
        finished the period meanwhile)."""
        async with self.runtime.unit_of_work() as session:
            row = await repository.period_row(session, self.month, lock=True)
            if row.status == "closed":
                return row, 0, None
            count, statements = await repository.finalize(session, self.month)
            closed = await repository.period_row(session, self.month)
            await self._stage_invoice_events(session, compute)
            issued = [events.statement_issued(s) for s in statements]
            issued.append(events.period_closed(closed, count, closed.children_total))
            await add_to_outbox(session, self.runtime.outbox, *issued)
        return closed, count, len(statements)

    async def _stage_invoice_events(self, session: AsyncSession, compute: Compute) -> None:
        """invoice.issued events built (and checked against their schema) in the worker
        thread or processes, a few batches ahead, and staged in number order."""
        created = datetime.now(UTC)
        pending: deque[Awaitable[list[events.OutboxRecord]]] = deque()
        outbox = self.runtime.outbox
        async for batch in repository.issued_records(session, self.month):
            pending.append(compute.invoice_events(batch, created))
            if len(pending) > compute.workers:
                await stage_outbox_records(session, outbox, await pending.popleft())
        while pending:
            await stage_outbox_records(session, outbox, await pending.popleft())


class _Ahead:
    """The chunks read early and being billed (up to one per worker), in order."""

    def __init__(
        self, period: BillingPeriod, children: list[str], compute: Compute, size: int
    ) -> None:
        self.period, self.children, self.compute, self.size = period, children, compute, size
        self.queue: deque[tuple[list[str], Awaitable[list[PeriodBill]]]] = deque()

    async def _read(self, session: AsyncSession, chunk: list[str]) -> None:
        rows = await repository.fetch_rows(session, self.period, chunk)
        self.queue.append((chunk, self.compute.bill(rows, chunk, self.period)))

    async def bills_of(self, session: AsyncSession, chunk: list[str]) -> list[PeriodBill]:
        """The bills of ``chunk``, once the next chunks are read and queued."""
        if self.queue and self.queue[0][0] != chunk:
            self.queue.clear()  # another close moved the cursor meanwhile: read again
        if not self.queue:
            await self._read(session, chunk)
        following = bisect_right(self.children, self.queue[-1][0][-1])  # after the last
        while len(self.queue) < self.compute.workers + 1 and following < len(self.children):
            later = self.children[following : following + self.size]
            await self._read(session, later)
            following += len(later)
        return await self.queue.popleft()[1]


async def _adjust(
    session: AsyncSession, month: str, ledger: Any, book: ProviderBook, calendar: ReferenceCalendar
) -> bool:
    """Re-bill the closed child-period ``ledger`` and write its adjustments in ``month``;
    False (nothing done) when ``month`` already adjusts it."""
    if await repository.has_adjustment(session, month, ledger.child_id, ledger.month):
        return False
    period = period_of(ledger.month)
    data = await repository.load_children(session, period, [ledger.child_id])
    bill = bill_period(data[ledger.child_id], period, book, calendar)
    lines = adjustments_by_provider(json.loads(ledger.lines), bill.lines)
    await repository.write_adjustment(session, month, ledger, bill, lines, period)
    return True
