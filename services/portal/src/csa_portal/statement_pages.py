"""The statement of account (seed 000: "the monthly invoices and statements of account issued
by the CSA"): per child and year, each month's invoices and corrections with what the family
and the state pay, and the year's totals.

The portal owns no business data: the figures are the invoices billing issued, added up here
as the invoice list shows them, so the two pages can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response

from csa_portal.api import PublicApis
from csa_portal.invoice_pages import child_names, fetched, years_of
from csa_portal.web import current_session, render

router = APIRouter()


@dataclass
class MonthOfAccount:
    month: str
    invoices: list[dict[str, Any]] = field(default_factory=list)
    parent: Decimal = Decimal("0")
    state: Decimal = Decimal("0")


@dataclass
class YearOfAccount:
    child_id: str
    year: str
    months: list[MonthOfAccount]

    @property
    def parent(self) -> Decimal:
        return sum((m.parent for m in self.months), Decimal("0"))

    @property
    def state(self) -> Decimal:
        return sum((m.state for m in self.months), Decimal("0"))


def statement_of(invoices: list[dict[str, Any]], year: str) -> list[YearOfAccount]:
    """Each child's months of ``year`` (the month the document was issued for), newest
    first; a correction counts in the month it was issued, as the family pays it then."""
    children: dict[str, dict[str, MonthOfAccount]] = {}
    for invoice in invoices:
        month = str(invoice["month"])
        if not month.startswith(f"{year}-"):
            continue
        months = children.setdefault(str(invoice["child_id"]), {})
        row = months.setdefault(month, MonthOfAccount(month))
        row.invoices.append(invoice)
        row.parent += Decimal(str(invoice["parent_total"]))
        row.state += Decimal(str(invoice["state_total"]))
    return [
        YearOfAccount(child, year, [months[m] for m in sorted(months, reverse=True)])
        for child, months in sorted(children.items())
    ]


@router.get("/statement")
async def statement(request: Request, year: str = "", child: str = "") -> Response:
    invoices = await fetched(request, PublicApis.invoices)
    years = years_of(invoices)
    chosen = year if year in years else (years[0] if years else "")
    accounts = statement_of(invoices, chosen)
    children = [a.child_id for a in accounts]
    return render(
        request,
        "statement.html",
        current_session(request),
        accounts=[a for a in accounts if not child or a.child_id == child],
        years=years,
        year=chosen,
        children=children,
        child=child,
        names=await child_names(request),
    )
