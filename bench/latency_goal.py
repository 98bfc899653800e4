"""bench_latency's verdict against issue 24's goals for one kind of request ("Speed where
people wait": a provider's single presence, meal or correction):

- the offered rate served for the whole run (not saturated, offered ≥ 95 % of it, every
  request accepted),
- POST p99 < 100 ms,
- POST → visible in billing p99 < 1 s (billing's stamp of the row),
- no error (POST refused or failed, not projected, an ERROR log line);

and, beside them, each service's CPU per request against the issue's targets (about: a
figure of what one process per service can hold, printed as met or not, not part of the
goal line's verdict).
"""

from __future__ import annotations

import math
from typing import Any

POST_P99_MS = 100.0
BILLING_P99_MS = 1000.0
#: CPU per request, ms, per service (issue 24: "about")
CPU_TARGET_MS = {"attendance": 1.0, "billing": 0.5}


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN when there is nothing."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def sustained(m: Any, rate: float) -> bool:
    """The target rate was offered and served in full (nothing left behind)."""
    return not m.run.saturated and m.offered_rate >= 0.95 * rate and m.accepted == m.sent


def missed(m: Any, rate: float) -> list[str]:
    """What of the goal the run missed (``m``: bench_latency's ``Measured``), in the goal's
    order; empty when it met all of it."""
    misses = []
    if not sustained(m, rate):
        stop = f"saturated after {m.sent:,} sent" if m.run.saturated else f"{m.sent:,} sent"
        misses.append(
            f"{rate:g} req/s not sustained ({stop}, offered {m.offered_rate:,.1f} req/s, "
            f"{m.accepted:,} accepted, served {m.run.served_rate:,.1f} req/s)"
        )
    post = pct(m.post_ms, 0.99)
    if not post < POST_P99_MS:
        misses.append(f"POST p99 {post:,.1f} ms" if m.post_ms else "no POST accepted")
    shown = pct(m.e2e_ms, 0.99)
    if not shown < BILLING_P99_MS:
        misses.append(f"in billing p99 {shown:,.1f} ms" if m.e2e_ms else "none in billing")
    if m.error_count:
        misses.append(f"{m.error_count} error{'s' if m.error_count > 1 else ''}")
    return misses


def goal_line(m: Any, rate: float) -> str:
    """``goal (kind): ...: met``, or ``NOT met — `` and what missed."""
    misses = missed(m, rate)
    verdict = "met" if not misses else "NOT met — " + "; ".join(misses)
    return (
        f"goal ({m.kind.name}): {rate:g} req/s sustained, POST p99 < {POST_P99_MS:.0f} ms, "
        f"in billing p99 < {BILLING_P99_MS / 1000:g} s, no error: {verdict}"
    )


def cpu_line(m: Any) -> str:
    """Each service's CPU per request beside the issue's target for it."""
    parts = []
    for name, target in CPU_TARGET_MS.items():
        ms = m.cpu_ms.get(name, math.nan)
        parts.append(f"{name} {ms:.2f} ms (≤ {target:.1f}: {'met' if ms <= target else 'NOT met'})")
    return f"goal, CPU per {m.kind.name} (about): " + ", ".join(parts)
