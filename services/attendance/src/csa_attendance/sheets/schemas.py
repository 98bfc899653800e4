"""API models of service sheets and other charges."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from csa_attendance.domain.charges import ChargeKind
from csa_shared.http.bounds import Money, SafeText, SaneDate, SaneMonth
from csa_shared.rules.money import round_quantity


class SheetDayIn(BaseModel):
    day: SaneDate = Field(description="A day of the sheet's month")
    hours: Decimal = Field(
        description="Effective hours that day inside the day band 07:00-19:00, 0 to 12, "
        "two decimals"
    )
    lunches: int = Field(description="0 or 1")
    out_of_band_hours: Decimal = Field(
        default=Decimal(0),
        description="Effective hours that day outside the day band (19:00-07:00), 0 to 12, "
        "two decimals; the AP's night supplement is paid on them (csa-rules.md §4, §10). "
        "Optional, 0 when left out",
    )

    @field_validator("hours", "out_of_band_hours")
    @classmethod
    def _plain_notation(cls, value: Decimal) -> Decimal:
        """`1E+1` as `10`: the event carries hours as plain decimal strings. Only small
        values are rewritten (a huge exponent would make a huge string); larger ones are
        out of range anyway."""
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0 and value.adjusted() < 3:
            return round_quantity(value, 0)  # exact: the value is a whole number
        return value


class SheetDayOut(BaseModel):
    day: date = Field(description="A day of the sheet's month")
    hours: Decimal = Field(description="Effective hours that day inside the day band 07:00-19:00")
    lunches: int = Field(description="Lunches that day, 0 or 1")
    out_of_band_hours: Decimal = Field(
        default=Decimal(0), description="Effective hours that day outside the day band"
    )


class ServiceSheetIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "provider_id": "ap-001",
                    "child_id": "child-42",
                    "month": "2025-03",
                    "days": [
                        {"day": "2025-03-03", "hours": "8.5", "lunches": 1},
                        {"day": "2025-03-04", "hours": "6", "lunches": 0},
                        {
                            "day": "2025-03-05",
                            "hours": "8",
                            "lunches": 1,
                            "out_of_band_hours": "4",
                        },
                    ],
                }
            ]
        },
    )

    provider_id: SafeText = Field(
        min_length=1, max_length=64, description="The parental assistant submitting the sheet"
    )
    child_id: SafeText = Field(
        min_length=1, max_length=64, description="The child's pseudonymous id"
    )
    month: SaneMonth = Field(description="Billing period, YYYY-MM")
    days: list[SheetDayIn] = Field(
        max_length=42, description="The days of care, at most one entry per day"
    )


class ServiceSheetOut(BaseModel):
    id: str = Field(description="The sheet's id")
    provider_id: str = Field(description="The parental assistant who submitted the sheet")
    child_id: str = Field(description="The child's pseudonymous id")
    month: str = Field(description="Billing period, YYYY-MM")
    version: int = Field(
        description="1 for the first sheet of the month, one more per resubmission"
    )
    days: list[SheetDayOut] = Field(description="The days of care")
    total_hours: Decimal = Field(description="Every hour of the sheet, in and out of the band")
    total_out_of_band_hours: Decimal = Field(description="The hours outside the day band")
    total_lunches: int = Field(description="Every lunch of the sheet")
    submitted_by: str = Field(description="Who submitted this version (the token's subject)")
    submitted_at: datetime = Field(description="When this version was submitted (UTC)")


class ServiceSheetHistory(BaseModel):
    current: ServiceSheetOut = Field(description="The sheet in force (the last version)")
    versions: list[ServiceSheetOut] = Field(description="Every version, oldest first")


class OtherChargeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "record_id": "fee-2025-42",
                    "child_id": "child-42",
                    "day": "2025-03-03",
                    "kind": "registration_fee",
                    "amount": "50.00",
                    "description": "Registration 2025",
                }
            ]
        },
    )

    record_id: SafeText = Field(
        min_length=1,
        max_length=128,
        description="The provider's own id of the charge (its idempotency key)",
    )
    child_id: SafeText = Field(
        min_length=1, max_length=64, description="The child's pseudonymous id"
    )
    day: SaneDate = Field(description="The day charged, not in the future")
    kind: ChargeKind = Field(
        description="What is charged: travel, registration fee, deposit, notice period, other"
    )
    amount: Money = Field(description="Euros, billed to the parent in full")
    description: SafeText = Field(
        default="", max_length=500, description="Free text shown on the invoice"
    )


class OtherChargeOut(BaseModel):
    """A charge as stored: not bounded like an input, so older records stay readable."""

    model_config = ConfigDict(extra="ignore")

    record_id: str = Field(description="The provider's own id of the charge")
    child_id: str = Field(description="The child's pseudonymous id")
    day: date = Field(description="The day charged")
    kind: ChargeKind = Field(
        description="What is charged: travel, registration fee, deposit, notice period, other"
    )
    amount: Decimal = Field(description="Euros, billed to the parent in full")
    description: str = Field(default="", description="Free text shown on the invoice")
    id: str = Field(description="The platform's id of the charge")
    provider_id: str = Field(description="The provider that recorded the charge")
    state_supported: bool = Field(
        default=False, description="Always false: the state pays no part of such a charge"
    )
