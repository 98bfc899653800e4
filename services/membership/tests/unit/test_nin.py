"""Matricule validation and generation (csa-rules.md §8)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csa_membership.domain.errors import InvalidNationalId
from csa_membership.domain.nin import (
    is_valid_nin,
    luhn_check_digit,
    make_nin,
    parse_nin,
    verhoeff_check_digit,
)

VALID = "2020051712381"  # 2020-05-17, serial 123, Luhn 8, Verhoeff 1


def test_luhn_digit_of_textbook_example_7992739871_is_3() -> None:
    assert luhn_check_digit("7992739871") == 3


def test_verhoeff_digit_of_textbook_example_236_is_3() -> None:
    assert verhoeff_check_digit("236") == 3


def test_valid_nin_parses_with_its_birth_date_2020_05_17() -> None:
    nin = parse_nin(VALID)
    assert nin.value == VALID
    assert nin.birth_date == date(2020, 5, 17)


def test_spaces_are_tolerated_and_removed() -> None:
    assert parse_nin("2020 0517 123 81").value == VALID


@pytest.mark.parametrize("value", ["202005171238", "20200517123811", ""])
def test_wrong_length_is_refused_with_code_nin_wrong_length(value: str) -> None:
    with pytest.raises(InvalidNationalId) as err:
        parse_nin(value)
    assert err.value.code == "nin_wrong_length"
    assert "13 digits" in err.value.message


def test_letters_are_refused_with_code_nin_not_digits() -> None:
    with pytest.raises(InvalidNationalId) as err:
        parse_nin("20200517123A1")
    assert err.value.code == "nin_not_digits"


@pytest.mark.parametrize("value", ["2021022912300", "2020130112300", "2020043112300"])
def test_impossible_birth_date_is_refused_with_code_nin_bad_birth_date(value: str) -> None:
    with pytest.raises(InvalidNationalId) as err:
        parse_nin(value)
    assert err.value.code == "nin_bad_birth_date"
    assert "not a valid birth date" in err.value.message


def test_bad_luhn_digit_is_refused_naming_the_expected_digit_8() -> None:
    with pytest.raises(InvalidNationalId) as err:
        parse_nin("2020051712371")
    assert err.value.code == "nin_bad_luhn"
    assert "expected 8" in err.value.message


def test_bad_verhoeff_digit_is_refused_naming_the_expected_digit_1() -> None:
    with pytest.raises(InvalidNationalId) as err:
        parse_nin("2020051712382")
    assert err.value.code == "nin_bad_verhoeff"
    assert "expected 1" in err.value.message


def test_birth_date_after_today_is_refused() -> None:
    with pytest.raises(InvalidNationalId) as err:
        parse_nin(VALID, today=date(2020, 5, 16))
    assert err.value.code == "nin_birth_date_in_future"


def test_birth_date_equal_to_today_is_accepted() -> None:
    assert parse_nin(VALID, today=date(2020, 5, 17)).birth_date == date(2020, 5, 17)


def test_make_nin_refuses_serial_1000() -> None:
    with pytest.raises(InvalidNationalId):
        make_nin(date(2020, 1, 1), 1000)


def test_leap_day_2020_02_29_is_a_valid_birth_date() -> None:
    nin = make_nin(date(2020, 2, 29), 7)
    assert parse_nin(nin.value).birth_date == date(2020, 2, 29)


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
serials = st.integers(min_value=0, max_value=999)


@given(birth_dates, serials)
def test_generated_nins_always_validate_and_encode_their_birth_date(
    birth: date, serial: int
) -> None:
    nin = make_nin(birth, serial)
    assert len(nin.value) == 13
    assert parse_nin(nin.value) == nin


@given(birth_dates, serials, st.integers(min_value=0, max_value=12), st.integers(1, 9))
def test_changing_any_single_digit_makes_the_nin_invalid(
    birth: date, serial: int, position: int, delta: int
) -> None:
    value = make_nin(birth, serial).value
    changed = str((int(value[position]) + delta) % 10)
    mutated = value[:position] + changed + value[position + 1 :]
    assert not is_valid_nin(mutated)


@given(birth_dates, serials, st.integers(min_value=0, max_value=10))
def test_swapping_two_adjacent_different_digits_makes_the_nin_invalid(
    birth: date, serial: int, position: int
) -> None:
    value = make_nin(birth, serial).value
    a, b = value[position], value[position + 1]
    if a == b:
        return
    swapped = value[:position] + b + a + value[position + 2 :]
    assert not is_valid_nin(swapped)
