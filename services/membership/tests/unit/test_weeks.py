"""The rules of a plurilingual education week and of a child's sign-up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from csa_membership.domain.errors import InvalidWeek, WeekRefusal
from csa_membership.domain.weeks import WeekOffer, check_offer, check_sign_up, fits_age

TODAY = date(2025, 3, 3)
OFFER = WeekOffer(
    provider_id="prov-x",
    commune=" Esch-sur-Alzette ",
    title=" Lidder ",
    languages=("LB", "fr", "lb"),
    starts_on=date(2025, 4, 7),
    ends_on=date(2025, 4, 11),
    min_age=1,
    max_age=4,
    capacity=12,
)


def test_a_good_offer_is_tidied() -> None:
    checked = check_offer(OFFER, today=TODAY)
    assert (checked.languages, checked.title, checked.commune) == (
        ("lb", "fr"),
        "Lidder",
        "Esch-sur-Alzette",
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"languages": ("lb", "LB ")}, "invalid_week"),
        ({"ends_on": date(2025, 4, 6)}, "week_ends_before_start"),
        ({"ends_on": date(2025, 4, 14)}, "week_too_long"),
        ({"starts_on": TODAY, "ends_on": TODAY}, "week_in_the_past"),
        ({"min_age": 0}, "invalid_age_band"),
        ({"max_age": 5}, "invalid_age_band"),
        ({"min_age": 3, "max_age": 2}, "invalid_age_band"),
        ({"capacity": 0}, "invalid_capacity"),
    ],
)
def test_a_bad_offer_is_refused_with_its_reason(change: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidWeek) as refused:
        check_offer(replace(OFFER, **change), today=TODAY)  # type: ignore[arg-type]
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("born", "fits"),
    [
        (date(2024, 4, 7), True),  # 1 on the first day
        (date(2024, 4, 8), False),  # 1 only the day after
        (date(2020, 4, 8), True),  # still 4
        (date(2020, 4, 7), False),  # 5 on the first day
        (date(2025, 5, 1), False),  # not born yet
    ],
)
def test_the_age_band_is_the_age_on_the_first_day(born: date, fits: bool) -> None:
    assert fits_age(OFFER, born) is fits


@pytest.mark.parametrize(
    ("born", "in_force", "today", "code"),
    [
        (date(2020, 1, 1), True, TODAY, "too_old"),
        (date(2024, 12, 1), True, TODAY, "too_young"),
        (date(2022, 1, 1), False, TODAY, "no_contract_in_force"),
        (None, True, TODAY, "no_contract_in_force"),
        (date(2022, 1, 1), True, date(2025, 4, 7), "week_started"),
    ],
)
def test_a_sign_up_is_refused_with_its_reason(
    born: date | None, in_force: bool, today: date, code: str
) -> None:
    with pytest.raises(WeekRefusal) as refused:
        check_sign_up(OFFER, birth_date=born, contract_in_force=in_force, today=today)
    assert refused.value.code == code


def test_a_child_of_the_band_with_a_contract_signs_up() -> None:
    check_sign_up(OFFER, birth_date=date(2022, 5, 10), contract_in_force=True, today=TODAY)
