"""The parent invoice PDF in the five contract languages, read back with pypdf.

The invoice is appendix week 1 of csa-rules.md (lt_3, rank 2, 36 h at 6.00, 4 meals):
plurilingual free 20 h, tranche 1 8 h at 0.00, tranche 2 8 h at 1.50 (parent 12.00),
meals 4 x rate 2.00 (parent 8.00): parent 20.00, state 214.00; plus a second week so the
weekly subtotals and a thousands separator show (1,200.00 of price above the cap).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from csa_billing.invoices.invoice_texts import LABELS, RULES
from csa_billing.invoices.pdf import InvoiceParties, Party, render
from csa_shared.documents.creditor_reference import is_valid
from csa_shared.documents.typography import NARROW_NBSP
from csa_shared.testing.pdf_checks import archival_pdf_text

WEEK, SECOND_WEEK = "2025-03-10", "2025-03-17"
NUMBER = "2025-0000042"


def _line(rule: str, quantity: str, price: str, rate: str, parent: str, state: str, week=WEEK):
    return {
        "week": week,
        "provider": "sea-001",
        "kind": "care",
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
    _line("plurilingual_free", "20.00", "6.00", "0.00", "0.00", "120.00"),
    _line("tranche_1", "8.00", "6.00", "0.00", "0.00", "48.00"),
    _line("tranche_2", "8.00", "6.00", "1.50", "12.00", "36.00"),
    _line("meal_category_rate", "4", "4.50", "2.00", "8.00", "10.00"),
    _line("price_above_cap", "100.00", "12.00", "12.00", "1200.00", "0.00", SECOND_WEEK),
]
PARTIES = InvoiceParties(
    child=Party("Léa Muster", ["12 rue de l'Église", "L-1234 Luxembourg"]),
    billing_address=["3 rue des Bains", "L-1212 Luxembourg", "LU"],
    representative="Anna Muster",
    provider=Party("Crèche Sonnenschein", ["1 rue du Parc", "L-4002 Esch-sur-Alzette"]),
    iban="LU280019400644750000",
    bic="BCEELULL",
    category="lt_3",
    rank=2,
    commune="Luxembourg",
)


def _invoice(language: str, **changes: object) -> SimpleNamespace:
    row = {
        "id": "inv-1",
        "month": "2025-03",
        "child_id": "child-42",
        "corrects_month": "2025-03",
        "original_invoice_id": None,
        "language": language,
        "renewal_date": date(2026, 2, 1),
        "issued_at": datetime(2025, 4, 8, 7, 30, tzinfo=UTC),
        "parent_total": "1220.00",
        "state_total": "214.00",
        "lines": json.dumps(LINES),
    }
    return SimpleNamespace(**{**row, **changes})


# language → (its tag, renewal 2026-02-01, issue 2025-04-08, due 30 days later, amounts)
LOCALES = {
    "lb": ("lb-LU", "1. Februar 2026", "8. Abrëll 2025", "8. Mee 2025", "1.220,00 €", "12,00 €"),
    "de": ("de-LU", "1. Februar 2026", "8. April 2025", "8. Mai 2025", "1.220,00 €", "12,00 €"),
    "fr": ("fr-LU", "1er février 2026", "8 avril 2025", "8 mai 2025", "1.220,00 €", "12,00 €"),
    "en": ("en-GB", "1 February 2026", "8 April 2025", "8 May 2025", "€1,220.00", "€12.00"),
    "pt": ("pt-PT", "1 de fevereiro de 2026", "8 de abril de 2025", "8 de maio de 2025",
           "1 220,00 €", "12,00 €"),
}  # fmt: skip


def _flat(text: str) -> str:
    """pypdf's text with no-break spaces as plain ones and lines joined."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ").replace(NARROW_NBSP, " "))


@pytest.mark.parametrize("language", ["lb", "de", "fr", "en", "pt"])
def test_the_invoice_a_family_can_act_on_in_each_language(language: str) -> None:
    tag, renewal, issued, due, total, tranche_2 = LOCALES[language]
    labels = LABELS[language]
    raw = archival_pdf_text(
        render(_invoice(language), NUMBER, PARTIES), lang=tag, title=f"{labels['title']} {NUMBER}"
    )
    text = _flat(raw)
    # addressed to the legal representative at the billing address, the child and provider named
    head = raw.splitlines()[:5]
    assert head == [labels["title"], "Anna Muster", "3 rue des Bains", "L-1212 Luxembourg", "LU"]
    assert "Léa Muster, 12 rue de l'Église, L-1234 Luxembourg" in text
    assert "Crèche Sonnenschein, 1 rue du Parc, L-4002 Esch-sur-Alzette" in text
    assert "child-42" not in text and "sea-001" not in text  # no internal ids
    assert NUMBER in text and issued in text and due in text and renewal in text
    assert total.replace("\xa0", " ") in text and tranche_2.replace("\xa0", " ") in text
    for rule in ("plurilingual_free", "tranche_2", "meal_category_rate"):
        assert RULES[rule][language] in text
    # category and rank, a subtotal per week, the account and the RF reference
    assert "3 × SSM" in text and " 2 " in text
    assert text.count(labels["week_total"].split("{")[0].strip()) == 2
    assert "IBAN LU28 0019 4006 4475 0000" in text and "BIC BCEELULL" in text
    [reference] = re.findall(r"RF\d\d[0-9A-Z ]+$", raw, flags=re.MULTILINE)
    assert is_valid(reference) and reference.replace(" ", "").endswith("20250000042")
    assert "Luxembourg" in labels["office_commune"].format(commune="Luxembourg")
    assert labels["office_commune"].format(commune="Luxembourg") in text


def test_french_typography_colons_and_first_of_the_month() -> None:
    raw = archival_pdf_text(
        render(_invoice("fr"), NUMBER, PARTIES),
        lang="fr-LU",
        title=f"{LABELS['fr']['title']} {NUMBER}",
    )
    assert f"Numéro{NARROW_NBSP}: {NUMBER}" in raw
    assert f"expire le 1er février 2026{NARROW_NBSP}: pensez" in raw


def test_without_a_projected_representative_the_invoice_names_the_role() -> None:
    older = InvoiceParties(child=Party("Léa Muster"), billing_address=["3 rue des Bains"])
    text = _flat(
        archival_pdf_text(
            render(_invoice("en"), NUMBER, older),
            lang="en-GB",
            title=f"{LABELS['en']['title']} {NUMBER}",
        )
    )
    assert "To the legal representative of Léa Muster 3 rue des Bains" in text
    assert "please ask the provider for its bank details" in text
    assert "Caisse pour l'avenir des enfants (CAE)" in text


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
    title = f"{LABELS['en']['adjustment_title']} A2025-000001"
    text = _flat(archival_pdf_text(render(row, "A2025-000001", PARTIES), lang="en-GB", title=title))
    assert "adjustment invoice" in text
    assert "Corrects the period 2025-03 (invoice inv-0)" in text
    assert "Credit: Tranche 2" in text
    assert "You have nothing to pay." in text and "RF" not in text


def test_an_unknown_language_or_rule_falls_back_without_failing() -> None:
    odd = {**LINES[0], "rule": "some_future_rule"}
    row = _invoice("xx", lines=json.dumps([odd]))
    text = archival_pdf_text(
        render(row, "P1", PARTIES), lang="fr-LU", title=f"{LABELS['fr']['title']} P1"
    )
    assert LABELS["fr"]["title"] in text and "some_future_rule" in text
