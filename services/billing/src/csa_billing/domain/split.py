"""Parent/state split of care hours and the school-holiday weekly cap (csa-rules.md §4, §5)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from csa_billing.domain.hours import CLASSES, UNSUPPORTED, Classified
from csa_billing.domain.lines import (
    Line,
    LineKind,
    Rule,
    cents_for_minutes,
    hours_of,
)
from csa_billing.domain.model import Provider
from csa_billing.domain.terms import WeekTerms
from csa_shared.rules.money import CENT as _CENT  # cents x _CENT: exact euros, as `euros`
from csa_shared.rules.money import ZERO, round_cents

# Enum members bound once: attribute access on an Enum class is slow in CPython 3.11.
_CARE, _SUPPLEMENT, _AP_SUPPLEMENT = LineKind.CARE, LineKind.SUPPLEMENT, LineKind.AP_SUPPLEMENT
_UNSUPPORTED_RULE, _ABOVE_CAP, _AP_OFF = Rule.UNSUPPORTED, Rule.PRICE_ABOVE_CAP, Rule.AP_OFF_HOURS
_TRANCHE_RULES = frozenset({Rule.TRANCHE_1, Rule.TRANCHE_2, Rule.TRANCHE_3})
_new = tuple.__new__  # builds a Line from all its fields without NamedTuple's Python __new__


def care_lines(
    classified: Classified, providers: Sequence[Provider], plan: WeekTerms
) -> tuple[list[Line], int, int]:
    """Care, supplement and AP off-hours lines per provider and hour class (csa-rules.md §4).

    state share per hour = max(0, min(P, C) - r) with the parent's rate r of the class (0 for
    the free classes) and the state's cap C of the provider type; the parent pays min(P, C) -
    state share on the care line and P - C on a separate supplement line when P > C. Hours
    beyond the supported cap: full price, state 0. AP off-hours supported hours: +0.50/h
    state money. Amounts are integer cents, each line rounded once (`cents_for_minutes`).
    Returns the lines and the parent's and state's totals over them, in cents.
    """
    per_class, records = classified.minutes, classified.records
    parent_total = state_total = 0
    lines: list[Line] = []
    append = lines.append
    # Price-above-cap supplements waiting for their line, one per provider for all its
    # supported hours (§4): [provider terms, provider id, minutes, record ids], flushed
    # before an unsupported line and at the end, so that they follow the care lines they
    # supplement.
    pending: list[_Pending] = []
    base = 0
    for provider in providers:
        counts = per_class[base : base + CLASSES]
        base += CLASSES
        if not any(counts):
            continue
        terms = plan.provider(provider.type, provider.hourly_price)
        pid = provider.id
        excess = terms.excess_cents
        supplement: _Pending | None = None  # this provider's supplement line in the making
        for cls, count in enumerate(counts):
            if not count:
                continue
            found = records.get(base - CLASSES + cls) if records else None
            ids = tuple(dict.fromkeys(found)) if found else ()
            if cls == UNSUPPORTED:
                if pending:
                    parent_total += _flush_supplements(pending, append)
                unit = terms.price
                amount = cents_for_minutes(count * terms.price_cents)
                parent_total += amount
                append(
                    _new(Line, (pid, _CARE, _UNSUPPORTED_RULE, hours_of(count), unit, unit,
                                ZERO, _CENT * amount, ZERO, count, ids))
                )  # fmt: skip
                continue
            rule, unit, parent_rate, state_rate, care, state = terms.classes[cls]
            total = cents_for_minutes(count * care)
            if state:
                state = cents_for_minutes(count * state)
            parent_total += total - state
            state_total += state
            append(
                _new(Line, (pid, _CARE, rule, hours_of(count), unit, parent_rate, state_rate,
                            _CENT * (total - state), _CENT * state, count, ids))
            )  # fmt: skip
            if excess:
                if supplement is None:
                    supplement = [terms, pid, count, ids]
                    pending.append(supplement)
                else:
                    supplement[2] += count
                    supplement[3] += ids
    if pending:
        parent_total += _flush_supplements(pending, append)
    ap_off = classified.ap_off_hours
    for prov, count in enumerate(ap_off):
        if count:
            extra = plan.ap_extra
            amount = cents_for_minutes(count * plan.ap_extra_cents)
            state_total += amount
            append(
                _new(Line, (providers[prov].id, _AP_SUPPLEMENT, _AP_OFF, hours_of(count), extra,
                            ZERO, extra, ZERO, _CENT * amount, count, ()))
            )  # fmt: skip
    return lines, parent_total, state_total


#: A supplement line in the making: provider terms, provider id, minutes and record ids.
_Pending = list[Any]


def _flush_supplements(pending: list[_Pending], append: Callable[[Line], None]) -> int:
    """Price-above-cap supplement lines (§4): one per provider for all its supported hours of
    the week, so that the parent's supplement does not depend on where the free hours and
    tranche boundaries fall (each line is rounded once). Returns the parent's total in
    cents."""
    total = 0
    for terms, pid, count, ids in pending:
        excess = terms.excess
        amount = cents_for_minutes(count * terms.excess_cents)
        total += amount
        if ids:
            ids = tuple(dict.fromkeys(ids))
        append(
            _new(Line, (pid, _SUPPLEMENT, _ABOVE_CAP, hours_of(count), excess, excess, ZERO,
                        _CENT * amount, ZERO, count, ids))
        )  # fmt: skip
    pending.clear()
    return total


def holiday_cap_lines(lines: Sequence[Line], *, weekly_cap: Decimal) -> list[Line]:
    """School-holiday weekly cap on the parent's care amount (csa-rules.md §5, holidays).

    Only the parent's share of the tranche care lines (charged at min(P, C)) is capped at
    `weekly_cap`; the state pays the rest of those lines. Price-above-cap supplements and
    hours beyond the 60-hour cap stay with the parent in full. The state's extra share is
    split between the providers in proportion to the parent's tranche amount at each, each
    part rounded half-up, the provider with the largest part taking the remaining cent; one
    line per provider: parent -x, state +x, quantity its tranche hours.
    """
    parents: dict[str, Decimal] = {}  # parent's tranche amount per provider, in line order
    minutes: dict[str, int] = {}
    for ln in lines:
        if ln.kind is _CARE and ln.rule in _TRANCHE_RULES:
            parents[ln.provider] = parents.get(ln.provider, ZERO) + ln.parent_amount
            minutes[ln.provider] = minutes.get(ln.provider, 0) + ln.minutes
    tranches = sum(parents.values(), ZERO)
    relief = tranches - weekly_cap
    if relief <= 0:
        return []
    parts = {pid: round_cents(relief * amount / tranches) for pid, amount in parents.items()}
    largest = max(parts, key=parts.__getitem__)  # the first provider on a tie
    parts[largest] = relief - sum((v for k, v in parts.items() if k != largest), ZERO)
    return [
        Line(pid, LineKind.HOLIDAY_CAP, Rule.HOLIDAY_WEEKLY_CAP, hours_of(minutes[pid]), ZERO,
             ZERO, ZERO, -part, part)
        for pid, part in parts.items()
        if part
    ]  # fmt: skip
