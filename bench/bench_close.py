"""Period-close benchmark: N children (default 60 000), one 5-week period (2025-03),
about 25 presences per child inserted into billing's projections on PostgreSQL with COPY,
then the close; next to it the rules engine alone on the same child-weeks.

    .venv/bin/python bench/bench_close.py [--children N] [--chunk 1000] [--workers W]

``--workers`` is the close's ``workers`` option (``BILLING_CLOSE_WORKERS``): processes that
bill a chunk while the close reads and writes the next one (0: one thread of this
process does the billing). Prints wall time, children/s, when the chunks were done and
how long the finalization took, peak RSS, and whether the goals are met: a close of
60 000 children in under 30 s (measured, or extrapolated linearly from N) and a peak RSS
under 1 GiB (this process plus its largest worker, once per worker).
Uses a fresh database on the server of TEST_DATABASE_URL (dropped at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg

from csa.services import definition
from csa_billing.periods.assemble import bill_period
from csa_billing.periods.close import CloseOptions, close_period
from csa_billing.periods.inputs import (
    ChildData,
    ContractTerms,
    Interval,
    ProviderBook,
    ProviderTerms,
)
from csa_billing.periods.settings import DEFAULT_CHUNK, close_workers
from csa_shared.rules.calendars import configured_calendar
from csa_shared.rules.periods import billing_period, weeks_of
from csa_shared.settings import Settings
from csa_shared.testing.postgres import PostgresDatabases

PERIOD = billing_period(2025, 3)
GOAL_CHILDREN, GOAL_SECONDS, GOAL_RSS_MIB = 60_000, 30.0, 1024
PROVIDERS = 200
CATEGORIES = ["rmg", "lt_1_5", "lt_2", "lt_2_5", "lt_3", "lt_3_5", "lt_4", "lt_4_5", "ge_4_5"]
SCHOOLING = ["none", "precoce_part_time", "fundamental"]


def provider_terms(i: int) -> ProviderTerms:
    kind = "sea_conventionne" if i % 3 else "sea_commercial"
    return ProviderTerms(
        f"p{i:04d}",
        date(2024, 9, 2),
        kind,
        f"commune-{i % 20}",
        Decimal("6.00") if i % 3 else Decimal("7.50"),
        Decimal("4.50"),
        i % 2 == 0,
    )


def contract(n: int) -> ContractTerms:
    return ContractTerms(
        f"c{n:06d}",
        1,
        f"h{n:06d}",
        CATEGORIES[n % 9],
        1 + n % 3,
        SCHOOLING[n % 3],
        date(2022, 1, 1) + timedelta(days=n % 700),
        date(2025, 3, 3),
        date(2026, 2, 1),
        date(2025, 3, 3),
        "fr",
    )


def presences(n: int) -> list[Interval]:
    out = []
    provider = f"p{n % PROVIDERS:04d}"
    for w, monday in enumerate(weeks_of(PERIOD)):
        for d in range(5):
            start = datetime.combine(monday + timedelta(days=d), datetime.min.time()) + timedelta(
                hours=7 + (n + d) % 3
            )
            out.append(
                Interval(
                    f"r{n:06d}-{w}-{d}", provider, start, start + timedelta(hours=4 + (n + w) % 6)
                )
            )
    return out


async def load(url: str, children: int) -> None:
    conn = await asyncpg.connect(url)
    now = datetime.now(UTC)
    try:
        await conn.copy_records_to_table(
            "provider_terms",
            records=[
                (
                    t.provider_id,
                    t.effective_from,
                    t.type,
                    f"Provider {t.provider_id}",
                    t.commune,
                    t.hourly_price,
                    t.meal_price,
                    t.plurilingual,
                    1,
                    now,
                )
                for t in map(provider_terms, range(PROVIDERS))
            ],
            columns=[
                "provider_id",
                "effective_from",
                "provider_type",
                "name",
                "commune",
                "hourly_price",
                "meal_price",
                "plurilingual",
                "version",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "contract_version",
            records=[
                (
                    c.contract_id,
                    1,
                    f"k{n:06d}",
                    c.household_id,
                    "signed",
                    c.category,
                    c.rank,
                    c.schooling,
                    c.birth_date,
                    c.valid_from,
                    c.valid_until,
                    c.effective_from,
                    "fr",
                    "{}",
                    now,
                )
                for n, c in ((n, contract(n)) for n in range(children))
            ],
            columns=[
                "contract_id",
                "version",
                "child_id",
                "household_id",
                "status",
                "category",
                "rank",
                "schooling",
                "birth_date",
                "valid_from",
                "valid_until",
                "effective_from",
                "language",
                "billing_address",
                "updated_at",
            ],
        )
        for lo in range(0, children, 5000):
            await conn.copy_records_to_table(
                "presence_projection",
                records=[
                    (p.record_id, p.provider_id, f"k{n:06d}", p.start, p.end, 1, now, False)
                    for n in range(lo, min(children, lo + 5000))
                    for p in presences(n)
                ],
                columns=[
                    "presence_id",
                    "provider_id",
                    "child_id",
                    "start",
                    "end",
                    "version",
                    "updated_at",
                    "voided",
                ],
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def engine_alone(children: int) -> float:
    book = ProviderBook([provider_terms(i) for i in range(PROVIDERS)])
    calendar = configured_calendar()
    started = time.perf_counter()
    for n in range(children):
        bill_period(
            ChildData(f"k{n:06d}", contracts=[contract(n)], presences=presences(n)),
            PERIOD,
            book,
            calendar,
        )
    return time.perf_counter() - started


def _mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


async def main(children: int, chunk: int, workers: int) -> None:
    databases = PostgresDatabases()
    database = databases.create()
    try:
        runtime = definition("billing").build_runtime(
            Settings(BILLING_DATABASE_URL=database.url), subscribe=False
        )
        await runtime.migrate()
        started = time.perf_counter()
        await load(database.url.replace("postgresql+asyncpg://", "postgresql://"), children)
        print(
            f"loaded {children} children, {children * 25} presences "
            f"in {time.perf_counter() - started:.1f} s"
        )
        marks: list[float] = []  # when each chunk was committed (the close's progress)
        started = time.perf_counter()
        cpu = time.process_time()
        workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        row = await close_period(
            runtime,
            PERIOD.month,
            CloseOptions(
                chunk_size=chunk,
                workers=workers,
                progress=lambda done, total: marks.append(time.perf_counter()),
            ),
        )
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers_cpu = (done.ru_utime + done.ru_stime) - (
            workers_cpu.ru_utime + workers_cpu.ru_stime
        )
        await runtime.engine.dispose()
        main_rss, worker_rss = _mib(resource.RUSAGE_SELF), _mib(resource.RUSAGE_CHILDREN)
        print(
            f"close: {wall:.1f} s wall ({cpu:.1f} s CPU in this process"
            + (f", {workers_cpu:.1f} s in the workers), " if workers else "), ")
            + f"{children / wall:,.0f} children/s; chunk {chunk}, workers {workers}; "
            f"state {row.state_total} EUR"
        )
        if marks:
            print(
                f"  chunks billed and committed after {marks[-1] - started:.1f} s (first after "
                f"{marks[0] - started:.1f} s); finalization (numbers, statements, events) "
                f"{started + wall - marks[-1]:.1f} s"
            )
        baseline = engine_alone(children)
        print(
            "assembly + rules engine alone (same child-weeks, one process): "
            f"{baseline:.1f} s, {children / baseline:,.0f} children/s"
        )
        rss = main_rss + workers * worker_rss
        print(
            f"peak RSS: {main_rss:.0f} MiB"
            + (f" + {workers} x {worker_rss:.0f} MiB (largest worker)" if workers else "")
        )
        at_goal = wall * GOAL_CHILDREN / children
        how = "measured" if children == GOAL_CHILDREN else f"extrapolated from {children:,}"
        met = "met" if at_goal < GOAL_SECONDS else "NOT met"
        print(
            f"goal {GOAL_SECONDS:.0f} s for {GOAL_CHILDREN:,} children: {met} "
            f"({at_goal:.1f} s, {how})"
        )
        met = "met" if rss < GOAL_RSS_MIB else "NOT met"
        print(f"goal peak RSS < 1 GiB: {met} ({rss:.0f} MiB at {children:,} children)")
    finally:
        databases.drop(database)
        databases.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=60_000)
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    parser.add_argument("--workers", type=int, default=close_workers())
    args = parser.parse_args()
    asyncio.run(main(args.children, args.chunk, args.workers))
