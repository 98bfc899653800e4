"""The portal's amounts: Babel's standard currency pattern applied directly must write what
``babel.numbers.format_currency`` writes, in every language of the portal."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from csa_portal.formatting import LOCALES, Formats

AMOUNTS = st.decimals(
    min_value=Decimal("-999999.99"), max_value=Decimal("999999.99"), places=2, allow_nan=False
)


@given(amount=AMOUNTS, language=st.sampled_from(sorted(LOCALES)))
def test_money_is_written_as_babels_format_currency_writes_it(
    amount: Decimal, language: str
) -> None:
    expected = format_currency(amount, "EUR", locale=LOCALES[language])
    assert Formats(language).money(amount) == expected


def test_money_in_each_language() -> None:
    """1,289.75 € as the five languages write it in Luxembourg (CLDR: fr_LU groups with a
    dot, pt_PT with a no-break space)."""
    written = {lang: Formats(lang).money("1289.75") for lang in ("de", "fr", "en", "pt", "lb")}
    assert written["de"] == "1.289,75\xa0€"
    assert written["en"] == "€1,289.75"
    assert written["fr"] == written["lb"] == "1.289,75\xa0€"
    assert written["pt"] == "1\xa0289,75\xa0€"
