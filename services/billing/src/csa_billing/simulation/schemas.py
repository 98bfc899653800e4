"""Request and response bodies of `csa simulate` and `POST /v1/simulations` (interfaces.md §2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.config import JsonDict

from csa_billing.domain.model import Schooling
from csa_shared.http import bounds
from csa_shared.http.bounds import SafeText, SaneDate, SaneDateTime
from csa_shared.rules.categories import Category
from csa_shared.rules.money import parse_money
from csa_shared.rules.parameters import ProviderType


def _money(value: object) -> Decimal:
    if isinstance(value, Decimal):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError('amounts are strings with two decimals, e.g. "6.00"')
    try:
        amount: Decimal = parse_money(value)
    except ValueError as exc:
        raise ValueError(getattr(exc, "detail", str(exc))) from None
    return amount


Money = Annotated[bounds.Money, BeforeValidator(_money)]
_ID = Field(min_length=1, max_length=64)
_IN = ConfigDict(extra="forbid", frozen=True)

EXAMPLE_REQUEST: JsonDict = {
    "week_start": "2025-03-03",
    "category": "lt_2",
    "rank": 1,
    "child": {"birth_date": "2022-05-10", "schooling": "none"},
    "school_holiday": False,
    "public_holidays": [],
    "plurilingual_weeks_used": 0,
    "providers": [
        {"id": "p1", "type": "sea_conventionne", "hourly_price": "6.00",
         "meal_price": "4.50", "plurilingual": True}
    ],
    "presences": [{"provider": "p1", "start": "2025-03-03T08:00:00", "end": "2025-03-03T17:00:00"}],
    "meals": [{"provider": "p1", "date": "2025-03-03", "count": 1}],
}  # fmt: skip


class ChildIn(BaseModel):
    """The child: birth date (age 1+ for plurilingual hours) and schooling of the week."""

    model_config = _IN
    birth_date: SaneDate
    schooling: Schooling = Field(
        description="none, precoce_part_time, precoce_full_time or fundamental"
    )


class ProviderIn(BaseModel):
    """A provider of the week with its prices."""

    model_config = _IN
    id: SafeText = Field(min_length=1, max_length=64, examples=["p1"])
    type: ProviderType = Field(description="sea_conventionne, sea_commercial, assistant_parental")
    hourly_price: Money = Field(examples=["6.00"])
    meal_price: Money = Field(default=Decimal("0.00"), examples=["4.50"])
    plurilingual: bool = False


class PresenceIn(BaseModel):
    """A presence at a provider, local Luxembourg time without offset."""

    model_config = _IN
    provider: SafeText = _ID
    start: SaneDateTime = Field(examples=["2025-03-03T08:00:00"])
    end: SaneDateTime = Field(examples=["2025-03-03T17:00:00"])
    id: SafeText | None = Field(
        default=None, max_length=128, description="record id, echoed on the lines"
    )


class MealIn(BaseModel):
    """Main meals taken at a provider on a day."""

    model_config = _IN
    provider: SafeText = _ID
    date: SaneDate
    count: int = Field(ge=0, le=10)
    id: SafeText | None = Field(default=None, max_length=128)


class SimulationRequest(BaseModel):
    """One week of care for one child (csa-rules.md §4-§6)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [EXAMPLE_REQUEST]}
    )
    week_start: SaneDate = Field(description="a Monday")
    category: Category = Field(description="income category code of csa-rules.md §2")
    rank: int = Field(ge=1, le=99, description="rank of the child, eldest first; 4+ share a row")
    child: ChildIn
    school_holiday: bool = Field(False, description="the whole week is a school-holiday week")
    public_holidays: list[SaneDate] = Field(default_factory=list, max_length=7)
    plurilingual_weeks_used: int = Field(0, ge=0, le=53, description="weeks already used this year")
    providers: list[ProviderIn] = Field(default_factory=list, max_length=20)
    # a week holds 10 080 minutes: more presences than that cannot be distinct
    presences: list[PresenceIn] = Field(default_factory=list, max_length=1000)
    meals: list[MealIn] = Field(default_factory=list, max_length=100)
    parameters_date: SaneDate | None = Field(None, description="parameter set; default week_start")


class HoursOut(BaseModel):
    """Hours of the week per class of §5, decimal hours with two decimals."""

    school_free: str
    plurilingual_free: str
    tranche_1: str
    tranche_2: str
    tranche_3: str
    unsupported: str


class LineOut(BaseModel):
    """One invoice line, with the rule that produced it and its rates."""

    provider: str
    kind: str = Field(description="care, supplement, ap_supplement, holiday_cap or meal")
    rule: str
    rule_section: str
    quantity: str = Field(description="hours (care lines) or meals (meal lines)")
    unit_price: str
    parent_rate: str
    state_rate: str
    parent_amount: str
    state_amount: str
    record_ids: list[str] = Field(default_factory=list)


class SimulationResponse(BaseModel):
    """The computed week: totals, hours breakdown and traceable lines."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "parent_total": "1.00",
                    "state_total": "57.50",
                    "hours": {"school_free": "0.00", "plurilingual_free": "9.00",
                              "tranche_1": "0.00", "tranche_2": "0.00", "tranche_3": "0.00",
                              "unsupported": "0.00"},
                    "lines": [
                        {"provider": "p1", "kind": "care", "rule": "plurilingual_free",
                         "rule_section": "csa-rules.md §5.2", "quantity": "9.00",
                         "unit_price": "6.00", "parent_rate": "0.00", "state_rate": "6.00",
                         "parent_amount": "0.00", "state_amount": "54.00", "record_ids": []},
                        {"provider": "p1", "kind": "meal", "rule": "meal_category_rate",
                         "rule_section": "csa-rules.md §6, §3", "quantity": "1.00",
                         "unit_price": "4.50", "parent_rate": "1.00", "state_rate": "3.50",
                         "parent_amount": "1.00", "state_amount": "3.50", "record_ids": []},
                    ],
                    "ap_supplement_total": "0.00",
                    "holiday_week": False,
                    "plurilingual_week_counted": True,
                    "parameters_from": "2025-01-06",
                }
            ]
        }
    )  # fmt: skip
    parent_total: str
    state_total: str
    hours: HoursOut
    lines: list[LineOut]
    ap_supplement_total: str = Field(description="state money on top of the providers' prices")
    holiday_week: bool
    plurilingual_week_counted: bool
    parameters_from: date
