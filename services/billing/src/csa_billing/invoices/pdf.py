"""The parent invoice as a PDF in the contract's language (fpdf2, babel formats).

Addressed to the child's legal representative at the billing address, it names the child
and the provider with their addresses, the issue and due dates (``DUE_DAYS`` after issue),
the provider's account and an ISO 11649 RF payment reference, the income category and rank
that set the rates, every line (week, rule, quantity, unit price, parent rate, both amounts)
with a subtotal per week so a parent can redo the sum, the contract's renewal date and where
to ask questions or request a rectification. PDF/A-2b, tagged, title and language declared
(``csa_shared.documents.archival_pdf``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from typing import Any

from csa_billing.invoices.invoice_texts import LABELS, language_of, rule_name
from csa_shared.clock import as_luxembourg, luxembourg_today
from csa_shared.documents import typography as ty
from csa_shared.documents.archival_pdf import ArchivalPdf
from csa_shared.documents.category_names import category_name
from csa_shared.documents.creditor_reference import creditor_reference, grouped
from csa_shared.rules.periods import billing_period

#: a parent pays an invoice within 30 days of its issue (the due date printed on it)
DUE_DAYS = 30
#: column → width in mm on an A4 landscape page (277 mm between the margins)
COLUMNS = (
    ("week", 24),
    ("what", 111),
    ("quantity", 20),
    ("unit_price", 24),
    ("parent_rate", 26),
    ("parent", 36),
    ("state", 36),
)
ALIGNS = ["L", "L", "R", "R", "R", "R", "R"]


@dataclass(frozen=True)
class Party:
    """A person or provider as printed: a name and the lines of a postal address."""

    name: str
    address: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class InvoiceParties:
    """Who and what an invoice names, from billing's projections (``invoices.parties``)."""

    child: Party
    billing_address: list[str]
    representative: str | None = None  # None: projected before membership sent it
    provider: Party | None = None
    iban: str | None = None
    bic: str | None = None
    category: str | None = None
    rank: int | None = None
    commune: str | None = None  # the family's commune office; None: the CAE


def due_date(issued: date) -> date:
    return issued + timedelta(days=DUE_DAYS)


def payment_reference(number: str) -> str:
    """The invoice's RF creditor reference: its number's letters and digits."""
    return creditor_reference(number)


class _Invoice:
    def __init__(self, language: str, title: str, created: datetime | None) -> None:
        self.language = language_of(language)
        self.labels = LABELS[self.language]
        self.pdf = ArchivalPdf(
            language=self.language, title=title, orientation="L", created=created
        )

    def money(self, value: object) -> str:
        return ty.money(value, self.language)

    def day(self, value: date) -> str:
        return ty.long_date(value, self.language)

    def text(self, content: str, **style: Any) -> None:
        self.pdf.block(ty.punctuate(content, self.language), **style)

    def labelled(self, label: str, value: str, **style: Any) -> None:
        self.pdf.block(ty.labelled(self.labels[label], value, self.language), **style)

    def row(self, cells: list[str], *, bold: bool = False) -> None:
        self.pdf.cells(cells, [w for _, w in COLUMNS], ALIGNS, bold=bold)

    def line(self, line: dict[str, Any]) -> list[str]:
        what = rule_name(str(line["rule"]), self.language)
        if line.get("adjustment") in ("credit", "debit"):
            what = ty.labelled(self.labels[str(line["adjustment"])], what, self.language)
        self.pdf.set_font(self.pdf.body_font, size=8)
        while self.pdf.get_string_width(what) > COLUMNS[1][1] - 2 and len(what) > 4:
            what = what[:-2] + "…"
        return [
            ty.short_date(date.fromisoformat(str(line["week"])), self.language),
            what,
            ty.number(line["quantity"], self.language),
            self.money(line["unit_price"]),
            self.money(line.get("parent_rate", line["unit_price"])),
            self.money(line["parent_amount"]),
            self.money(line["state_amount"]),
        ]


def _issued(row: Any) -> tuple[date, datetime | None]:
    moment = getattr(row, "issued_at", None)
    if moment is None:
        return luxembourg_today(), None
    return as_luxembourg(moment).date(), moment


def _weeks(doc: _Invoice, lines: list[dict[str, Any]]) -> Iterator[list[str]]:
    """The table's rows: each week's lines, then that week's subtotal."""
    for week, group in groupby(lines, key=lambda line: str(line["week"])):
        items = list(group)
        for line in items:
            yield doc.line(line)
        parent = sum((Decimal(str(x["parent_amount"])) for x in items), Decimal("0.00"))
        state = sum((Decimal(str(x["state_amount"])) for x in items), Decimal("0.00"))
        label = doc.labels["week_total"].format(
            week=ty.short_date(date.fromisoformat(week), doc.language)
        )
        yield ["", label, "", "", "", doc.money(parent), doc.money(state)]


def _header(doc: _Invoice, row: Any, number: str, parties: InvoiceParties, issued: date) -> None:
    labels = doc.labels
    recipient = parties.representative or labels["to_representative"].format(
        child=parties.child.name
    )
    doc.pdf.block("\n".join([recipient, *parties.billing_address]), size=10)
    doc.pdf.ln(2)
    doc.labelled("number", number, bold=True)
    doc.labelled("issued", doc.day(issued))
    child = ", ".join([parties.child.name, *parties.child.address])
    doc.text(labels["child_line"].format(name=child))
    if parties.provider is not None:
        provider = ", ".join([parties.provider.name, *parties.provider.address])
        doc.text(labels["provider_line"].format(name=provider), bold=True)
    if parties.category is not None and parties.rank is not None:
        category = category_name(parties.category, doc.language)
        doc.text(labels["rates"].format(category=f"({category})", rank=parties.rank))
    year, month = (int(part) for part in row.month.split("-"))
    period = billing_period(year, month)
    doc.text(
        labels["period"].format(
            month=row.month, start=doc.day(period.start), end=doc.day(period.end)
        )
    )


def _payment(doc: _Invoice, row: Any, number: str, parties: InvoiceParties, due: date) -> None:
    labels = doc.labels
    if Decimal(str(row.parent_total)) <= 0:
        doc.text(labels["nothing_to_pay"], bold=True)
        return
    provider = parties.provider.name if parties.provider is not None else ""
    doc.text(
        labels["pay"].format(
            amount=doc.money(row.parent_total), due=doc.day(due), provider=provider
        ),
        bold=True,
    )
    doc.labelled("due", doc.day(due))
    if parties.iban:
        bic = f" · BIC {parties.bic}" if parties.bic else ""
        doc.labelled("account", f"IBAN {grouped(parties.iban)}{bic}")
    else:
        doc.text(labels["no_account"])
    doc.labelled("reference", grouped(payment_reference(number)), bold=True)


def render(row: Any, number: str, parties: InvoiceParties) -> bytes:
    """The PDF of one invoice row (``invoice`` table) with its number and the parties it
    names (the parent pays each provider separately: one invoice per child and provider)."""
    labels = LABELS[language_of(row.language)]
    adjustment = row.original_invoice_id is not None or row.corrects_month != row.month
    title = labels["adjustment_title" if adjustment else "title"]
    issued, created = _issued(row)
    doc = _Invoice(row.language, f"{title} {number}", created)
    doc.text(title, size=14, bold=True, height=8, tag="/H1")
    _header(doc, row, number, parties, issued)
    if adjustment:
        doc.text(
            labels["corrects"].format(month=row.corrects_month, original=row.original_invoice_id)
        )
    doc.pdf.ln(2)
    doc.row([labels[name] for name, _ in COLUMNS], bold=True)
    lines = json.loads(row.lines)
    for cells in _weeks(doc, lines):
        doc.row(cells, bold=not cells[0])
    doc.pdf.ln(2)
    doc.labelled("parent_total", doc.money(row.parent_total), size=11, bold=True)
    if any(line["rule"] == "institution_placement" for line in lines):
        doc.text(labels["state_covers"], bold=True)
    doc.labelled("state_total", doc.money(row.state_total))
    _payment(doc, row, number, parties, due_date(issued))
    if row.renewal_date:
        doc.text(labels["renew"].format(date=doc.day(row.renewal_date)), bold=True)
    office = (
        labels["office_commune"].format(commune=parties.commune)
        if parties.commune
        else labels["office_cae"]
    )
    provider = parties.provider.name if parties.provider is not None else "—"
    doc.pdf.ln(2)
    doc.text(labels["questions"].format(provider=provider, office=office, number=number))
    doc.text(labels["explain"], size=7, height=4)
    return bytes(doc.pdf.output())
