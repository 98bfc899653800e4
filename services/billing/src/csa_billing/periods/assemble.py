"""Bill one child's period: a ChildWeek per week from the projections, then the engine.

A week without a contract in force is billed at the full price to the parent (rule
``no_contract``); other charges are billed in full to the parent (rule ``other_charge``).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from json.encoder import encode_basestring_ascii

from csa_billing.domain.lines import Line, amount_for_minutes, hours_of
from csa_billing.domain.model import ChildWeek, MealEntry, Presence, Provider, Schooling
from csa_billing.domain.placement import state_takeover_lines, tariff_category
from csa_billing.domain.sheet_hours import lay_out_sheet_day
from csa_billing.domain.week import calendar_days, compute_week
from csa_billing.periods.bills import PeriodBill
from csa_billing.periods.inputs import ChildData, ContractTerms, Interval, Meal, ProviderBook
from csa_billing.periods.loading import ChunkRows, children_data
from csa_shared.errors import Conflict
from csa_shared.rules.billing_modes import BillingMode, Source, billable_days, source_for
from csa_shared.rules.calendars import ReferenceCalendar, configured_calendar
from csa_shared.rules.categories import Category
from csa_shared.rules.money import round_cents
from csa_shared.rules.parameters import ProviderType
from csa_shared.rules.periods import BillingPeriod, weeks_of

ZERO = Decimal("0.00")
WEEK = timedelta(days=7)
NO_CONTRACT_SECTION = "csa-rules.md §8 (no valid contract, no CSA)"


_weeks = lru_cache(maxsize=64)(weeks_of)  # a period's Mondays, computed once per period


@lru_cache(maxsize=64)
def _week_bounds(weeks: tuple[date, ...]) -> tuple[datetime, ...]:
    """Midnight of each Monday and of the Monday after the last week."""
    return tuple(datetime.combine(weeks[0], time()) + k * WEEK for k in range(len(weeks) + 1))


@lru_cache(maxsize=512)
def _days_of(calendar: ReferenceCalendar, week_start: date) -> tuple[frozenset[date], ...]:
    return calendar_days(calendar, week_start)


def contract_in_force(contracts: list[ContractTerms], week: date) -> ContractTerms | None:
    """The newest version effective on the week's Monday, if the contract is then valid."""
    candidates = [c for c in contracts if c.effective_from <= week]
    if not candidates:
        candidates = [c for c in contracts if c.valid_from <= week]
    if not candidates:
        return None
    latest = max(candidates, key=lambda c: (c.effective_from, c.version))
    return latest if latest.valid_from <= week <= latest.valid_until else None


def _by_week(items: list[Interval], weeks: tuple[date, ...]) -> list[list[Interval]]:
    """The parts of the intervals inside each week, in one pass over the intervals: each
    bucket in the intervals' order (a presence over Sunday midnight is cut in both)."""
    buckets: list[list[Interval]] = [[] for _ in weeks]
    if not items:
        return buckets
    count = len(weeks)
    bounds = _week_bounds(weeks)
    first, last = bounds[0], bounds[-1]
    for i in items:
        start, end = i.start, i.end
        k = (start - first).days // 7
        if 0 <= k < count and end <= bounds[k + 1]:  # inside one week (the usual case)
            if end > bounds[k]:  # a zero-length interval at midnight belongs to no week
                buckets[k].append(i)
            continue
        if start >= last or end <= first:
            continue
        for n in range(max(0, k), count):
            lo, hi = bounds[n], bounds[n + 1]
            if end <= lo:
                break
            buckets[n].append(
                i
                if start >= lo and end <= hi
                else Interval(i.record_id, i.provider_id, max(start, lo), min(end, hi))
            )
    return buckets


def _minutes(items: list[Interval]) -> int:
    return sum(int((i.end - i.start).total_seconds()) // 60 for i in items)


def _sheet_records(data: ChildData) -> tuple[list[Interval], list[Meal]]:
    """An AP service sheet's days as presences (in-band hours from 07:00, the others from
    19:00 then 00:00: domain.sheet_hours) and lunches as meals."""
    presences, meals = [], []
    for sheet in data.sheets:
        for entry in sheet.days:
            day = date.fromisoformat(str(entry["day"]))
            in_band = Decimal(str(entry["hours"]))
            out_of_band = Decimal(str(entry.get("out_of_band_hours", 0)))
            for start, end in lay_out_sheet_day(day, in_band, out_of_band):
                presences.append(Interval(sheet.sheet_id, sheet.provider_id, start, end))
            if int(str(entry["lunches"])) > 0:
                meals.append(
                    Meal(sheet.sheet_id, sheet.provider_id, day, int(str(entry["lunches"])))
                )
    return presences, meals


def _day_clip(items: list[Interval], day: date) -> list[Interval]:
    """The parts of the intervals on calendar day ``day`` (record ids kept)."""
    lo = datetime.combine(day, time())
    hi = lo + timedelta(days=1)
    return [
        Interval(i.record_id, i.provider_id, max(i.start, lo), min(i.end, hi))
        for i in items
        if i.start < hi and i.end > lo
    ]


def billed_intervals(
    mode: str, presences: list[Interval], reservations: list[Interval]
) -> list[Interval]:
    """One provider's billed intervals under its billing mode, decided per calendar day by the
    shared rule (csa_shared.rules.billing_modes): under ``greater_of`` each day bills the
    longer of that day's presences and reservations, never the week's."""
    if BillingMode(mode) is not BillingMode.GREATER_OF:
        return presences if source_for(mode, 0, 0) is Source.PRESENCE else reservations
    chosen: list[Interval] = []
    for day in billable_days(mode=mode, presences=presences, reservations=reservations):
        billed = presences if day.source is Source.PRESENCE else reservations
        chosen += _day_clip(billed, day.day)
    return chosen


@dataclass(slots=True)
class _Records:
    """A child's records of the period once, before the week loop: an AP service sheet
    replaces its provider's presences and meals (its days become presences)."""

    presences: list[Interval]
    reservations: list[Interval]
    sheet_presences: list[Interval]
    meals: list[Meal]

    @classmethod
    def of(cls, data: ChildData) -> _Records:
        if not data.sheets:
            return cls(data.presences, data.reservations, [], data.meals)
        sheet_providers = {s.provider_id for s in data.sheets}
        sheet_presences, sheet_meals = _sheet_records(data)
        return cls(
            [p for p in data.presences if p.provider_id not in sheet_providers],
            data.reservations,
            sheet_presences,
            [m for m in data.meals if m.provider_id not in sheet_providers] + sheet_meals,
        )


def _attendance(
    data: ChildData,
    week: date,
    presences: list[Interval],
    reservations: list[Interval],
    sheet_presences: list[Interval],
) -> list[Interval]:
    """The week's billable intervals (``presences``, ``reservations`` and ``sheet_presences``
    already cut to the week), per provider in provider order under the education contract's
    billing mode, then the AP service sheets' days."""
    modes = {e.provider_id: e.billing_mode for e in data.education if e.active(week)}
    providers = {i.provider_id for i in presences}
    if reservations:
        providers |= {i.provider_id for i in reservations}
    if not modes or all(modes.get(p, _PRESENCE) == _PRESENCE for p in providers):
        # every provider bills its presences: grouped by provider (a stable sort keeps each
        # provider's presences in order), as the general case below concatenates them
        chosen = list(presences) if len(providers) < 2 else sorted(presences, key=_provider)
    else:
        chosen = []
        for provider in sorted(providers):
            mode = modes.get(provider, BillingMode.PRESENCE)
            mine = [p for p in presences if p.provider_id == provider]
            if mode == BillingMode.PRESENCE:
                chosen += mine
            else:
                chosen += billed_intervals(
                    mode, mine, [r for r in reservations if r.provider_id == provider]
                )
    if sheet_presences:
        chosen += sheet_presences
    return chosen


_PRESENCE = BillingMode.PRESENCE
_CATEGORIES = {c.value: c for c in Category}
_SCHOOLINGS = {c.value: c for c in Schooling}


def _provider(interval: Interval) -> str:
    return interval.provider_id


def _providers(data: ChildData, ids: set[str], week: date, book: ProviderBook) -> list[Provider]:
    prices = {e.provider_id: e.hourly_price for e in data.education if e.active(week)}
    memo = book.memo
    providers = []
    for provider_id in sorted(ids):
        key = (provider_id, week, prices.get(provider_id))
        provider = memo.get(key)
        if provider is None:
            terms = book.at(provider_id, week)
            if terms is None:
                raise Conflict(
                    f"provider {provider_id} (child {data.child_id}) has no known terms",
                    code="unknown-provider",
                )
            provider = memo[key] = Provider(
                id=provider_id,
                type=ProviderType(terms.type),
                hourly_price=prices.get(provider_id, terms.hourly_price),
                meal_price=terms.meal_price,
                plurilingual=terms.plurilingual,
            )
        providers.append(provider)
    return providers


def _line(week: str, line: Line) -> dict[str, object]:
    return {
        "week": week,
        "provider": line.provider,
        "kind": str(line.kind),
        "rule": str(line.rule),
        "section": line.rule_section,
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "parent_rate": str(line.parent_rate),
        "state_rate": str(line.state_rate),
        "parent_amount": str(line.parent_amount),
        "state_amount": str(line.state_amount),
        "record_ids": list(line.record_ids),
    }


_heads: dict[tuple[str, str, str], str] = {}


def _head(provider: str, kind: str, rule: str, section: str) -> str:
    """The provider, kind, rule and section of a line as ``json.dumps`` writes them (ASCII,
    quoted), memoized: a close has few distinct ones."""
    key = (provider, kind, rule)
    found = _heads.get(key)
    if found is None:
        found = (
            f'"provider": {encode_basestring_ascii(provider)}, '
            f'"kind": {encode_basestring_ascii(kind)}, '
            f'"rule": {encode_basestring_ascii(rule)}, '
            f'"section": {encode_basestring_ascii(section)}'
        )
        if len(_heads) < 65536:
            _heads[key] = found
    return found


def _line_json(week: str, line: Line) -> str:
    """``json.dumps(_line(week, line))``, written directly (same keys, order, separators
    and escaping): the close stores the lines as this JSON and keeps no line dicts."""
    head = _heads.get((line.provider, line.kind, line.rule)) or _head(
        line.provider, str(line.kind), str(line.rule), line.rule_section
    )
    ids = ", ".join(map(encode_basestring_ascii, line.record_ids))
    return (
        f'{{"week": "{week}", {head}, '
        f'"quantity": "{line.quantity!s}", "unit_price": "{line.unit_price!s}", '
        f'"parent_rate": "{line.parent_rate!s}", "state_rate": "{line.state_rate!s}", '
        f'"parent_amount": "{line.parent_amount!s}", "state_amount": "{line.state_amount!s}", '
        f'"record_ids": [{ids}]}}'
    )


def _full_price(
    week: date, presences: list[Interval], meals: list[Meal], providers: list[Provider]
) -> list[dict[str, object]]:
    lines: list[dict[str, object]] = []
    for provider in providers:
        mine = [p for p in presences if p.provider_id == provider.id]
        minutes = _minutes(mine)
        if minutes:
            amount = amount_for_minutes(minutes, provider.hourly_price)
            lines.append(
                _plain(
                    week,
                    provider.id,
                    "care",
                    hours_of(minutes),
                    provider.hourly_price,
                    amount,
                    [p.record_id for p in mine],
                )
            )
        eaten = [m for m in meals if m.provider_id == provider.id]
        count = sum(m.count for m in eaten)
        if count:
            amount = provider.meal_price * count
            lines.append(
                _plain(
                    week,
                    provider.id,
                    "meal",
                    Decimal(count),
                    provider.meal_price,
                    amount,
                    [m.record_id for m in eaten],
                )
            )
    return lines


def _plain(
    week: date,
    provider: str,
    kind: str,
    quantity: Decimal,
    price: Decimal,
    amount: Decimal,
    ids: list[str],
    rule: str = "no_contract",
    section: str = NO_CONTRACT_SECTION,
) -> dict[str, object]:
    return {
        "week": week.isoformat(),
        "provider": provider,
        "kind": kind,
        "rule": rule,
        "section": section,
        "quantity": str(quantity),
        "unit_price": str(price),
        "parent_rate": str(price),
        "state_rate": "0.00",
        "parent_amount": str(round_cents(amount)),
        "state_amount": "0.00",
        "record_ids": sorted(set(ids)),
    }


def _start(interval: Interval) -> datetime:
    return interval.start


def bill_period(
    data: ChildData,
    period: BillingPeriod,
    book: ProviderBook,
    calendar: ReferenceCalendar | None = None,
) -> PeriodBill:
    """Every week of the period for one child, through the rules engine. ``calendar``
    defaults to the configured one (shipped calendars + `csa calendar load`); the close
    reads it once and passes it."""
    return _bill(data, period, book, calendar)[0]


def _bill(
    data: ChildData,
    period: BillingPeriod,
    book: ProviderBook,
    calendar: ReferenceCalendar | None = None,
    encoded: dict[str, list[str]] | None = None,
) -> tuple[PeriodBill, dict[str, tuple[Decimal, Decimal]]]:
    """``bill_period`` and the bill's totals per provider (``provider_totals`` of its lines,
    summed from the engine's amounts rather than parsed back from the lines). Given
    ``encoded``, the lines go there as their JSON (``json.dumps`` of each line dict), per
    provider, and the bill keeps none: what the close stores, without building the dicts."""
    calendar = calendar or configured_calendar()
    bill = PeriodBill(data.child_id)
    used = set(data.plurilingual_used)
    records = _Records.of(data)
    weeks = _weeks(period)
    week_presences = _by_week(records.presences, weeks)
    week_reservations = _by_week(records.reservations, weeks)
    week_sheets = _by_week(records.sheet_presences, weeks)
    first = weeks[0]
    week_meals: list[list[Meal]] = [[] for _ in weeks]
    for m in records.meals:
        k = (m.day - first).days // 7
        if 0 <= k < len(weeks):
            week_meals[k].append(m)
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    lines = bill.lines
    add: Callable[[dict[str, object]], None] = (
        lines.append
        if encoded is None
        else lambda line: encoded.setdefault(str(line["provider"]), []).append(json.dumps(line))
    )
    contracts = data.contracts
    single = contracts[0] if len(contracts) == 1 else None
    for k, week in enumerate(weeks):
        if single is not None:  # one version: contract_in_force is then its validity
            contract = single if single.valid_from <= week <= single.valid_until else None
        else:
            contract = contract_in_force(contracts, week)
        if contract is not None:
            bill.contract = contract
        presences = _attendance(data, week, week_presences[k], week_reservations[k], week_sheets[k])
        meals = week_meals[k]
        ids = {p.provider_id for p in presences}
        if meals:
            ids |= {m.provider_id for m in meals}
        providers = _providers(data, ids, week, book) if ids else []
        if contract is None:
            for plain in _full_price(week, presences, meals, providers):
                _add(sums, plain)
                add(plain)
        elif ids:
            school, public = _days_of(calendar, week)
            if len(presences) > 1:
                presences = sorted(presences, key=_start)
            result = compute_week(
                ChildWeek(
                    week_start=week,
                    category=tariff_category(
                        _CATEGORIES.get(contract.category) or Category(contract.category),
                        contract.state_pays_all,
                    ),
                    rank=contract.rank,
                    birth_date=contract.birth_date,
                    schooling=_SCHOOLINGS.get(contract.schooling) or Schooling(contract.schooling),
                    providers=tuple(providers),
                    presences=tuple(
                        [Presence(p.provider_id, p.start, p.end, p.record_id) for p in presences]
                    ),
                    meals=tuple(
                        [MealEntry(m.provider_id, m.day, m.count, m.record_id) for m in meals]
                    ),
                    school_holidays=school,
                    public_holidays=public,
                    plurilingual_weeks_used=sum(1 for w in used if w.year == week.year and w < week)
                    if used
                    else 0,
                )
            )
            if result.plurilingual_week_counted:
                used.add(week)
                bill.plurilingual_weeks.append(week)
            iso = week.isoformat()
            week_lines = result.lines
            if contract.state_pays_all:  # placed in an institution: the state pays all (§2)
                week_lines = (*week_lines, *state_takeover_lines(week_lines))
            for computed in week_lines:
                if encoded is None:
                    lines.append(_line(iso, computed))
                else:
                    encoded.setdefault(computed.provider, []).append(_line_json(iso, computed))
                parent, state = sums.get(computed.provider, (ZERO, ZERO))
                sums[computed.provider] = (
                    parent + computed.parent_amount,
                    state + computed.state_amount,
                )
        for charge in data.charges:
            if week <= charge.day < week + WEEK:
                charged = _plain(
                    week,
                    charge.provider_id,
                    "other_charge",
                    Decimal(1),
                    charge.amount,
                    charge.amount,
                    [charge.record_id],
                    rule="other_charge",
                    section=f"outside the CSA: {charge.kind}",
                )
                _add(sums, charged)
                add(charged)
    if bill.contract is None and data.contracts:
        bill.contract = max(data.contracts, key=lambda c: (c.effective_from, c.version))
    return bill, sums


def _add(sums: dict[str, tuple[Decimal, Decimal]], line: dict[str, object]) -> None:
    provider = str(line["provider"])
    parent, state = sums.get(provider, (ZERO, ZERO))
    sums[provider] = (
        parent + Decimal(str(line["parent_amount"])),
        state + Decimal(str(line["state_amount"])),
    )


def bill_chunk(
    rows: ChunkRows,
    children: list[str],
    period: BillingPeriod,
    book: ProviderBook,
    calendar: ReferenceCalendar,
) -> list[PeriodBill]:
    """A chunk's bills, in child order and compacted (JSON lines and provider totals), from
    its projection rows: the pure part of a chunk, run in the close's process or a worker."""
    data = children_data(rows, children)
    bills = []
    for child in children:
        encoded: dict[str, list[str]] = {}
        bill, sums = _bill(data[child], period, book, calendar, encoded)
        bill.encoded = {p: f"[{', '.join(encoded[p])}]" for p in sorted(encoded)}
        bill.sums = sums
        bills.append(bill)
    return bills


_WORKER: dict[str, object] = {}
#: the youngest generation's collection threshold while chunks are billed (default 700)
GEN0_WHILE_BILLING = 10_000


def init_worker(book: ProviderBook, calendar: ReferenceCalendar) -> None:
    """Initializer of a close's worker process: the provider terms and the calendar; the
    young objects collected every ``GEN0_WHILE_BILLING`` allocations (see
    ``service._fewer_collections``: a worker only bills chunks)."""
    _WORKER["book"], _WORKER["calendar"] = book, calendar
    gc.set_threshold(GEN0_WHILE_BILLING, *gc.get_threshold()[1:])


def bill_chunk_in_worker(
    rows: ChunkRows, children: list[str], period: BillingPeriod
) -> list[PeriodBill]:
    """``bill_chunk`` in a worker process started with ``init_worker``."""
    book, calendar = _WORKER["book"], _WORKER["calendar"]
    assert isinstance(book, ProviderBook) and isinstance(calendar, ReferenceCalendar)
    return bill_chunk(rows, children, period, book, calendar)
