"""Soak: a bounded run at a steady rate through attendance → Kafka → billing, memory sampled.

    .venv/bin/python bench/soak.py [--seconds 600] [--rate 20] [--sample-seconds 10]
    make soak

The same pipeline as ``bench_latency.py`` (attendance and billing as ``csa serve`` subprocesses
on loopback, PostgreSQL each, the broker from csa_shared.testing.broker, open-loop generator,
providers and contracts seeded through the API first). Every ``--sample-seconds`` the resident
set size (VmRSS) of both server processes is sampled. Printed: the samples, POST and end-to-end
latency p50/p99, errors, and per service the least-squares slope of RSS over the second half
of the run (the first half is warm-up: caches, pools, allocator arenas).

Fails (exit 1) on any error (a POST not 201, a presence not projected, an ERROR log line), when
the generator could not hold the rate (more than ``--max-outstanding`` unanswered requests),
or when a service's memory grows faster than ``--max-growth`` MiB/min.

The default rate suits a 2-core machine shared with PostgreSQL, the broker and the generator
(``bench_latency.py`` prints what one process per service holds); pass ``--rate`` to go higher.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from dataclasses import dataclass, field

import bench_latency as bl  # the pipeline and the generator (bench/ is on sys.path)

MIB = 1024 * 1024


@dataclass
class Samples:
    services: list[str]
    rows: list[tuple[float, list[float]]] = field(default_factory=list)  # (s, MiB per service)

    def slope_mib_per_min(self, index: int, since_s: float, until_s: float) -> float:
        """Least-squares slope of one service's RSS over samples in [since_s, until_s]."""
        points = [(t, mib[index]) for t, mib in self.rows if since_s <= t <= until_s]
        if len(points) < 2:
            return math.nan
        mean_t = sum(t for t, _ in points) / len(points)
        mean_m = sum(m for _, m in points) / len(points)
        var = sum((t - mean_t) ** 2 for t, _ in points)
        cov = sum((t - mean_t) * (m - mean_m) for t, m in points)
        return cov / var * 60 if var else math.nan


async def sample_forever(plat: bl.Platform, samples: Samples, every_s: float) -> None:
    start = time.perf_counter()
    while True:
        mib = [s.rss_bytes() / MIB for s in plat.servers]
        samples.rows.append((time.perf_counter() - start, mib))
        await asyncio.sleep(every_s - (time.perf_counter() - start) % every_s)


async def main(args: argparse.Namespace) -> int:
    total = min(args.max_requests, math.ceil(args.rate * args.seconds))
    workload = bl.Workload.sized(total + bl.WARMUP, args.providers, args.days)
    async with bl.platform(args.log_level, args.profile) as plat:
        samples = Samples([s.name for s in plat.servers])
        measured = await bl.drive(
            plat,
            workload,
            rate=args.rate,
            seconds=args.seconds,
            max_requests=args.max_requests,
            drain_s=args.drain_seconds,
            poll_s=args.poll_ms / 1000,
            max_outstanding=args.max_outstanding,
            timeout_s=args.timeout,
            during=lambda: sample_forever(plat, samples, args.sample_seconds),
        )
    print(
        f"soak               {args.seconds:g} s at {args.rate:g} req/s, RSS sampled every "
        f"{args.sample_seconds:g} s; {plat.broker.kind} broker; "
        f"{len(workload.providers)} providers x {workload.children} children"
    )
    print("   t (s)  " + "".join(f"{name:>14}" for name in samples.services) + "   (RSS MiB)")
    for t, mib in samples.rows:
        print(f"{t:8.0f}  " + "".join(f"{m:14.1f}" for m in mib))
    bl.report_run(measured, args.rate)
    failed = measured.error_count > 0 or not bl.sustained(measured, args.rate)
    half = args.seconds / 2
    for index, name in enumerate(samples.services):
        slope = samples.slope_mib_per_min(index, half, args.seconds)
        grows = not slope <= args.max_growth  # NaN (too few samples) fails too
        failed |= grows
        print(
            f"memory {name:<11} {slope:+.2f} MiB/min over the second half "
            f"(limit {args.max_growth:g}): {'GROWS' if grows else 'flat'}"
        )
    print(f"soak: {'FAILED' if failed else 'passed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    cli = bl.parser(__doc__ or "")
    cli.set_defaults(rate=20.0, seconds=600.0, max_outstanding=250)
    cli.add_argument("--sample-seconds", type=float, default=10.0)
    cli.add_argument("--max-growth", type=float, default=1.0, help="MiB/min per service")
    raise SystemExit(asyncio.run(main(cli.parse_args())))
