"""Parent/state split of care hours and the school-holiday weekly cap (csa-rules.md §4, §5)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from csa_billing.domain.hours import CLASSES, TRANCHE_1, UNSUPPORTED, Classified
from csa_billing.domain.lines import (
    Line,
    LineKind,
    Rule,
    amount_for_minutes,
    cents,
    cents_for_minutes,
    euros,
    hours_of,
)
from csa_billing.domain.model import Provider
from csa_shared.rules.money import ZERO

CLASS_RULES = (
    Rule.SCHOOL_FREE,
    Rule.PLURILINGUAL_FREE,
    Rule.TRANCHE_1,
    Rule.TRANCHE_2,
    Rule.TRANCHE_3,
    Rule.UNSUPPORTED,
)
# Enum members bound once: attribute access on an Enum class is slow in CPython 3.11.
_CARE, _SUPPLEMENT, _AP_SUPPLEMENT = LineKind.CARE, LineKind.SUPPLEMENT, LineKind.AP_SUPPLEMENT
_UNSUPPORTED_RULE, _ABOVE_CAP, _AP_OFF = Rule.UNSUPPORTED, Rule.PRICE_ABOVE_CAP, Rule.AP_OFF_HOURS
_TRANCHES = Rule.TRANCHES
_CAPPED_IN_HOLIDAYS = frozenset(
    {Rule.TRANCHE_1, Rule.TRANCHE_2, Rule.TRANCHE_3, Rule.TRANCHES, Rule.UNSUPPORTED}
)


def care_lines(
    classified: Classified,
    providers: Sequence[Provider],
    rates: Sequence[int],
    caps: Sequence[int],
    ap_extra: Decimal,
) -> list[Line]:
    """Care, supplement and AP off-hours lines per provider and hour class (csa-rules.md §4).

    `rates` are the parent's rates in cents per hour class (0 for the free classes), `caps`
    the state's hourly caps in cents per provider, `ap_extra` the AP off-hours supplement.
    state share per hour = max(0, min(P, C) - r); the parent pays min(P, C) - state share on
    the care line and P - C on a separate supplement line when P > C. Hours beyond the
    supported cap: full price, state 0. AP off-hours supported hours: +0.50/h state money.
    """
    per_class, records = classified.minutes, classified.records
    lines: list[Line] = []
    append = lines.append
    # Minutes above the cap per (provider, group): free hours (§5.1/§5.2) or tranche hours.
    above_cap: dict[tuple[int, Rule], tuple[int, list[str]]] = {}
    for key, count in enumerate(per_class):
        if not count:
            continue
        prov, cls = divmod(key, CLASSES)
        provider = providers[prov]
        found = records.get(key) if records else None
        ids = tuple(dict.fromkeys(found)) if found else ()
        price, quantity = cents(provider.hourly_price), hours_of(count)
        if cls == UNSUPPORTED:
            if above_cap:
                _flush_supplements(above_cap, providers, caps, append)
            unit = euros(price)
            append(
                Line(provider.id, _CARE, _UNSUPPORTED_RULE, quantity, unit, unit, ZERO,
                     euros(cents_for_minutes(count * price)), ZERO, count, ids)
            )  # fmt: skip
            continue
        cap = caps[prov]
        care_price = price if price < cap else cap
        state_rate = care_price - rates[cls]
        if state_rate < 0:
            state_rate = 0
        total = cents_for_minutes(count * care_price)
        state = cents_for_minutes(count * state_rate) if state_rate else 0
        append(
            Line(provider.id, _CARE, CLASS_RULES[cls], quantity, euros(care_price),
                 euros(care_price - state_rate), euros(state_rate), euros(total - state),
                 euros(state), count, ids)
        )  # fmt: skip
        if price > cap:
            group = (prov, CLASS_RULES[cls] if cls < TRANCHE_1 else _TRANCHES)
            before, before_ids = above_cap.get(group, (0, []))
            above_cap[group] = (before + count, [*before_ids, *ids])
    if above_cap:
        _flush_supplements(above_cap, providers, caps, append)
    ap_off = classified.ap_off_hours
    for prov, count in enumerate(ap_off):
        if count:
            append(
                Line(providers[prov].id, _AP_SUPPLEMENT, _AP_OFF, hours_of(count), ap_extra,
                     ZERO, ap_extra, ZERO, euros(cents_for_minutes(count * cents(ap_extra))),
                     count)
            )  # fmt: skip
    return lines


def _flush_supplements(
    above_cap: dict[tuple[int, Rule], tuple[int, list[str]]],
    providers: Sequence[Provider],
    caps: Sequence[int],
    append: Callable[[Line], None],
) -> None:
    """Price-above-cap supplement lines (§4): one per provider for its free hours and one for
    its tranche hours, so that the parent's supplement does not depend on where the tranche
    boundaries fall (each line is rounded once)."""
    for (prov, of_rule), (count, ids) in above_cap.items():
        provider = providers[prov]
        excess = cents(provider.hourly_price) - caps[prov]
        amount = euros(cents_for_minutes(count * excess))
        append(
            Line(provider.id, _SUPPLEMENT, _ABOVE_CAP, hours_of(count), euros(excess),
                 euros(excess), ZERO, amount, ZERO, count, tuple(dict.fromkeys(ids)), of_rule)
        )  # fmt: skip
    above_cap.clear()


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
