"""Money: Decimal euros, rounded half-up to the cent in exactly one place (csa-rules.md)."""

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
    return value.quantize(CENT)


def format_money(amount: Decimal) -> str:
    """Write an amount with exactly two decimals, as the APIs carry it."""
    return f"{round_cents(amount):.2f}"
