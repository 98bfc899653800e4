"""Benchmark of the CSA week engine: random child-weeks per second and peak memory.

Usage: .venv/bin/python bench/bench_rules.py [--n N] [--seed S] [--repeat R] [--profile]
       [--trace-memory]

Prints, for the same pre-generated inputs, a baseline (a trivial pass that only sums the
presence durations) and the full engine (`compute_week`), with child-weeks per second and
peak memory. Rates use process CPU time, best of `--repeat` runs (robust on a shared
machine); `--profile` prints where the engine's time goes (cProfile, top functions).
Peak memory covers every timed engine run over all the child-weeks without slowing them:
the kernel's resident-set high-water mark is reset before the runs and read after them
(Linux /proc/self/clear_refs; elsewhere the process peak RSS). `--trace-memory` adds a
separate, slow tracemalloc pass over all the child-weeks (Python allocations only).
Goal: >= 50 000 child-weeks/s on one core. The engine runs as `make install` builds it:
mypyc-compiled (scripts/compile_domain.py) unless CSA_PURE_PYTHON=1 or the build is stale.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import resource
import time
import tracemalloc
from datetime import date, datetime, timedelta
from decimal import Decimal

from csa_billing import DOMAIN_COMPILED
from csa_billing.domain.model import ChildWeek, MealEntry, Presence, Provider, Schooling
from csa_billing.domain.week import compute_week
from csa_shared.rules.categories import Category
from csa_shared.rules.parameters import ProviderType, parameters_in_force

ENGINE_BUILD = (
    "mypyc-compiled (make compile; CSA_PURE_PYTHON=1 runs the pure-Python modules)"
    if DOMAIN_COMPILED
    else "pure Python (no fresh mypyc build: make compile)"
)
MONDAYS = [date(2025, 1, 6) + timedelta(weeks=i) for i in range(52)]
PRICES = [Decimal(p) for p in ("5.00", "6.00", "6.50", "7.25", "8.00")]
MEAL_PRICES = [Decimal(p) for p in ("3.50", "4.50", "5.20")]


def random_week(rng: random.Random) -> ChildWeek:
    """A plausible random child-week: 1-2 providers, up to 2 presences a day, meals."""
    monday = rng.choice(MONDAYS)
    providers = tuple(
        Provider(f"p{i}", rng.choice(list(ProviderType)), rng.choice(PRICES),
                 rng.choice(MEAL_PRICES), rng.random() < 0.5)
        for i in range(rng.choice((1, 1, 2)))
    )  # fmt: skip
    presences, meals = [], []
    for day in range(7):
        if rng.random() < (0.85 if day < 5 else 0.15):
            base = datetime.combine(monday + timedelta(days=day), datetime.min.time())
            start = rng.randrange(6 * 60, 10 * 60)
            end = start + rng.randrange(60, 11 * 60)
            presences.append(
                Presence(
                    rng.choice(providers).id,
                    base + timedelta(minutes=start),
                    base + timedelta(minutes=min(end, 1440)),
                )
            )
            if end < 19 * 60 and rng.random() < 0.2:
                presences.append(
                    Presence(
                        providers[0].id,
                        base + timedelta(minutes=end + 30),
                        base + timedelta(minutes=min(end + 180, 1440)),
                    )
                )
            if rng.random() < 0.8:
                meals.append(
                    MealEntry(providers[0].id, monday + timedelta(days=day), rng.choice((1, 1, 2)))
                )
    return ChildWeek(
        week_start=monday, category=rng.choice(list(Category)), rank=rng.randint(1, 5),
        birth_date=date(rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)),
        schooling=rng.choice(list(Schooling)), providers=providers,
        presences=tuple(presences), meals=tuple(meals),
        school_holidays=frozenset(monday + timedelta(days=i) for i in range(7))
        if rng.random() < 0.2 else frozenset(),
        plurilingual_weeks_used=rng.randint(0, 47),
    )  # fmt: skip


def baseline(weeks: list[ChildWeek]) -> int:
    """A trivial pass over the same inputs: total attended minutes."""
    total = 0
    for week in weeks:
        for p in week.presences:
            total += (p.end - p.start) // timedelta(minutes=1)
    return total


def engine(weeks: list[ChildWeek]) -> Decimal:
    """The full computation of every child-week."""
    total = Decimal(0)
    params = {monday: parameters_in_force(monday) for monday in MONDAYS}
    for week in weeks:
        total += compute_week(week, params[week.week_start]).parent_total
    return total


def trace_memory(weeks: list[ChildWeek]) -> None:
    """A separate pass over all the child-weeks under tracemalloc (slow; not timed)."""
    tracemalloc.start()
    started = time.process_time()
    engine(weeks)
    elapsed = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"engine     peak traced memory {peak / 1024:,.0f} KiB over {len(weeks):,} child-weeks "
          f"(tracemalloc pass with warm tables, {elapsed:.2f} s under tracing)")  # fmt: skip


def _rss_kib() -> tuple[int, int] | None:
    """(current, high-water) resident set of this process in KiB, from /proc (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    except (OSError, KeyError, ValueError):
        return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's resident-set high-water mark of this process (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300_000, help="child-weeks to compute")
    parser.add_argument("--seed", type=int, default=20250310)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--profile", action="store_true", help="profile the engine (cProfile)")
    parser.add_argument(
        "--trace-memory", action="store_true", help="add a (slow) tracemalloc pass over all weeks"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    weeks = [random_week(rng) for _ in range(args.n)]
    print(f"{args.n:,} random child-weeks (seed {args.seed})")
    print(f"engine build: {ENGINE_BUILD}")
    rates = {}
    before, peak_reset = None, False
    for name, fn in (("baseline", baseline), ("engine", engine)):
        if name == "engine":  # the peak covers the engine's tables and caches from cold
            before = _rss_kib()
            peak_reset = before is not None and _reset_peak_rss()
        elapsed = float("inf")
        for _ in range(max(1, args.repeat)):
            started = time.process_time()
            fn(weeks)
            elapsed = min(elapsed, time.process_time() - started)
        rates[name] = args.n / elapsed
        best = f"{elapsed:7.2f} s (best of {args.repeat})"
        print(f"{name:<10} {rates[name]:>12,.0f} child-weeks/s  {best}")
    after = _rss_kib()
    if before is not None and after is not None and peak_reset:
        print(f"engine     peak memory {(after[1] - before[0]) / 1024:,.1f} MB above the inputs "
              f"over all {args.repeat} runs of {args.n:,} child-weeks (resident set high-water "
              f"mark; {before[0] / 1024:,.1f} MB resident before)")  # fmt: skip
    else:
        print("engine     peak memory: no /proc/self resident-set high-water mark here; "
              "see the process peak RSS below")  # fmt: skip
    print(
        f"engine / baseline = {rates['engine'] / rates['baseline']:.3f}; "
        f"goal 50,000 child-weeks/s: {'met' if rates['engine'] >= 50_000 else 'NOT met'}"
    )
    if args.trace_memory:
        trace_memory(weeks)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(engine, weeks)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.1f} MB (includes the generated inputs)")


if __name__ == "__main__":
    main()
