"""Each document language's dates, amounts and French high punctuation."""

from __future__ import annotations

from datetime import date

import pytest

from csa_shared.documents.typography import (
    NARROW_NBSP,
    labelled,
    language_tag,
    long_date,
    money,
    punctuate,
    short_date,
)


@pytest.mark.parametrize(
    ("language", "first", "tenth"),
    [
        ("fr", "1er février 2026", "10 février 2026"),
        ("de", "1. Februar 2026", "10. Februar 2026"),
        ("lb", "1. Februar 2026", "10. Februar 2026"),
        ("en", "1 February 2026", "10 February 2026"),
        ("pt", "1 de fevereiro de 2026", "10 de fevereiro de 2026"),
    ],
)
def test_long_dates(language: str, first: str, tenth: str) -> None:
    assert long_date(date(2026, 2, 1), language) == first
    assert long_date(date(2026, 2, 10), language) == tenth


@pytest.mark.parametrize(
    ("language", "amount", "day"),
    [
        ("fr", "1.234,50\xa0€", "10/03/2025"),  # fr_LU groups with a dot
        ("de", "1.234,50\xa0€", "10.03.2025"),
        ("lb", "1.234,50\xa0€", "10.03.2025"),
        ("en", "€1,234.50", "10/03/2025"),
        ("pt", "1\xa0234,50\xa0€", "10/03/2025"),
    ],
)
def test_amounts_and_table_dates_in_each_locale(language: str, amount: str, day: str) -> None:
    assert money("1234.5", language) == amount
    assert short_date(date(2025, 3, 10), language) == day


def test_french_puts_a_narrow_no_break_space_before_high_punctuation() -> None:
    assert labelled("Numéro", "P-1", "fr") == f"Numéro{NARROW_NBSP}: P-1"
    assert punctuate("a : b; c? 12:30 https://x", "fr") == (
        f"a{NARROW_NBSP}: b{NARROW_NBSP}; c{NARROW_NBSP}? 12:30 https://x"
    )
    assert labelled("Nummer", "P-1", "de") == "Nummer: P-1"


def test_the_declared_language_tags() -> None:
    assert [language_tag(x) for x in ("lb", "de", "fr", "en", "pt", "xx")] == [
        "lb-LU",
        "de-LU",
        "fr-LU",
        "en-GB",
        "pt-PT",
        "fr-LU",
    ]
