"""Contract validity in billing periods (csa-rules.md §7, §8)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csa_membership.domain.errors import InvalidDate
from csa_membership.domain.validity import (
    Validity,
    periods_between,
    renewal_validity,
    validity_from,
)
from csa_shared.rules.periods import billing_period_of


def test_signature_on_2025_03_20_is_valid_2025_03_03_to_2026_03_01() -> None:
    validity = validity_from(date(2025, 3, 20))
    # 2025-03 starts Monday 2025-03-03; the 12th period is 2026-02 ending Sunday 2026-03-01.
    assert (validity.valid_from, validity.valid_until) == (date(2025, 3, 3), date(2026, 3, 1))
    assert validity.periods == 12


def test_signature_on_2025_03_01_falls_in_the_february_period_from_2025_02_03() -> None:
    validity = validity_from(date(2025, 3, 1))
    assert validity.valid_from == date(2025, 2, 3)
    assert validity.valid_until == date(2026, 2, 1)


def test_exception_of_3_periods_from_2025_04_10_ends_2025_07_06() -> None:
    validity = validity_from(date(2025, 4, 10), exception_reason="pending residence permit")
    assert (validity.valid_from, validity.valid_until, validity.periods) == (
        date(2025, 4, 7),
        date(2025, 7, 6),
        3,
    )
    assert validity.exception_reason == "pending residence permit"


def test_exception_with_blank_reason_is_refused() -> None:
    with pytest.raises(InvalidDate):
        validity_from(date(2025, 4, 10), exception_reason="  ")


def test_renewal_on_time_starts_the_day_after_the_old_end() -> None:
    old = validity_from(date(2025, 3, 20))
    terms = renewal_validity(old, filed_on=date(2026, 2, 15))
    assert terms.validity.valid_from == date(2026, 3, 2) == old.valid_until + timedelta(days=1)
    assert terms.validity.valid_until == date(2027, 2, 28)  # 2027-03-01 is a Monday
    assert terms.rebill_periods == ()


def test_renewal_filed_in_the_first_period_after_expiry_has_no_gap_and_no_rebill() -> None:
    old = validity_from(date(2025, 3, 20))
    terms = renewal_validity(old, filed_on=date(2026, 3, 20))
    assert terms.validity.valid_from == date(2026, 3, 2)
    assert terms.rebill_periods == ()


def test_renewal_two_periods_late_rebills_2026_03_and_2026_04() -> None:
    old = validity_from(date(2025, 3, 20))  # ends 2026-03-01
    terms = renewal_validity(old, filed_on=date(2026, 5, 10))  # period 2026-05
    assert [p.month for p in terms.rebill_periods] == ["2026-03", "2026-04"]
    assert terms.uncovered_periods == ()
    assert terms.validity.valid_from == date(2026, 3, 2)


def test_renewal_six_periods_late_rebills_only_the_3_previous_periods() -> None:
    old = validity_from(date(2025, 3, 20))  # ends 2026-03-01
    terms = renewal_validity(old, filed_on=date(2026, 9, 15))  # period 2026-09
    assert [p.month for p in terms.rebill_periods] == ["2026-06", "2026-07", "2026-08"]
    assert [p.month for p in terms.uncovered_periods] == ["2026-03", "2026-04", "2026-05"]
    assert terms.validity.valid_from == date(2026, 6, 1)
    assert terms.validity.periods == 12


def test_renewal_filed_before_the_contract_started_is_an_impossible_date() -> None:
    with pytest.raises(InvalidDate):
        renewal_validity(validity_from(date(2025, 3, 20)), filed_on=date(2025, 1, 1))


def test_validity_covers_its_first_and_last_day_only() -> None:
    validity = Validity(date(2025, 3, 3), date(2025, 4, 6), 1)
    assert validity.covers(date(2025, 3, 3)) and validity.covers(date(2025, 4, 6))
    assert not validity.covers(date(2025, 3, 2)) and not validity.covers(date(2025, 4, 7))


signature_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2040, 12, 31))


@given(signature_days)
def test_validity_always_covers_exactly_12_whole_billing_periods(signed: date) -> None:
    validity = validity_from(signed)
    periods = periods_between(validity.valid_from, validity.valid_until)
    assert len(periods) == 12
    assert periods[0].start == validity.valid_from
    assert periods[-1].end == validity.valid_until
    assert validity.covers(signed)
    assert billing_period_of(signed) == periods[0]


@given(signature_days, st.integers(min_value=0, max_value=700))
def test_renewal_never_overlaps_and_rebills_at_most_3_periods(signed: date, delay: int) -> None:
    old = validity_from(signed)
    terms = renewal_validity(old, filed_on=old.valid_from + timedelta(days=delay))
    assert terms.validity.valid_from > old.valid_until
    assert len(terms.rebill_periods) <= 3
    if not terms.uncovered_periods:
        assert terms.validity.valid_from == old.valid_until + timedelta(days=1)
