"""Render a contract document to PDF with fpdf2 (csa-rules.md §8).

Uses the DejaVu Sans TTF (Unicode) when installed (Debian ``fonts-dejavu-core``), else the
core Helvetica font, whose latin-1 range covers the five contract languages' letters
(ä, ë, é, ç, ã, õ, ...); characters outside latin-1 are then replaced.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from csa_membership.domain.document import ContractDocument

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _setup_font(pdf: FPDF, font: Path | None) -> tuple[str, bool]:
    if font is not None and font.exists():
        pdf.add_font("body", "", str(font))
        bold = DEJAVU_BOLD if font == DEJAVU and DEJAVU_BOLD.exists() else font
        pdf.add_font("body", "B", str(bold))
        return "body", True
    return "helvetica", False


def render_contract_pdf(document: ContractDocument, *, font: Path | None = DEJAVU) -> bytes:
    """The contract document as PDF bytes."""
    pdf = FPDF(format="A4")
    pdf.set_title(document.title)
    pdf.set_lang(document.locale.replace("_", "-"))
    family, unicode_font = _setup_font(pdf, font)
    pdf.add_page()

    def clean(text: str) -> str:
        return text if unicode_font else text.encode("latin-1", "replace").decode("latin-1")

    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(width, 9, clean(document.title), new_x="LMARGIN", new_y="NEXT")
    for index, section in enumerate(document.sections):
        if index:
            pdf.ln(3)
            pdf.set_font(family, "B", 12)
            pdf.multi_cell(width, 7, clean(section.heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        for line in section.lines:
            pdf.multi_cell(width, 6, clean(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
