"""Render a contract document to PDF with fpdf2 (csa-rules.md §8).

An archival PDF (``csa_shared.documents.archival_pdf``): PDF/A-2b with DejaVu Sans embedded,
the contract's title and language declared, the title and headings tagged ``/H1``/``/H2``
and every line ``/P`` for screen readers. Without DejaVu Sans it falls back to the core
Helvetica font, whose latin-1 range covers the five contract languages' letters
(ä, ë, é, ç, ã, õ, ...); characters outside latin-1 are then replaced.
"""

from __future__ import annotations

from pathlib import Path

from csa_membership.domain.document import ContractDocument
from csa_shared.documents.archival_pdf import REGULAR, ArchivalPdf

DEJAVU = REGULAR


def render_contract_pdf(document: ContractDocument, *, font: Path | None = DEJAVU) -> bytes:
    """The contract document as PDF bytes."""
    pdf = ArchivalPdf(language=document.language.value, title=document.title, font=font)
    pdf.block(document.title, size=16, bold=True, height=9, tag="/H1")
    for index, section in enumerate(document.sections):
        if index:
            pdf.ln(3)
            pdf.block(section.heading, size=12, bold=True, height=7, tag="/H2")
        for line in section.lines:
            pdf.block(line, size=10, height=6)
    return bytes(pdf.output())
