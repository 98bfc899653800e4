"""The archival PDF base: PDF/A-2b markers, language, title and tags, across pages."""

from __future__ import annotations

import io

from pypdf import PdfReader

from csa_shared.documents.archival_pdf import ArchivalPdf
from csa_shared.testing.pdf_checks import archival_pdf_text


def test_a_long_document_stays_archival_and_tagged_on_every_page() -> None:
    pdf = ArchivalPdf(language="pt", title="Fatura")
    pdf.block("Fatura", size=14, bold=True, tag="/H1")
    for n in range(120):
        pdf.block(f"Parágrafo {n}: ação, coração, €")
        pdf.cells([str(n), "x"], [20, 20], ["L", "R"])
    content = bytes(pdf.output())

    text = archival_pdf_text(content, lang="pt-PT", title="Fatura")

    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) > 3 and "Parágrafo 119: ação, coração, €" in text
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    [document] = tree["/K"]
    assert len(document.get_object()["/K"]) == 1 + 2 * 120  # the heading, each block and row


def test_without_the_unicode_font_it_is_a_plain_tagged_pdf() -> None:
    pdf = ArchivalPdf(language="fr", title="Facture", font=None)
    pdf.block("Numéro\u202f: ő")
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    root = reader.trailer["/Root"]
    assert not pdf.archival and "/OutputIntents" not in root and root["/Lang"] == "fr-LU"
    assert "Numéro : ?" in reader.pages[0].extract_text()
