"""API models of periods, invoices and statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


class CloseIn(BaseModel):
    ignore_grace: bool = False

    model_config = {"json_schema_extra": {"examples": [{"ignore_grace": False}]}}


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
    child_id: str
    corrects_month: str
    state_amount: Decimal


class StatementOut(BaseModel):
    id: str
    number: str
    month: str
    provider_id: str
    commune: str | None
    children: int
    state_total: Decimal
    lines: list[StatementLineOut]
