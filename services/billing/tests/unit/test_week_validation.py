"""Unusable child-weeks are refused with the offending field named."""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from csa_billing.domain.model import MealEntry, Presence
from csa_billing.domain.week import compute_week
from csa_shared.rules.errors import NoParametersInForce, RuleInputError


def _field(week) -> str:
    with pytest.raises(RuleInputError) as err:
        compute_week(week)
    return err.value.field


def test_week_start_tuesday_is_refused(build) -> None:
    assert _field(replace(build.week([build.sea()]), week_start=date(2025, 3, 11))) == "week_start"


def test_rank_0_is_refused(build) -> None:
    assert _field(build.week([build.sea()], rank=0)) == "rank"


def test_presence_ending_before_start_is_refused(build) -> None:
    assert _field(build.week([build.sea()], [build.at(0, "10:00", "09:00")])) == "presences[0].end"


def test_empty_presence_is_refused(build) -> None:
    assert _field(build.week([build.sea()], [build.at(0, "10:00", "10:00")])) == "presences[0].end"


def test_presence_before_monday_is_refused(build) -> None:
    presence = Presence("s", datetime(2025, 3, 9, 22), datetime(2025, 3, 10, 2))
    assert _field(build.week([build.sea()], [presence])) == "presences[0].start"


def test_presence_past_sunday_midnight_is_refused(build) -> None:
    presence = Presence("s", datetime(2025, 3, 16, 22), datetime(2025, 3, 17, 1))
    assert _field(build.week([build.sea()], [presence])) == "presences[0].end"


def test_presence_ending_sunday_24_00_is_accepted(build) -> None:
    presence = Presence("s", datetime(2025, 3, 16, 22), datetime(2025, 3, 17, 0))
    assert compute_week(build.week([build.sea()], [presence])).hours.tranche_1 == 120


def test_overlapping_presences_at_two_providers_are_refused(build) -> None:
    week = build.week(
        [build.sea("s"), build.sea("t")],
        [build.at(0, "08:00", "12:00", "s"), build.at(0, "11:00", "13:00", "t")],
    )
    assert _field(week) == "presences[1]"


def test_presence_at_unknown_provider_is_refused(build) -> None:
    assert _field(build.week([build.sea()], [build.at(0, "08:00", "09:00", "x")])) == (
        "presences[0].provider"
    )


def test_presence_with_seconds_is_refused(build) -> None:
    presence = Presence("s", datetime(2025, 3, 10, 8, 0, 30), datetime(2025, 3, 10, 9))
    assert _field(build.week([build.sea()], [presence])) == "presences[0].start"


def test_negative_hourly_price_is_refused(build) -> None:
    assert _field(build.week([build.sea(price="-1.00")])) == "providers[0].hourly_price"


def test_negative_meal_count_is_refused(build) -> None:
    week = build.week([build.sea()], meals=[MealEntry("s", date(2025, 3, 10), -1)])
    assert _field(week) == "meals[0].count"


def test_meal_outside_the_week_is_refused(build) -> None:
    week = build.week([build.sea()], meals=[MealEntry("s", date(2025, 3, 17), 1)])
    assert _field(week) == "meals[0].date"


def test_duplicate_provider_id_is_refused(build) -> None:
    assert _field(build.week([build.sea(), build.sea()])) == "providers[1].id"


def test_week_before_the_first_parameter_set_is_refused(build) -> None:
    monday = date(2024, 8, 26)
    with pytest.raises(NoParametersInForce) as err:
        compute_week(build.week([build.sea()], monday=monday))
    assert err.value.field == "week_start"


def test_valid_empty_week_costs_nothing(build) -> None:
    result = compute_week(build.week([build.sea()]))
    assert (result.parent_total, result.state_total, result.lines) == (
        Decimal("0.00"), Decimal("0.00"), ()
    )  # fmt: skip
