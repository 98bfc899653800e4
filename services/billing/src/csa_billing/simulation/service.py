"""The simulator use case: request -> child-week -> result (interfaces.md §2)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import ValidationError

from csa_billing.domain.lines import hours_of
from csa_billing.domain.model import ChildWeek, MealEntry, Presence, Provider
from csa_billing.domain.week import compute_week
from csa_billing.simulation.schemas import (
    HoursOut,
    LineOut,
    SimulationRequest,
    SimulationResponse,
)
from csa_shared.rules.errors import RuleInputError
from csa_shared.rules.money import format_money
from csa_shared.rules.parameters import parameters_in_force


def to_child_week(request: SimulationRequest) -> ChildWeek:
    """Map a simulation request to the engine's input; cross-field checks name the field."""
    week = request.week_start
    days = frozenset(week + timedelta(days=i) for i in range(7))
    for i, day in enumerate(request.public_holidays):
        if day not in days:
            raise RuleInputError(f"public_holidays[{i}]", f"{day} lies outside the week")
    return ChildWeek(
        week_start=week,
        category=request.category,
        rank=request.rank,
        birth_date=request.child.birth_date,
        schooling=request.child.schooling,
        providers=tuple(
            Provider(p.id, p.type, p.hourly_price, p.meal_price, p.plurilingual)
            for p in request.providers
        ),
        presences=tuple(Presence(p.provider, p.start, p.end, p.id) for p in request.presences),
        meals=tuple(MealEntry(m.provider, m.date, m.count, m.id) for m in request.meals),
        school_holidays=days if request.school_holiday else frozenset(),
        public_holidays=frozenset(request.public_holidays),
        plurilingual_weeks_used=request.plurilingual_weeks_used,
    )


def run_simulation(request: SimulationRequest) -> SimulationResponse:
    """Compute one child-week under csa-rules.md; raises RuleInputError naming the field."""
    week = to_child_week(request)
    if request.parameters_date is None:
        params = parameters_in_force(request.week_start, field="week_start")
    else:
        params = parameters_in_force(request.parameters_date, field="parameters_date")
    result = compute_week(week, params)
    hours = result.hours
    return SimulationResponse(
        parent_total=format_money(result.parent_total),
        state_total=format_money(result.state_total),
        hours=HoursOut(
            school_free=f"{hours_of(hours.school_free):.2f}",
            plurilingual_free=f"{hours_of(hours.plurilingual_free):.2f}",
            tranche_1=f"{hours_of(hours.tranche_1):.2f}",
            tranche_2=f"{hours_of(hours.tranche_2):.2f}",
            tranche_3=f"{hours_of(hours.tranche_3):.2f}",
            unsupported=f"{hours_of(hours.unsupported):.2f}",
        ),
        lines=[
            LineOut(
                provider=ln.provider,
                kind=ln.kind.value,
                rule=ln.rule.value,
                rule_section=ln.rule_section,
                quantity=f"{ln.quantity:.2f}",
                unit_price=format_money(ln.unit_price),
                parent_rate=format_money(ln.parent_rate),
                state_rate=format_money(ln.state_rate),
                parent_amount=format_money(ln.parent_amount),
                state_amount=format_money(ln.state_amount),
                record_ids=list(ln.record_ids),
            )
            for ln in result.lines
        ],
        ap_supplement_total=format_money(result.ap_supplement_total),
        holiday_week=result.holiday_week,
        plurilingual_week_counted=result.plurilingual_week_counted,
        parameters_from=result.parameters_from,
    )


def field_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a field path: ("presences", 0, "end") -> presences[0].end."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def describe_validation_error(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs of a pydantic validation error, for CLI and problem details."""
    return [(field_path(tuple(err["loc"])), err["msg"]) for err in exc.errors()]
