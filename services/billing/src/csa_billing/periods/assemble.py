"""Bill one child's period: a ChildWeek per week from the projections, then the engine.

A week without a contract in force is billed at the full price to the parent, other charges
in full to the parent (``domain.full_price``); the lines are stored as
``domain.line_format`` writes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from csa_billing.domain.full_price import ParentLine, no_contract_lines, other_charge_line
from csa_billing.domain.line_format import line_dict, line_json, parent_line_dict, parent_line_json
from csa_billing.domain.lines import Line
from csa_billing.domain.model import ChildWeek, MealEntry, Presence, Provider, Schooling
from csa_billing.domain.placement import state_takeover_lines, tariff_category
from csa_billing.domain.sheet_hours import lay_out_sheet_day
from csa_billing.domain.week import calendar_days, compute_week
from csa_billing.periods.bills import PeriodBill
from csa_billing.periods.inputs import ChildData, ContractTerms, Interval, Meal, ProviderBook
from csa_shared.errors import Conflict
from csa_shared.rules.billing_modes import BillingMode, Source, billable_days, source_for
from csa_shared.rules.calendars import ReferenceCalendar, configured_calendar
from csa_shared.rules.categories import Category
from csa_shared.rules.parameters import ProviderType
from csa_shared.rules.periods import BillingPeriod, weeks_of

ZERO = Decimal("0.00")
WEEK = timedelta(days=7)


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


def _start(interval: Interval) -> datetime:
    return interval.start


@dataclass(slots=True)
class _Weeks:
    """A child's records of the period cut into its weeks, once, before the week loop."""

    mondays: tuple[date, ...]
    presences: list[list[Interval]]
    reservations: list[list[Interval]]
    sheets: list[list[Interval]]
    meals: list[list[Meal]]

    @classmethod
    def of(cls, data: ChildData, period: BillingPeriod) -> _Weeks:
        records = _Records.of(data)
        weeks = _weeks(period)
        meals: list[list[Meal]] = [[] for _ in weeks]
        for m in records.meals:
            k = (m.day - weeks[0]).days // 7
            if 0 <= k < len(weeks):
                meals[k].append(m)
        return cls(
            weeks,
            _by_week(records.presences, weeks),
            _by_week(records.reservations, weeks),
            _by_week(records.sheet_presences, weeks),
            meals,
        )


def _contract_of(contracts: list[ContractTerms], week: date) -> ContractTerms | None:
    if len(contracts) == 1:  # one version: contract_in_force is then its validity
        single = contracts[0]
        return single if single.valid_from <= week <= single.valid_until else None
    return contract_in_force(contracts, week)


def _engine_lines(
    contract: ContractTerms,
    week: date,
    providers: list[Provider],
    presences: list[Interval],
    meals: list[Meal],
    calendar: ReferenceCalendar,
    used: set[date],
) -> tuple[tuple[Line, ...], bool]:
    """The week through the rules engine (state takeover lines added for a child placed in
    an institution, §2), and whether it used a plurilingual week."""
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
            meals=tuple([MealEntry(m.provider_id, m.day, m.count, m.record_id) for m in meals]),
            school_holidays=school,
            public_holidays=public,
            plurilingual_weeks_used=sum(1 for w in used if w.year == week.year and w < week)
            if used
            else 0,
        )
    )
    lines = result.lines
    if contract.state_pays_all:  # placed in an institution: the state pays all (§2)
        lines = (*lines, *state_takeover_lines(lines))
    return lines, result.plurilingual_week_counted


def _no_contract(
    presences: list[Interval], meals: list[Meal], providers: list[Provider]
) -> list[ParentLine]:
    lines: list[ParentLine] = []
    for provider in providers:
        mine = [p for p in presences if p.provider_id == provider.id]
        eaten = [m for m in meals if m.provider_id == provider.id]
        lines += no_contract_lines(
            provider,
            _minutes(mine),
            [p.record_id for p in mine],
            sum(m.count for m in eaten),
            [m.record_id for m in eaten],
        )
    return lines


class _Week(NamedTuple):
    """A billed week: the engine's lines, then those the parent pays in full."""

    monday: date
    contract: ContractTerms | None
    plurilingual: bool  # a plurilingual week used
    lines: tuple[Line, ...]
    paid: list[ParentLine]


WeekLines = tuple[str, tuple[Line, ...], list[ParentLine]]


def _week_lines(
    data: ChildData, period: BillingPeriod, book: ProviderBook, calendar: ReferenceCalendar
) -> Iterator[_Week]:
    """Each week of the period, billed."""
    used = set(data.plurilingual_used)
    weeks = _Weeks.of(data, period)
    for k, week in enumerate(weeks.mondays):
        contract = _contract_of(data.contracts, week)
        presences = _attendance(
            data, week, weeks.presences[k], weeks.reservations[k], weeks.sheets[k]
        )
        meals = weeks.meals[k]
        ids = {p.provider_id for p in presences}
        if meals:
            ids |= {m.provider_id for m in meals}
        providers = _providers(data, ids, week, book) if ids else []
        lines: tuple[Line, ...] = ()
        counted = False
        paid: list[ParentLine] = []
        if contract is None:
            paid = _no_contract(presences, meals, providers)
        elif ids:
            lines, counted = _engine_lines(
                contract, week, providers, presences, meals, calendar, used
            )
            if counted:
                used.add(week)
        paid += [
            other_charge_line(c.provider_id, c.kind, c.amount, c.record_id)
            for c in data.charges
            if week <= c.day < week + WEEK
        ]
        yield _Week(week, contract, counted, lines, paid)


def _walk(
    data: ChildData,
    period: BillingPeriod,
    book: ProviderBook,
    calendar: ReferenceCalendar,
    bill: PeriodBill,
) -> Iterator[WeekLines]:
    """Each week's lines (ISO Monday, the engine's, those paid in full); the governing
    contract and the plurilingual weeks used go to ``bill``."""
    for week in _week_lines(data, period, book, calendar):
        if week.contract is not None:
            bill.contract = week.contract
        if week.plurilingual:
            bill.plurilingual_weeks.append(week.monday)
        yield week.monday.isoformat(), week.lines, week.paid
    if bill.contract is None and data.contracts:
        bill.contract = max(data.contracts, key=lambda c: (c.effective_from, c.version))


def bill_period(
    data: ChildData,
    period: BillingPeriod,
    book: ProviderBook,
    calendar: ReferenceCalendar | None = None,
) -> PeriodBill:
    """Every week of the period for one child, through the rules engine, the lines as
    dicts. ``calendar`` defaults to the configured one (shipped calendars + `csa calendar
    load`); the close reads it once and passes it."""
    bill = PeriodBill(data.child_id)
    for iso, lines, paid in _walk(data, period, book, calendar or configured_calendar(), bill):
        bill.lines += [line_dict(iso, line) for line in lines]
        bill.lines += [parent_line_dict(iso, line) for line in paid]
    return bill


def stored_bill(
    data: ChildData, period: BillingPeriod, book: ProviderBook, calendar: ReferenceCalendar
) -> PeriodBill:
    """``bill_period`` as the close stores it, without line dicts: each provider's lines as
    their JSON (``json.dumps`` of each line dict), providers sorted, and the totals per
    provider summed from the engine's amounts."""
    bill = PeriodBill(data.child_id)
    encoded: dict[str, list[str]] = {}
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    for iso, lines, paid in _walk(data, period, book, calendar, bill):
        for line in lines:
            encoded.setdefault(line.provider, []).append(line_json(iso, line))
            _add(sums, line.provider, line.parent_amount, line.state_amount)
        for plain in paid:
            encoded.setdefault(plain.provider, []).append(parent_line_json(iso, plain))
            _add(sums, plain.provider, plain.amount, ZERO)
    bill.encoded = {p: f"[{', '.join(encoded[p])}]" for p in sorted(encoded)}
    bill.sums = sums
    return bill


def _add(
    sums: dict[str, tuple[Decimal, Decimal]], provider: str, parent: Decimal, state: Decimal
) -> None:
    was_parent, was_state = sums.get(provider, (ZERO, ZERO))
    sums[provider] = (was_parent + parent, was_state + state)
