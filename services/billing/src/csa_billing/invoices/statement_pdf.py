"""The provider statement as a PDF in the language asked (fpdf2, babel formats).

Addressed to the provider at its registry address: per child and invoice what was charged,
the parents' share and the state's share, the totals, the state's transfer (the provider's
IBAN/BIC, the statement number as the transfer's reference) and where to ask questions or
request a rectification. PDF/A-2b, tagged, title and language declared, like the invoice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from csa_billing.invoices.statement_texts import LABELS
from csa_shared.clock import as_luxembourg
from csa_shared.documents import typography as ty
from csa_shared.documents.archival_pdf import ArchivalPdf
from csa_shared.documents.creditor_reference import grouped
from csa_shared.rules.periods import billing_period

#: column → width in mm on an A4 landscape page (277 mm between the margins)
COLUMNS = (
    ("child", 77),
    ("corrects", 25),
    ("invoice", 40),
    ("charged", 45),
    ("parent", 45),
    ("state", 45),
)
ALIGNS = ["L", "L", "L", "R", "R", "R"]


@dataclass(frozen=True)
class StatementLine:
    child: str  # the child's name as billing knows it
    corrects_month: str
    invoice_number: str
    parent_amount: Decimal
    state_amount: Decimal


@dataclass(frozen=True)
class StatementDocument:
    number: str
    month: str
    issued_at: datetime
    state_total: Decimal
    provider_name: str
    provider_address: list[str] = field(default_factory=list)
    iban: str | None = None
    bic: str | None = None
    lines: list[StatementLine] = field(default_factory=list)


def render_statement(doc: StatementDocument, language: str) -> bytes:
    language = language if language in LABELS else ty.FALLBACK
    labels = LABELS[language]

    def says(text: str) -> str:
        return ty.punctuate(text, language)

    def money(value: Decimal) -> str:
        return ty.money(value, language)

    pdf = ArchivalPdf(
        language=language,
        title=f"{labels['title']} {doc.number}",
        orientation="L",
        created=doc.issued_at,
    )
    pdf.block(labels["title"], size=14, bold=True, height=8, tag="/H1")
    pdf.block("\n".join([doc.provider_name, *doc.provider_address]), size=10)
    pdf.ln(2)
    pdf.block(ty.labelled(labels["number"], doc.number, language), bold=True)
    issued = ty.long_date(as_luxembourg(doc.issued_at).date(), language)
    pdf.block(ty.labelled(labels["issued"], issued, language))
    year, month = (int(part) for part in doc.month.split("-"))
    period = billing_period(year, month)
    start, end = (ty.long_date(d, language) for d in (period.start, period.end))
    pdf.block(says(labels["period"].format(month=doc.month, start=start, end=end)))
    pdf.ln(2)
    widths = [w for _, w in COLUMNS]
    pdf.cells([labels[name] for name, _ in COLUMNS], widths, ALIGNS, bold=True)
    for line in doc.lines:
        charged = line.parent_amount + line.state_amount
        cells = [line.child, line.corrects_month, line.invoice_number]
        amounts = [money(charged), money(line.parent_amount), money(line.state_amount)]
        pdf.cells(cells + amounts, widths, ALIGNS)
    parent = sum((x.parent_amount for x in doc.lines), Decimal("0.00"))
    state = sum((x.state_amount for x in doc.lines), Decimal("0.00"))
    totals = [money(parent + state), money(parent), money(state)]
    pdf.cells([labels["total"], "", "", *totals], widths, ALIGNS, bold=True)
    pdf.ln(2)
    _transfer(pdf, doc, language)
    pdf.block(says(labels["families"].format(amount=money(parent))))
    pdf.ln(2)
    pdf.block(says(labels["questions"].format(number=doc.number)))
    return bytes(pdf.output())


def _transfer(pdf: ArchivalPdf, doc: StatementDocument, language: str) -> None:
    labels, amount = LABELS[language], ty.money(doc.state_total, language)
    if doc.iban:
        bic = f" (BIC {doc.bic})" if doc.bic else ""
        text = labels["transfer"].format(
            amount=amount, iban=grouped(doc.iban), bic=bic, number=doc.number
        )
    else:
        text = labels["no_account"].format(amount=amount)
    pdf.block(ty.punctuate(text, language), bold=True)
