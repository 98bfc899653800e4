"""Money, dates and months in the conventions of the visitor's language (CLDR via Babel)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_decimal

from csa_shared.clock import as_luxembourg

# the portal's languages as spoken in Luxembourg (English and Portuguese: the EU variants)
LOCALES = {"lb": "lb_LU", "de": "de_LU", "fr": "fr_LU", "en": "en_IE", "pt": "pt_PT"}


@cache
def _locale(language: str) -> Locale:
    # parsed once: Babel parses a locale named by a string again on every call
    return Locale.parse(LOCALES.get(language, "fr_LU"))


class Formats:
    def __init__(self, language: str) -> None:
        self.locale = _locale(language)

    def money(self, value: Any) -> str:
        """Babel's ``format_currency`` with the locale's standard pattern applied directly
        (a page shows up to a few hundred amounts: a quarter of the time per amount)."""
        pattern = self.locale.currency_formats["standard"]
        return str(pattern.apply(Decimal(str(value)), self.locale, currency="EUR"))

    def number(self, value: Any) -> str:
        return str(format_decimal(Decimal(str(value)), locale=self.locale))

    def day(self, value: str | date) -> str:
        when = date.fromisoformat(value) if isinstance(value, str) else value
        return str(format_date(when, "medium", locale=self.locale))

    def month(self, value: str) -> str:
        """``2025-03`` → "March 2025" / "mars 2025" / "Mäerz 2025"."""
        first = date.fromisoformat(f"{value}-01")
        return str(format_skeleton("yMMMM", first, locale=self.locale))

    def moment(self, value: str | datetime) -> str:
        """An instant (ISO 8601, UTC) as Luxembourg's date and time: "20 Mar 2025, 10:00"."""
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
        return str(format_datetime(as_luxembourg(when), "medium", locale=self.locale))
