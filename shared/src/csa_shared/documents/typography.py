"""Each document language's typography (lb, de, fr, en, pt): dates, amounts, punctuation.

Dates and numbers come from babel (CLDR) in the language's Luxembourg-facing locale
(``csa_shared.rules.locales``); CLDR writes the first of a month "1 février" where French
typography writes "1er février", and French puts a narrow no-break space (U+202F) before
``:``, ``;``, ``!`` and ``?``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from babel.dates import format_date, get_date_format
from babel.numbers import format_currency, format_decimal

from csa_shared.rules.locales import BABEL_LOCALES

FALLBACK = "fr"
NARROW_NBSP = "\u202f"
#: a high punctuation mark ending a word (not the colon of "12:30" or of "https://")
_HIGH_PUNCTUATION = re.compile(r"[ \u00a0\u202f]?([:;!?])(?=\s|$)")


def locale_of(language: str) -> str:
    """The babel locale of a document language (French for an unknown one)."""
    return BABEL_LOCALES.get(language, BABEL_LOCALES[FALLBACK])


def language_tag(language: str) -> str:
    """The BCP 47 tag a PDF declares (``fr-LU``, ``lb-LU``, ``en-GB``)."""
    return locale_of(language).replace("_", "-")


def long_date(day: date, language: str) -> str:
    """``1er février 2026``, ``1. Februar 2026``, ``1 February 2026``,
    ``1 de fevereiro de 2026``."""
    text = format_date(day, "long", locale=locale_of(language))
    if locale_of(language).startswith("fr_") and day.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]
    return text


def short_date(day: date, language: str) -> str:
    """A compact date for table cells, with its four-digit year (``10.03.2025``, ``10/03/2025``)."""
    pattern = get_date_format("short", locale=locale_of(language)).pattern
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "yyyy")
    return format_date(day, pattern, locale=locale_of(language))


def money(amount: object, language: str) -> str:
    """An amount in euros in the language's notation (``1.234,50 €``, ``€1,234.50``)."""
    return format_currency(Decimal(str(amount)), "EUR", locale=locale_of(language))


def number(value: object, language: str) -> str:
    """A quantity with two decimals and the locale's separators."""
    return format_decimal(Decimal(str(value)), format="#,##0.00", locale=locale_of(language))


def punctuate(text: str, language: str) -> str:
    """French high punctuation with its narrow no-break space; other languages unchanged."""
    if not locale_of(language).startswith("fr_"):
        return text
    return _HIGH_PUNCTUATION.sub(NARROW_NBSP + r"\1", text)


def labelled(label: str, value: str, language: str) -> str:
    """``label: value`` in the language's typography (``Numéro : P-1`` in French)."""
    return punctuate(f"{label}: {value}", language)
