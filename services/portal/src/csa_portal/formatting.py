"""Money, dates and months in the conventions of the visitor's language (CLDR via Babel)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_currency, format_decimal

from csa_shared.clock import as_luxembourg

# the portal's languages as spoken in Luxembourg (English and Portuguese: the EU variants)
LOCALES = {"lb": "lb_LU", "de": "de_LU", "fr": "fr_LU", "en": "en_IE", "pt": "pt_PT"}


class Formats:
    def __init__(self, language: str) -> None:
        self.locale = LOCALES.get(language, "fr_LU")

    def money(self, value: Any) -> str:
        return str(format_currency(Decimal(str(value)), "EUR", locale=self.locale))

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
