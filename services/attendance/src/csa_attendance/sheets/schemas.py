"""API models of service sheets and other charges."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from csa_attendance.domain.charges import ChargeKind
from csa_shared.http.bounds import Money, SafeText, SaneDate, SaneMonth


class SheetDayIn(BaseModel):
    day: SaneDate
    hours: Decimal = Field(description="Effective hours that day, 0 to 24, two decimals")
    lunches: int = Field(description="0 or 1")


class SheetDayOut(BaseModel):
    day: date
    hours: Decimal
    lunches: int


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
                    ],
                }
            ]
        },
    )

    provider_id: SafeText = Field(min_length=1, max_length=64)
    child_id: SafeText = Field(min_length=1, max_length=64)
    month: SaneMonth = Field(description="Billing period, YYYY-MM")
    days: list[SheetDayIn] = Field(max_length=42)


class ServiceSheetOut(BaseModel):
    id: str
    provider_id: str
    child_id: str
    month: str
    version: int
    days: list[SheetDayOut]
    total_hours: Decimal
    total_lunches: int
    submitted_by: str
    submitted_at: datetime


class ServiceSheetHistory(BaseModel):
    current: ServiceSheetOut
    versions: list[ServiceSheetOut]


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

    record_id: SafeText = Field(min_length=1, max_length=128)
    child_id: SafeText = Field(min_length=1, max_length=64)
    day: SaneDate
    kind: ChargeKind
    amount: Money
    description: SafeText = Field(default="", max_length=500)


class OtherChargeOut(BaseModel):
    """A charge as stored: not bounded like an input, so older records stay readable."""

    model_config = ConfigDict(extra="ignore")

    record_id: str
    child_id: str
    day: date
    kind: ChargeKind
    amount: Decimal
    description: str = ""
    id: str
    provider_id: str
    state_supported: bool = False
