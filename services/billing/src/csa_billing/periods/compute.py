"""The pure work of a close: a chunk's bills and the invoice.issued events, computed in a
pool of spawned worker processes (given the provider terms and the calendar once), or
with ``workers`` 0 in one thread of the close's process: either way while the close reads
the next chunk and writes the previous one (PostgreSQL works meanwhile); same functions,
same results."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
from collections.abc import AsyncIterator, Awaitable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from csa_billing import events
from csa_billing.periods.assemble import stored_bill
from csa_billing.periods.bills import PeriodBill
from csa_billing.periods.inputs import ChunkRows, ProviderBook, children_data
from csa_shared.rules.calendars import ReferenceCalendar
from csa_shared.rules.periods import BillingPeriod

#: the youngest generation's collection threshold while chunks are billed (default 700)
GEN0_WHILE_BILLING = 10_000


def bill_chunk(
    rows: ChunkRows,
    children: list[str],
    period: BillingPeriod,
    book: ProviderBook,
    calendar: ReferenceCalendar,
) -> list[PeriodBill]:
    """A chunk's bills, in child order, as stored (JSON lines and provider totals), from
    its projection rows: the pure part of a chunk, run in the close's process or a worker."""
    data = children_data(rows, children)
    return [stored_bill(data[child], period, book, calendar) for child in children]


_WORKER: dict[str, object] = {}


def init_worker(book: ProviderBook, calendar: ReferenceCalendar) -> None:
    """Initializer of a close's worker process: the provider terms and the calendar; the
    young objects collected every ``GEN0_WHILE_BILLING`` allocations (see
    ``close._fewer_collections``: a worker only bills chunks)."""
    _WORKER["book"], _WORKER["calendar"] = book, calendar
    gc.set_threshold(GEN0_WHILE_BILLING, *gc.get_threshold()[1:])


def bill_chunk_in_worker(
    rows: ChunkRows, children: list[str], period: BillingPeriod
) -> list[PeriodBill]:
    """``bill_chunk`` in a worker process started with ``init_worker``."""
    book, calendar = _WORKER["book"], _WORKER["calendar"]
    assert isinstance(book, ProviderBook) and isinstance(calendar, ReferenceCalendar)
    return bill_chunk(rows, children, period, book, calendar)


class Compute:
    """Bills and events computed beside the close (see the module)."""

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
    ) -> AsyncIterator[Compute]:
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
        self, rows: ChunkRows, chunk: list[str], period: BillingPeriod
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
