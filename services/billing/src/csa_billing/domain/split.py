"""Parent/state split of care hours and the school-holiday weekly cap (csa-rules.md §4, §5)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from csa_billing.domain.hours import CLASSES, TRANCHE_1, UNSUPPORTED, Classified
from csa_billing.domain.lines import (
    Line,
    LineKind,
    Rule,
    amount_for_minutes,
    cents_for_minutes,
    hours_of,
)
from csa_billing.domain.model import Provider
from csa_billing.domain.terms import CLASS_RULES, WeekTerms
from csa_shared.rules.money import CENT as _CENT  # cents x _CENT: exact euros, as `euros`
from csa_shared.rules.money import ZERO

# Enum members bound once: attribute access on an Enum class is slow in CPython 3.11.
_CARE, _SUPPLEMENT, _AP_SUPPLEMENT = LineKind.CARE, LineKind.SUPPLEMENT, LineKind.AP_SUPPLEMENT
_UNSUPPORTED_RULE, _ABOVE_CAP, _AP_OFF = Rule.UNSUPPORTED, Rule.PRICE_ABOVE_CAP, Rule.AP_OFF_HOURS
_TRANCHES = Rule.TRANCHES
_CAPPED_IN_HOLIDAYS = frozenset(
    {Rule.TRANCHE_1, Rule.TRANCHE_2, Rule.TRANCHE_3, Rule.TRANCHES, Rule.UNSUPPORTED}
)
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
    # Price-above-cap supplements waiting for their line: [provider, hour class or TRANCHES
    # (tranche classes share one line), minutes, record ids], flushed before an unsupported
    # line and at the end, so that they follow the care lines they supplement.
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
        tranches: _Pending | None = None  # this provider's supplement of its tranche hours
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
                                ZERO, _CENT * amount, ZERO, count, ids, None))
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
                            _CENT * (total - state), _CENT * state, count, ids, None))
            )  # fmt: skip
            if excess:
                if cls < TRANCHE_1:
                    pending.append([terms, pid, rule, count, ids])
                elif tranches is None:
                    tranches = [terms, pid, _TRANCHES, count, ids]
                    pending.append(tranches)
                else:
                    tranches[3] += count
                    tranches[4] += ids
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
                            ZERO, extra, ZERO, _CENT * amount, count, (), None))
            )  # fmt: skip
    return lines, parent_total, state_total


#: A supplement line in the making: provider terms, provider id, rule supplemented, minutes
#: and record ids.
_Pending = list[Any]


def _flush_supplements(pending: list[_Pending], append: Callable[[Line], None]) -> int:
    """Price-above-cap supplement lines (§4): one per provider for its free hours and one for
    its tranche hours, so that the parent's supplement does not depend on where the tranche
    boundaries fall (each line is rounded once). Returns the parent's total in cents."""
    total = 0
    for terms, pid, of_rule, count, ids in pending:
        excess = terms.excess
        amount = cents_for_minutes(count * terms.excess_cents)
        total += amount
        if ids:
            ids = tuple(dict.fromkeys(ids))
        append(
            _new(Line, (pid, _SUPPLEMENT, _ABOVE_CAP, hours_of(count), excess, excess, ZERO,
                        _CENT * amount, ZERO, count, ids, of_rule))
        )  # fmt: skip
    pending.clear()
    return total


def holiday_cap_lines(
    lines: Sequence[Line], *, state_caps: Mapping[str, Decimal], weekly_cap: Decimal
) -> list[Line]:
    """School-holiday weekly cap on the parent's care amount (csa-rules.md §5, holidays).

    The parent's amount on tranche and beyond-cap care lines, with their price-above-cap
    supplements, is capped at `weekly_cap`; the state pays the rest of the price up to its
    hourly caps (`state_caps` by provider id), so the relief on a line is at most the
    parent's share of min(P, C). Relief comes from the last classes first (beyond-cap hours,
    then tranche 3, 2, 1) and is shown as one line per provider: parent -x, state +x.
    """
    capped = [ln for ln in lines if (ln.of_rule or ln.rule) in _CAPPED_IN_HOLIDAYS]
    excess = sum((ln.parent_amount for ln in capped), ZERO) - weekly_cap
    if excess <= 0:
        return []
    relief: dict[str, list[Decimal]] = {}
    care = [ln for ln in capped if ln.kind is LineKind.CARE]
    for ln in sorted(care, key=lambda x: CLASS_RULES.index(x.rule), reverse=True):
        if ln.rule is Rule.UNSUPPORTED:
            room = amount_for_minutes(ln.minutes, min(ln.unit_price, state_caps[ln.provider]))
        else:
            room = ln.parent_amount
        got = min(room, excess)
        if got > 0:
            acc = relief.setdefault(ln.provider, [ZERO, ZERO])
            acc[0] += got
            acc[1] += ln.quantity
            excess -= got
        if excess <= 0:
            break
    return [
        Line(prov, LineKind.HOLIDAY_CAP, Rule.HOLIDAY_WEEKLY_CAP, qty, ZERO, ZERO, ZERO,
             -amount, amount)
        for prov, (amount, qty) in relief.items()
    ]  # fmt: skip
