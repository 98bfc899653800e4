"""API models of the payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PaymentOut(BaseModel):
    statement_id: str
    statement_number: str
    provider_id: str
    creditor_name: str
    iban: str | None
    amount: Decimal
    end_to_end_id: str | None = Field(description="None for a statement left out of the file")
    status: Literal["exported", "confirmed", "rejected", "not_payable"]
    reason: str | None = Field(
        description='Why a statement is not payable ("not payable: no IBAN"), or the bank\'s '
        "reason code of a rejection"
    )
    status_at: datetime | None


class BatchOut(BaseModel):
    month: str
    message_id: str
    created_at: datetime
    execution_date: date
    transactions: int
    total: Decimal
    payments: list[PaymentOut]


class PaymentStatusIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "confirmed"}, {"status": "rejected", "reason": "AC04"}]
        },
    )

    status: Literal["confirmed", "rejected"]
    reason: str | None = Field(default=None, max_length=140, description="e.g. ISO code AC04")


# The API names the domain's transitions itself: the schema of the enum class would carry its
# docstring, which mypyc's compiled class replaces by a filler, and the published document must
# not depend on which build of the domain runs (tested equal to `Transition`'s values).
TransitionName = Literal["applied", "unchanged", "refused"]


class PaymentStatusOut(PaymentOut):
    transition: TransitionName = Field(
        description="applied: this call changed the status; unchanged: it had it already"
    )


class ReportedStatus(PaymentStatusOut):
    code: str = Field(description="The report's transaction status (TxSts)")
