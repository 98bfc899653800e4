"""API models of periods, invoices and statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class CloseIn(BaseModel):
    ignore_grace: bool = Field(
        False,
        deprecated=True,
        description="Ignored: no period is closed before its grace days have passed",
    )

    model_config = {"json_schema_extra": {"examples": [{}]}}


class ProviderTotal(BaseModel):
    provider_id: str
    commune: str | None
    state_total: Decimal


class PeriodOut(BaseModel):
    month: str
    start: date
    end: date
    status: str
    children_total: int
    children_done: int
    parent_total: Decimal | None
    state_total: Decimal | None
    providers: list[ProviderTotal] = []
    communes: dict[str, Decimal] = {}


class InvoiceOut(BaseModel):
    id: str
    number: str
    month: str
    corrects_month: str
    kind: str
    original_invoice_id: str | None
    child_id: str
    provider_id: str | None = None  # the provider billed (None: every provider, or none)
    language: str
    renewal_date: date | None
    parent_total: Decimal
    state_total: Decimal
    lines: list[dict[str, Any]]


class StatementLineOut(BaseModel):
    """What one family owes the provider for a child (one invoice of the child at the
    provider), seed 004 §4.2: the charged amount splits into the parent's share (paid by
    the family) and the state's share (paid by the state): charged = parent + state."""

    child_id: str
    corrects_month: str
    invoice_id: str
    invoice_number: str | None = None
    charged_amount: Decimal
    parent_amount: Decimal
    state_amount: Decimal


class StatementOut(BaseModel):
    id: str
    number: str
    month: str
    provider_id: str
    commune: str | None
    children: int
    charged_total: Decimal
    parent_total: Decimal
    state_total: Decimal  # the state's money for the provider (as issued)
    lines: list[StatementLineOut]
