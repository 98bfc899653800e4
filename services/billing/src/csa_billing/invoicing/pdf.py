"""The parent invoice as a PDF in the contract's language (fpdf2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LABELS = {
    "fr": (
        "Facture",
        "Période",
        "Enfant",
        "Total parent",
        "Total État",
        "Renouveler le contrat avant le",
    ),
    "de": (
        "Rechnung",
        "Zeitraum",
        "Kind",
        "Summe Eltern",
        "Summe Staat",
        "Vertrag erneuern vor dem",
    ),
    "lb": (
        "Rechnung",
        "Period",
        "Kand",
        "Total Elteren",
        "Total Staat",
        "Kontrakt erneieren virum",
    ),
    "en": (
        "Invoice",
        "Period",
        "Child",
        "Parent total",
        "State total",
        "Renew the contract before",
    ),
    "pt": (
        "Fatura",
        "Período",
        "Criança",
        "Total pais",
        "Total Estado",
        "Renovar o contrato antes de",
    ),
}
COLUMNS = ("week", "provider", "rule", "quantity", "unit_price", "parent_amount", "state_amount")


def render(row: Any, number: str) -> bytes:
    title, period, child, parent, state, renew = LABELS.get(row.language, LABELS["fr"])
    pdf = FPDF()
    pdf.add_page()
    font = FONT_DIR / "DejaVuSans.ttf"
    if font.exists():
        pdf.add_font("DejaVu", fname=str(font))
        pdf.set_font("DejaVu", size=9)
    else:
        pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 8, f"{title} {number}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0,
        6,
        f"{period}: {row.corrects_month}   {child}: {row.child_id}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    widths = (22, 24, 40, 18, 18, 22, 22)
    for name, width in zip(COLUMNS, widths, strict=True):
        pdf.cell(width, 6, name, border=1)
    pdf.ln()
    for line in json.loads(row.lines):
        for name, width in zip(COLUMNS, widths, strict=True):
            pdf.cell(width, 5, str(line[name])[:24], border=1)
        pdf.ln()
    pdf.cell(
        0,
        6,
        f"{parent}: {row.parent_total}   {state}: {row.state_total}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if row.renewal_date:
        pdf.cell(0, 6, f"{renew} {row.renewal_date.isoformat()}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
