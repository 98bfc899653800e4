"""Period close (csa-rules.md §7): orchestration over the repositories, chunk by chunk.

Each chunk of children is billed and committed with the period's cursor, so a crash
half-way resumes after the last committed chunk; finalization (numbers, statements,
events) is one transaction; a closed period is returned as it is (idempotent).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import multiprocessing
import time
from bisect import bisect_right
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from csa_billing.periods import events, loading, repository
from csa_billing.periods.adjust import adjustments_by_provider
from csa_billing.periods.assemble import (
    GEN0_WHILE_BILLING,
    PeriodBill,
    bill_chunk,
    bill_chunk_in_worker,
    bill_period,
    init_worker,
)
from csa_billing.periods.finalize import finalize, issued_records
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


async def close_period(
    runtime: ServiceRuntime, month: str, options: CloseOptions | None = None
) -> Any:
    """Close ``month``; returns the billing_period row. Safe to run twice at once: the
    second close waits for the first's transactions and continues from its cursor."""
    options = options or CloseOptions()
    period = check_closable(month, options)
    async with _exclusive(runtime, period.month):
        return await _close(runtime, period, options)


async def open_period(runtime: ServiceRuntime, month: str, options: CloseOptions) -> Any:
    """Check the grace period and record the period as closing (children counted), so its
    progress can be read before the first chunk; returns the period row."""
    period = check_closable(month, options)
    async with runtime.unit_of_work() as session:
        row = await repository.period_row(session, period.month)
        if row is not None:
            return row
        children = await loading.children_of(session, period)
        await repository.start_period(session, period, len(children))
        return await repository.period_row(session, period.month)


_relaxed: list[tuple[int, int, int]] = []  # the thresholds to restore, while closes run


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The garbage collector's youngest generation collected every ``GEN0_WHILE_BILLING``
    allocations instead of 700 while a close runs: a chunk's rows and bills live for the
    whole chunk, so frequent young collections only walk them again and again (about 15 %
    of the billing). Refcounting still frees them; the thresholds are restored after the
    last close running in this process."""
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


async def _close(runtime: ServiceRuntime, period: BillingPeriod, options: CloseOptions) -> Any:
    with _fewer_collections():
        return await _close_period(runtime, period, options)


async def _close_period(
    runtime: ServiceRuntime, period: BillingPeriod, options: CloseOptions
) -> Any:
    month = period.month
    async with runtime.unit_of_work() as session:
        row = await repository.period_row(session, month)
        if row is not None and row.status == "closed":
            return row
        children = await loading.children_of(session, period)
        await repository.start_period(session, period, len(children))
        book = await loading.provider_book(session)
    started = time.perf_counter()
    log.info(
        "period close started",
        extra={"month": month, "children": len(children), "resumed": row is not None},
    )
    calendar = configured_calendar()
    workers = close_workers() if options.workers is None else options.workers
    async with _Compute.start(workers, book, calendar) as compute:
        if (done := await _chunks(runtime, period, children, compute, options)) is not None:
            return done  # another close finished the period meanwhile
        await _rebill(runtime, month, book, calendar, options.chunk_size)
        async with runtime.unit_of_work() as session:
            row = await repository.period_row(session, month, lock=True)
            if row.status == "closed":
                return row
            count, statements = await finalize(session, month)
            closed = await repository.period_row(session, month)
            # invoice.issued events are built (and checked against their schema) in the
            # worker thread or processes, a few batches ahead, and staged in number order
            created = datetime.now(UTC)
            pending: deque[Awaitable[list[events.OutboxRecord]]] = deque()
            async for batch in issued_records(session, month):
                pending.append(compute.invoice_events(batch, created))
                if len(pending) > compute.workers:
                    await stage_outbox_records(session, runtime.outbox, await pending.popleft())
            while pending:
                await stage_outbox_records(session, runtime.outbox, await pending.popleft())
            issued = [events.statement_issued(s) for s in statements]
            issued.append(events.period_closed(closed, count, closed.children_total))
            await add_to_outbox(session, runtime.outbox, *issued)
    duration = time.perf_counter() - started
    metrics.CLOSE_SECONDS.observe(duration)
    log.info(
        "period close finished",
        extra={
            "month": month,
            "children": closed.children_total,
            "invoices": count,
            "statements": len(statements),
            "duration_s": duration,
        },
    )
    return closed


async def _chunks(
    runtime: ServiceRuntime,
    period: BillingPeriod,
    children: list[str],
    compute: _Compute,
    options: CloseOptions,
) -> Any:
    """Bill the children after the period's cursor, one committed chunk at a time; returns
    the period's row if another close finished it meanwhile (else None)."""
    month = period.month
    chunks = 0
    # chunks read early and being billed by the workers (up to one per worker), in order
    ahead: deque[tuple[list[str], Awaitable[list[PeriodBill]]]] = deque()
    while True:
        async with runtime.unit_of_work() as session:
            row = await repository.period_row(session, month, lock=True)
            if row.status == "closed":
                return row
            first = 0 if row.cursor is None else bisect_right(children, row.cursor)
            chunk = children[first : first + options.chunk_size]
            if not chunk:
                return None
            if ahead and ahead[0][0] != chunk:
                ahead.clear()  # another close moved the cursor meanwhile: read again
            if not ahead:
                rows = await loading.fetch_rows(session, period, chunk)
                ahead.append((chunk, compute.bill(rows, chunk, period)))
            following = bisect_right(children, ahead[-1][0][-1])  # after the last queued
            while len(ahead) < compute.workers + 1 and following < len(children):
                # read the next chunks while workers bill; a record changed after this read
                # flags its child-period dirty (re-billed in the next period)
                later = children[following : following + options.chunk_size]
                rows = await loading.fetch_rows(session, period, later)
                ahead.append((later, compute.bill(rows, later, period)))
                following += len(later)
            bills = await ahead.popleft()[1]
            await repository.commit_lazily(session)
            await repository.write_originals(session, period, bills)
            await repository.advance(session, month, chunk[-1], len(chunk))
        chunks += 1
        if options.progress:
            options.progress(row.children_done + len(chunk), max(row.children_total, len(children)))
        if options.after_chunk:
            options.after_chunk(chunks)


class _Compute:
    """The pure work of a close: a chunk's bills and the invoice.issued events. Done in a
    pool of spawned worker processes (given the provider terms and the calendar once), or
    with ``workers`` 0 in one thread of this process: either way it runs while the close
    reads the next chunk and writes the previous one (PostgreSQL works meanwhile); same
    functions, same results."""

    def __init__(
        self,
        workers: int,
        book: ProviderBook,
        calendar: ReferenceCalendar,
        pool: ProcessPoolExecutor | None,
        thread: Executor | None = None,
    ) -> None:
        self._book, self._calendar, self._pool, self._thread = book, calendar, pool, thread
        # how many chunks are billed ahead of the one being written (one with the thread)
        self.workers = workers if pool is not None else 1

    @classmethod
    @asynccontextmanager
    async def start(
        cls, workers: int, book: ProviderBook, calendar: ReferenceCalendar
    ) -> AsyncIterator[_Compute]:
        if workers <= 0:
            thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="billing-close")
            try:
                yield cls(0, book, calendar, None, thread)
            finally:
                thread.shutdown(wait=True, cancel_futures=True)
            return
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(book, calendar),
        )
        try:
            yield cls(workers, book, calendar, pool)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def bill(
        self, rows: loading.ChunkRows, chunk: list[str], period: BillingPeriod
    ) -> Awaitable[list[PeriodBill]]:
        loop = asyncio.get_running_loop()
        if self._pool is None:
            return loop.run_in_executor(
                self._thread, bill_chunk, rows, chunk, period, self._book, self._calendar
            )
        return loop.run_in_executor(self._pool, bill_chunk_in_worker, rows, chunk, period)

    def invoice_events(
        self, batch: list[tuple[Any, ...]], created: datetime
    ) -> Awaitable[list[events.OutboxRecord]]:
        executor = self._pool if self._pool is not None else self._thread
        return asyncio.get_running_loop().run_in_executor(
            executor, events.invoice_outbox_records, batch, created
        )


async def _rebill(
    runtime: ServiceRuntime, month: str, book: Any, calendar: ReferenceCalendar, chunk_size: int
) -> None:
    """Adjustments in ``month`` for every dirty child-period of an earlier closed month."""
    skipped: set[tuple[str, str]] = set()
    while True:
        async with runtime.unit_of_work() as session:
            await repository.period_row(session, month, lock=True)  # one re-bill at a time
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
                bill = bill_period(data[ledger.child_id], period, book, calendar)
                lines = adjustments_by_provider(json.loads(ledger.lines), bill.lines)
                await repository.write_adjustment(session, month, ledger, bill, lines, period)


async def period_status_in(session: Any, month: str) -> Any:
    """The period's row (None before its close started)."""
    return await repository.period_row(session, period_of(month).month)
