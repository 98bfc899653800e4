"""The parent invoice PDF in the five contract languages, read back with pypdf.

The invoice is appendix week 1 of csa-rules.md (lt_3, rank 2, 36 h at 6.00, 4 meals):
plurilingual free 20 h, tranche 1 8 h at 0.00, tranche 2 8 h at 1.50 (parent 12.00),
meals 4 x rate 2.00 (parent 8.00): parent 20.00, state 214.00.
"""

from __future__ import annotations

import io
import json
from datetime import date
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from csa_billing.invoices.invoice_texts import LABELS, RULES
from csa_billing.invoices.pdf import Addressee, render

WEEK = "2025-03-10"


def _line(rule: str, kind: str, quantity: str, price: str, rate: str, parent: str, state: str):
    return {
        "week": WEEK,
        "provider": "sea-001",
        "kind": kind,
        "rule": rule,
        "quantity": quantity,
        "unit_price": price,
        "parent_rate": rate,
        "state_rate": "",
        "parent_amount": parent,
        "state_amount": state,
        "record_ids": ["r1"],
    }


LINES = [
    _line("plurilingual_free", "care", "20.00", "6.00", "0.00", "0.00", "120.00"),
    _line("tranche_1", "care", "8.00", "6.00", "0.00", "0.00", "48.00"),
    _line("tranche_2", "care", "8.00", "6.00", "1.50", "12.00", "36.00"),
    _line("meal_category_rate", "meal", "4", "4.50", "2.00", "8.00", "10.00"),
]


def _invoice(language: str, **changes: object) -> SimpleNamespace:
    row = {
        "id": "inv-1",
        "month": "2025-03",
        "child_id": "child-42",
        "corrects_month": "2025-03",
        "original_invoice_id": None,
        "language": language,
        "renewal_date": date(2026, 2, 1),
        "parent_total": "20.00",
        "state_total": "214.00",
        "lines": json.dumps(LINES),
    }
    return SimpleNamespace(**{**row, **changes})


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("language", ["lb", "de", "fr", "en", "pt"])
def test_the_appendix_week_1_invoice_reads_in_each_language(language: str) -> None:
    pdf = render(
        _invoice(language),
        "P2025-000001",
        Addressee("Léa Muster", ["12 rue de l'Église", "L-1234 Luxembourg"]),
    )
    text = _text(pdf)
    labels = LABELS[language]
    assert labels["title"] in text
    assert "P2025-000001" in text and "Léa Muster" in text and "L-1234 Luxembourg" in text
    for rule in ("plurilingual_free", "tranche_2", "meal_category_rate"):
        assert RULES[rule][language] in text
    assert labels["parent_total"] in text and labels["state_total"] in text
    assert "20,00" in text or "20.00" in text  # parent total in the locale's notation
    assert "214,00" in text or "214.00" in text
    assert "12,00" in text or "12.00" in text  # tranche 2: 8 h x 1.50
    assert "2026" in text  # the renewal date of seed 002 is printed


def test_an_adjustment_invoice_names_the_period_and_invoice_it_corrects() -> None:
    credit = {**LINES[2], "adjustment": "credit", "parent_amount": "-12.00", "quantity": "-8.00"}
    row = _invoice(
        "en",
        month="2025-04",
        corrects_month="2025-03",
        original_invoice_id="inv-0",
        lines=json.dumps([credit]),
        parent_total="-12.00",
        state_total="-36.00",
    )
    text = _text(render(row, "A2025-000001"))
    assert "adjustment invoice" in text
    assert "Corrects the period 2025-03 (invoice inv-0)" in text
    assert "Credit: Tranche 2" in text


def test_an_unknown_language_or_rule_falls_back_without_failing() -> None:
    odd = {**LINES[0], "rule": "some_future_rule"}
    text = _text(render(_invoice("xx", lines=json.dumps([odd])), "P1"))
    assert LABELS["fr"]["title"] in text and "some_future_rule" in text
