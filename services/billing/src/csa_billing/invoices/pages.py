"""The invoice and statement lists as pages (``csa_shared.http.pagination``: ``limit`` and
an opaque ``cursor``, answered as ``{"items": [...], "next_cursor": ...}``) and their
filters."""

# No ``from __future__ import annotations``: the queries' annotations must be objects for
# FastAPI to read them as query parameters (see ``csa_shared.http.pagination``).
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from csa_billing.invoices.schemas import InvoiceOut, StatementOut
from csa_shared.http.bounds import SafeText, SaneMonth
from csa_shared.http.pagination import Page, PageParams


class InvoicePage(Page[InvoiceOut]):
    """A page of invoices, by month then number."""


class StatementPage(Page[StatementOut]):
    """A page of the provider's statements, by month."""


@dataclass(frozen=True)
class InvoiceQuery(PageParams):
    """The filters of the invoice list, beside ``limit`` and ``cursor``."""

    month: Annotated[
        SaneMonth | None, Query(description="Only the invoices issued in this month (YYYY-MM)")
    ] = None
    child_id: Annotated[
        SafeText | None, Query(max_length=64, description="Only this child's invoices")
    ] = None
    provider_id: Annotated[
        SafeText | None, Query(max_length=64, description="Only the invoices of this provider")
    ] = None


@dataclass(frozen=True)
class StatementQuery(PageParams):
    """The filters of the statement list, beside ``limit`` and ``cursor``."""

    month: Annotated[
        SaneMonth | None, Query(description="Only the statement of this month (YYYY-MM)")
    ] = None
