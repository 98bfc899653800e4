"""The parent invoice as a PDF in the contract's language (fpdf2, babel formats).

Every line of the invoice is printed with its week, provider, rule (named in the contract's
language), quantity, unit price, parent rate and both amounts, so a parent can redo the sum.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from fpdf import FPDF

from csa_billing.invoices.invoice_texts import LABELS, language_of, rule_name
from csa_shared.rules.locales import BABEL_LOCALES
from csa_shared.rules.periods import billing_period

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
#: column → width in mm on an A4 landscape page (277 mm between the margins)
COLUMNS = (
    ("week", 22),
    ("provider", 30),
    ("what", 83),
    ("quantity", 20),
    ("unit_price", 24),
    ("parent_rate", 26),
    ("parent", 26),
    ("state", 26),
)


@dataclass(frozen=True)
class Addressee:
    """Who the invoice is for, from billing's projection of the child's contract."""

    child_name: str
    billing_address: list[str]


def _font(pdf: FPDF) -> str:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists():
        pdf.add_font("DejaVu", fname=str(regular))
        pdf.add_font("DejaVu", style="B", fname=str(bold if bold.exists() else regular))
        return "DejaVu"
    return "Helvetica"  # core font: latin-1 only, enough for every language shipped


def _safe(text: str, family: str) -> str:
    return text if family == "DejaVu" else text.encode("latin-1", "replace").decode("latin-1")


class _Invoice:
    def __init__(self, language: str) -> None:
        self.language = language_of(language)
        self.locale = BABEL_LOCALES[self.language]
        self.labels = LABELS[self.language]
        self.pdf = FPDF(orientation="L")
        self.pdf.set_auto_page_break(auto=True, margin=12)
        self.pdf.add_page()
        self.family = _font(self.pdf)

    def money(self, value: object) -> str:
        return format_currency(Decimal(str(value)), "EUR", locale=self.locale)

    def number(self, value: object) -> str:
        return format_decimal(Decimal(str(value)), format="#,##0.00", locale=self.locale)

    def day(self, value: date) -> str:
        return format_date(value, "medium", locale=self.locale)

    def text(self, content: str, *, size: float = 9, bold: bool = False, height: float = 5) -> None:
        self.pdf.set_font(self.family, style="B" if bold else "", size=size)
        self.pdf.multi_cell(0, height, _safe(content, self.family), new_x="LMARGIN", new_y="NEXT")

    def row(self, cells: list[str], *, bold: bool = False) -> None:
        self.pdf.set_font(self.family, style="B" if bold else "", size=8)
        for (name, width), cell in zip(COLUMNS, cells, strict=True):
            align = "L" if name in ("week", "provider", "what") else "R"
            self.pdf.cell(width, 5, _safe(cell, self.family), border=1, align=align)
        self.pdf.ln()

    def line(self, line: dict[str, Any]) -> list[str]:
        what = rule_name(str(line["rule"]), self.language)
        if line.get("adjustment") in ("credit", "debit"):
            what = f"{self.labels[str(line['adjustment'])]}: {what}"
        width = self.pdf.get_string_width
        self.pdf.set_font(self.family, size=8)
        while width(what) > COLUMNS[2][1] - 2 and len(what) > 4:
            what = what[:-2] + "…"
        return [
            self.day(date.fromisoformat(str(line["week"]))),
            str(line["provider"])[:18],
            what,
            self.number(line["quantity"]),
            self.money(line["unit_price"]),
            self.money(line.get("parent_rate", line["unit_price"])),
            self.money(line["parent_amount"]),
            self.money(line["state_amount"]),
        ]


def render(
    row: Any, number: str, addressee: Addressee | None = None, provider: str | None = None
) -> bytes:
    """The PDF of one invoice row (``invoice`` table) with its number and addressee, and
    the provider it bills (``provider``: its name; the parent pays each one separately)."""
    doc = _Invoice(row.language)
    labels = doc.labels
    adjustment = row.original_invoice_id is not None or row.corrects_month != row.month
    doc.text(labels["adjustment_title" if adjustment else "title"], size=14, bold=True, height=8)
    doc.text(f"{labels['number']}: {number}", bold=True)
    if addressee is not None:
        doc.text("\n".join([addressee.child_name, *addressee.billing_address]))
    doc.text(f"{labels['child']}: {row.child_id}")
    if provider is not None:
        doc.text(f"{labels['provider']}: {provider}", bold=True)
    year, month = (int(part) for part in row.month.split("-"))
    period = billing_period(year, month)
    doc.text(
        labels["period"].format(
            month=row.month, start=doc.day(period.start), end=doc.day(period.end)
        )
    )
    if adjustment:
        doc.text(
            labels["corrects"].format(month=row.corrects_month, original=row.original_invoice_id)
        )
    doc.pdf.ln(2)
    doc.row([labels[name] for name, _ in COLUMNS], bold=True)
    lines = json.loads(row.lines)
    for line in lines:
        doc.row(doc.line(line))
    doc.pdf.ln(2)
    doc.text(f"{labels['parent_total']}: {doc.money(row.parent_total)}", size=11, bold=True)
    if any(line["rule"] == "institution_placement" for line in lines):
        doc.text(labels["state_covers"], bold=True)
    doc.text(f"{labels['state_total']}: {doc.money(row.state_total)}")
    if row.renewal_date:
        doc.text(labels["renew"].format(date=doc.day(row.renewal_date)), bold=True)
    doc.pdf.ln(2)
    doc.text(labels["explain"], size=7, height=4)
    return bytes(doc.pdf.output())
