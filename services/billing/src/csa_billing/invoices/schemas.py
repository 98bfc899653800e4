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
    provider_id: str = Field(description="The provider")
    commune: str | None = Field(description="The provider's commune; null when unknown")
    state_total: Decimal = Field(description="Euros the state owes the provider for the month")


class PeriodOut(BaseModel):
    month: str = Field(description="The billing period, YYYY-MM")
    start: date = Field(description="First day of the period")
    end: date = Field(description="Last day of the period")
    status: str = Field(description="open, closing (invoices being made) or closed (issued)")
    children_total: int = Field(description="Children to bill in the close")
    children_done: int = Field(description="Children billed so far in the close")
    parent_total: Decimal | None = Field(
        description="Euros the parents owe for the period; null until closed"
    )
    state_total: Decimal | None = Field(
        description="Euros the state owes for the period; null until closed"
    )
    providers: list[ProviderTotal] = Field(default=[], description="The state's total per provider")
    communes: dict[str, Decimal] = Field(
        default={}, description="The state's total per provider commune"
    )


class InvoiceOut(BaseModel):
    id: str = Field(description="The invoice's id")
    number: str = Field(description="The invoice number, YYYY-NNNNNNN, without gaps in a year")
    month: str = Field(description="The period whose close issued the invoice, YYYY-MM")
    corrects_month: str = Field(
        description="The month billed: the same as month, or an earlier one (adjustment)"
    )
    kind: str = Field(
        description="invoice (the month itself) or adjustment (an earlier month corrected)"
    )
    original_invoice_id: str | None = Field(
        description="The invoice an adjustment corrects; null otherwise"
    )
    child_id: str = Field(description="The child billed")
    provider_id: str | None = Field(
        default=None, description="The provider billed; null: every provider, or none"
    )
    language: str = Field(description="The invoice's language: lb, de, fr, en or pt")
    renewal_date: date | None = Field(
        description="The last day of the child's contract (renew before it); null when unknown"
    )
    parent_total: Decimal = Field(description="Euros the parent pays")
    state_total: Decimal = Field(description="Euros the state pays")
    lines: list[dict[str, Any]] = Field(
        description="The invoice lines, each with the rule that produced it"
    )


class StatementLineOut(BaseModel):
    """What one family owes the provider for a child (one invoice of the child at the
    provider), seed 004 §4.2: the charged amount splits into the parent's share (paid by
    the family) and the state's share (paid by the state): charged = parent + state."""

    child_id: str = Field(description="The child")
    corrects_month: str = Field(description="The month billed (an earlier one for an adjustment)")
    invoice_id: str = Field(description="The child's invoice at the provider")
    invoice_number: str | None = Field(default=None, description="Its number; null until issued")
    charged_amount: Decimal = Field(description="Euros charged: parent_amount + state_amount")
    parent_amount: Decimal = Field(description="Euros the family pays")
    state_amount: Decimal = Field(description="Euros the state pays")


class StatementOut(BaseModel):
    id: str = Field(description="The statement's id")
    number: str = Field(description="The statement's number")
    month: str = Field(description="The billing period, YYYY-MM")
    provider_id: str = Field(description="The provider")
    commune: str | None = Field(description="The provider's commune; null when unknown")
    children: int = Field(description="Children on the statement")
    charged_total: Decimal = Field(description="Euros charged in all: parent_total + state_total")
    parent_total: Decimal = Field(description="Euros the families pay")
    state_total: Decimal = Field(description="Euros the state pays the provider (as issued)")
    lines: list[StatementLineOut] = Field(
        description="One line per invoice of a child at the provider"
    )
