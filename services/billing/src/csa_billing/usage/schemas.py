"""API models of the current usage (money as Decimal strings, as every billing API)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class RuleUsage(BaseModel):
    """The period's lines of one rule so far, as the invoice lines name them."""

    kind: str = Field(description="What the lines bill: care, meal, supplement, …")
    rule: str = Field(description="The rule of csa-rules.md, e.g. tranche_2 or meal_extra")
    quantity: Decimal = Field(description="Hours (care and supplements) or meals")
    parent_amount: Decimal = Field(description="Euros the parent pays for these lines so far")
    state_amount: Decimal = Field(description="Euros the state pays for these lines so far")


class ProviderUsage(BaseModel):
    provider_id: str = Field(description="The provider")
    provider_name: str | None = Field(
        default=None, description="The provider's newest name; null when unknown"
    )
    hours_by_rule: dict[str, Decimal] = Field(
        description="Hours of care so far per rule (tranche_1, tranche_2, …)"
    )
    rules: list[RuleUsage] = Field(description="The lines summed per kind and rule")
    parent_to_date: Decimal = Field(description="Euros the parent owes this provider so far")
    state_to_date: Decimal = Field(description="Euros the state owes this provider so far")


class ChildUsage(BaseModel):
    """One child's open (not yet closed) billing period, priced as the close would price it
    with the records known now."""

    child_id: str = Field(description="The child")
    month: str = Field(description="The open billing period, YYYY-MM")
    period_start: date = Field(description="The period's first day (ISO date)")
    period_end: date = Field(description="The period's last day (ISO date)")
    hours: Decimal = Field(description="Hours of care so far, every provider")
    parent_to_date: Decimal = Field(description="Euros the parent owes so far, every provider")
    state_to_date: Decimal = Field(description="Euros the state owes so far, every provider")
    providers: list[ProviderUsage] = Field(
        description="The figures per provider billed so far (empty when none is)"
    )
    as_of: datetime = Field(description="When the figures were computed (UTC)")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "child_id": "9b2f6c1e-4d0a-4c55-9a43-2f1e8d7c6b5a",
                    "month": "2025-03",
                    "period_start": "2025-03-03",
                    "period_end": "2025-04-06",
                    "hours": "36.00",
                    "parent_to_date": "26.20",
                    "state_to_date": "266.30",
                    "providers": [
                        {
                            "provider_id": "prov-x",
                            "provider_name": "Crèche Les Petits Pas",
                            "hours_by_rule": {"tranche_1": "3.00", "tranche_2": "33.00"},
                            "rules": [
                                {
                                    "kind": "care",
                                    "rule": "tranche_1",
                                    "quantity": "3.00",
                                    "parent_amount": "0.00",
                                    "state_amount": "18.00",
                                },
                                {
                                    "kind": "care",
                                    "rule": "tranche_2",
                                    "quantity": "33.00",
                                    "parent_amount": "26.20",
                                    "state_amount": "248.30",
                                },
                            ],
                            "parent_to_date": "26.20",
                            "state_to_date": "266.30",
                        }
                    ],
                    "as_of": "2025-03-20T09:15:00Z",
                }
            ]
        }
    }
