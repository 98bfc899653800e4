"""The engine's integer rounding of a line is the platform's `round_cents` (csa-rules.md: half-up
to the cent once per line), and integer cents become the same Decimals as through `euros`."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from csa_billing.domain.lines import cents_for_minutes, euros
from csa_shared.rules.money import CENT, round_cents


def _by_round_cents(cent_minutes: int) -> int:
    """minutes x rate-in-cents as euros (/ 60 minutes / 100 cents), rounded by round_cents."""
    return int(round_cents(Decimal(cent_minutes) / Decimal(6000)).scaleb(2))


def test_cents_for_minutes_is_round_cents_on_every_value_up_to_500_euros() -> None:
    for cent_minutes in range(-3_000_000, 3_000_001, 7):
        assert cents_for_minutes(cent_minutes) == _by_round_cents(cent_minutes)


def test_ties_round_half_up_away_from_zero_30_cent_minutes_is_1_cent() -> None:
    # 1 minute at 0.30 EUR/h = 0.5 cent: half-up gives 1 cent, -0.5 cent gives -1 cent.
    assert (cents_for_minutes(30), cents_for_minutes(29), cents_for_minutes(-30)) == (1, 0, -1)
    # 45 minutes at 6.50 EUR/h = 4.875 EUR -> 4.88
    assert cents_for_minutes(45 * 650) == 488


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_cents_for_minutes_matches_round_cents_on_any_integer(cent_minutes: int) -> None:
    assert cents_for_minutes(cent_minutes) == _by_round_cents(cent_minutes)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_cents_times_cent_is_euros_with_two_decimals(cents: int) -> None:
    amount = CENT * cents
    assert repr(amount) == repr(euros(cents))
    assert amount.as_tuple().exponent == -2
