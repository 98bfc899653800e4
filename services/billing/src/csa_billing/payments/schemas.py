"""API models of the payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PaymentOut(BaseModel):
    statement_id: str = Field(description="The provider statement paid")
    statement_number: str = Field(description="The statement's number")
    provider_id: str = Field(description="The provider paid")
    creditor_name: str = Field(description="The account holder's name in the transfer")
    iban: str | None = Field(
        description="The provider's IBAN; null when it gave none (then not payable)"
    )
    amount: Decimal = Field(description="Euros transferred: the statement's state total")
    end_to_end_id: str | None = Field(description="None for a statement left out of the file")
    status: Literal["exported", "confirmed", "rejected", "not_payable"] = Field(
        description="exported (in a file sent to the bank), confirmed, rejected or not_payable"
    )
    reason: str | None = Field(
        description='Why a statement is not payable ("not payable: no IBAN"), or the bank\'s '
        "reason code of a rejection"
    )
    status_at: datetime | None = Field(
        description="When the status was last set (UTC); null while exported"
    )


class BatchOut(BaseModel):
    month: str = Field(description="The billing period paid, YYYY-MM")
    message_id: str = Field(description="The pain.001 file's message id (MsgId)")
    created_at: datetime = Field(description="When the file was made (UTC)")
    execution_date: date = Field(description="The day the bank is asked to execute the transfers")
    transactions: int = Field(description="Transfers in the file")
    total: Decimal = Field(description="Euros in all the file's transfers")
    payments: list[PaymentOut] = Field(description="Every statement of the month, paid or not")


class PaymentStatusIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "confirmed"}, {"status": "rejected", "reason": "AC04"}]
        },
    )

    status: Literal["confirmed", "rejected"] = Field(
        description="What the bank reported: confirmed or rejected"
    )
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
