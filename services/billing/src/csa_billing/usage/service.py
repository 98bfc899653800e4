"""Current usage, computed on read: the open period of each child priced by the close's own
code (``bill_period`` over the projections, the rules engine of ``domain``).

Computing on read (no table of running totals) keeps the figure right whatever arrives and
in whatever order: a correction, a void, a late record, new provider terms or an amended
contract change the projections, and the next read prices them exactly as the close will.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.periods.assemble import bill_period
from csa_billing.usage import repository
from csa_billing.usage.schemas import ChildUsage, ProviderUsage, RuleUsage
from csa_shared.rules.periods import BillingPeriod

ZERO = Decimal("0.00")
HOURS = "care"  # the line kind whose quantity is hours of care


def _money(value: object) -> Decimal:
    return Decimal(str(value))


def provider_usage(
    provider_id: str, lines: Iterable[dict[str, object]], name: str | None = None
) -> ProviderUsage:
    """One provider's lines summed per (kind, rule), in the order the rules first appear."""
    rules: dict[tuple[str, str], RuleUsage] = {}
    for line in lines:
        key = (str(line["kind"]), str(line["rule"]))
        found = rules.setdefault(
            key,
            RuleUsage(
                kind=key[0], rule=key[1], quantity=ZERO, parent_amount=ZERO, state_amount=ZERO
            ),
        )
        found.quantity += _money(line["quantity"])
        found.parent_amount += _money(line["parent_amount"])
        found.state_amount += _money(line["state_amount"])
    summed = list(rules.values())
    return ProviderUsage(
        provider_id=provider_id,
        provider_name=name,
        hours_by_rule={r.rule: r.quantity for r in summed if r.kind == HOURS},
        rules=summed,
        parent_to_date=sum((r.parent_amount for r in summed), ZERO),
        state_to_date=sum((r.state_amount for r in summed), ZERO),
    )


def child_usage(
    child_id: str,
    period: BillingPeriod,
    lines: list[dict[str, object]],
    names: dict[str, str],
    as_of: datetime,
) -> ChildUsage:
    by_provider: dict[str, list[dict[str, object]]] = {}
    for line in lines:
        by_provider.setdefault(str(line["provider"]), []).append(line)
    providers = [
        provider_usage(pid, mine, names.get(pid)) for pid, mine in sorted(by_provider.items())
    ]
    return ChildUsage(
        child_id=child_id,
        month=period.month,
        period_start=period.start,
        period_end=period.end,
        hours=sum((sum(p.hours_by_rule.values(), ZERO) for p in providers), ZERO),
        parent_to_date=sum((p.parent_to_date for p in providers), ZERO),
        state_to_date=sum((p.state_to_date for p in providers), ZERO),
        providers=providers,
        as_of=as_of,
    )


async def current_usage(
    session: AsyncSession, child_ids: list[str], *, today: date, now: datetime
) -> list[ChildUsage]:
    """The children's open period so far (a child without records: zero, no provider)."""
    period = await repository.open_period(session, today)
    data, book = await repository.records(session, period, child_ids)
    bills = {child: bill_period(data[child], period, book) for child in child_ids}
    names = await repository.provider_names(
        session, {str(line["provider"]) for bill in bills.values() for line in bill.lines}
    )
    return [child_usage(c, period, bills[c].lines, names, now) for c in child_ids]
