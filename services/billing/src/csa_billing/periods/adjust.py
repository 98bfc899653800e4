"""Re-billing: the difference between what a closed period billed and what it should."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal


def _negated(line: dict[str, object]) -> dict[str, object]:
    out = dict(line)
    for key in ("parent_amount", "state_amount"):
        out[key] = str(-Decimal(str(line[key])))
    out["quantity"] = str(-Decimal(str(line["quantity"])))
    out["adjustment"] = "credit"
    return out


def adjustment_lines(
    billed: list[dict[str, object]], recomputed: list[dict[str, object]]
) -> list[dict[str, object]]:
    """For each week whose lines changed: the billed lines credited, the new lines debited.

    Weeks whose lines are identical produce nothing, so an unchanged recomputation yields
    no adjustment at all.
    """

    def by_week(lines: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
        weeks: dict[str, list[dict[str, object]]] = defaultdict(list)
        for line in lines:
            clean = {k: v for k, v in line.items() if k != "adjustment"}
            weeks[str(line["week"])].append(clean)
        return weeks

    old, new = by_week(billed), by_week(recomputed)
    result: list[dict[str, object]] = []
    for week in sorted(set(old) | set(new)):
        if old.get(week, []) == new.get(week, []):
            continue
        result += [_negated(line) for line in old.get(week, [])]
        result += [{**line, "adjustment": "debit"} for line in new.get(week, [])]
    return result


def adjustments_by_provider(
    billed: list[dict[str, object]], recomputed: list[dict[str, object]]
) -> dict[str, list[dict[str, object]]]:
    """``adjustment_lines`` of each provider on its own (its lines billed and recomputed):
    a parent pays each provider separately (csa-rules.md §7), so a correction at one
    provider adjusts that provider's invoice only. Providers without a change are absent."""
    providers = sorted({str(line["provider"]) for line in [*billed, *recomputed]})
    result = {}
    for provider in providers:
        lines = adjustment_lines(
            [line for line in billed if line["provider"] == provider],
            [line for line in recomputed if line["provider"] == provider],
        )
        if lines:
            result[provider] = lines
    return result
