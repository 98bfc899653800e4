"""Money: Decimal euros, rounded half-up to the cent in exactly one place (csa-rules.md).

Every rounding of the platform's decimals is here (`shared/tests/rules/test_single_rounding.py`
fails on a ``quantize``/``round`` anywhere else): amounts through `round_cents`, and the
quantities shown beside them (hours, ratios) through `round_quantity`, half-up as well."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from csa_shared.rules.errors import RuleInputError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# at most 12 digits before the point: 10^26 € would not even quantize to the cent (28 digits)
_MONEY_TEXT = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")


def round_cents(amount: Decimal) -> Decimal:
    """Round an amount half-up to the cent: the single rounding function of the platform."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_quantity(value: Decimal, places: int) -> Decimal:
    """Round a quantity shown beside amounts (hours, an income ratio) half-up to ``places``
    decimals: display only, never an amount (csa-rules.md: rounding hours changes no amount)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def parse_money(text: str, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """Parse an amount written as a decimal string with at most two decimals ("6.00")."""
    if not isinstance(text, str) or not _MONEY_TEXT.match(text.strip()):
        raise RuleInputError(
            field, f"not an amount of at most 12 digits and two decimals: {text!r}"
        )
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise RuleInputError(field, f"not an amount: {text!r}") from exc
    if value < 0 and not allow_negative:
        raise RuleInputError(field, f"must not be negative: {text}")
    return round_cents(value)  # at most two decimals: only writes them both


def format_money(amount: Decimal) -> str:
    """Write an amount with exactly two decimals, as the APIs carry it."""
    return f"{round_cents(amount):.2f}"
