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
_ID = Field(min_length=1, max_length=64, description="The id of one of the providers given")
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
    birth_date: SaneDate = Field(description="The child's birth date")
    schooling: Schooling = Field(
        description="none, precoce_part_time, precoce_full_time or fundamental"
    )


class ProviderIn(BaseModel):
    """A provider of the week with its prices."""

    model_config = _IN
    id: SafeText = Field(
        min_length=1,
        max_length=64,
        examples=["p1"],
        description="The provider's id, as the presences and meals name it",
    )
    type: ProviderType = Field(description="sea_conventionne, sea_commercial, assistant_parental")
    hourly_price: Money = Field(examples=["6.00"], description="Euros per hour")
    meal_price: Money = Field(
        default=Decimal("0.00"), examples=["4.50"], description="Euros per main meal"
    )
    plurilingual: bool = Field(
        default=False, description="Takes part in the plurilingual programme (free hours, §5)"
    )


class PresenceIn(BaseModel):
    """A presence at a provider, local Luxembourg time without offset."""

    model_config = _IN
    provider: SafeText = _ID
    start: SaneDateTime = Field(
        examples=["2025-03-03T08:00:00"], description="Start, local Luxembourg time without offset"
    )
    end: SaneDateTime = Field(
        examples=["2025-03-03T17:00:00"], description="End, local Luxembourg time without offset"
    )
    id: SafeText | None = Field(
        default=None, max_length=128, description="record id, echoed on the lines"
    )


class MealIn(BaseModel):
    """Main meals taken at a provider on a day."""

    model_config = _IN
    provider: SafeText = _ID
    date: SaneDate = Field(description="The day of the meals")
    count: int = Field(ge=0, le=10, description="Main meals that day")
    id: SafeText | None = Field(
        default=None, max_length=128, description="record id, echoed on the lines"
    )


class SimulationRequest(BaseModel):
    """One week of care for one child (csa-rules.md §4-§6)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [EXAMPLE_REQUEST]}
    )
    week_start: SaneDate = Field(description="a Monday")
    category: Category = Field(description="income category code of csa-rules.md §2")
    rank: int = Field(ge=1, le=99, description="rank of the child, eldest first; 4+ share a row")
    child: ChildIn = Field(description="The child: birth date and schooling")
    school_holiday: bool = Field(False, description="the whole week is a school-holiday week")
    public_holidays: list[SaneDate] = Field(
        default_factory=list, max_length=7, description="Public holidays in the week"
    )
    plurilingual_weeks_used: int = Field(0, ge=0, le=53, description="weeks already used this year")
    providers: list[ProviderIn] = Field(
        default_factory=list,
        max_length=20,
        description="The providers of the week with their prices",
    )
    # a week holds 10 080 minutes: more presences than that cannot be distinct
    presences: list[PresenceIn] = Field(
        default_factory=list, max_length=1000, description="The week's presences"
    )
    meals: list[MealIn] = Field(
        default_factory=list, max_length=100, description="The week's main meals"
    )
    parameters_date: SaneDate | None = Field(None, description="parameter set; default week_start")


class HoursOut(BaseModel):
    """Hours of the week per class of §5, decimal hours with two decimals."""

    school_free: str = Field(description="Free school-time care hours (§5 step 1)")
    plurilingual_free: str = Field(description="Plurilingual free hours (§5 step 2)")
    tranche_1: str = Field(description="Hours in tranche 1")
    tranche_2: str = Field(description="Hours in tranche 2")
    tranche_3: str = Field(description="Hours in tranche 3")
    unsupported: str = Field(description="Hours beyond the 60 supported a week: full price")


class LineOut(BaseModel):
    """One invoice line, with the rule that produced it and its rates."""

    provider: str = Field(description="The provider's id")
    kind: str = Field(description="care, supplement, ap_supplement, holiday_cap or meal")
    rule: str = Field(description="The rule that produced the line")
    rule_section: str = Field(description="Where csa-rules.md states the rule")
    quantity: str = Field(description="hours (care lines) or meals (meal lines)")
    unit_price: str = Field(description="The provider's price per hour or meal")
    parent_rate: str = Field(description="The parent's share per unit")
    state_rate: str = Field(description="The state's share per unit")
    parent_amount: str = Field(description="Euros the parent pays")
    state_amount: str = Field(description="Euros the state pays")
    record_ids: list[str] = Field(
        default_factory=list, description="The presence or meal records behind the line"
    )


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
    parent_total: str = Field(description="Euros the parent pays for the week")
    state_total: str = Field(description="Euros the state pays for the week")
    hours: HoursOut = Field(description="The week's hours per class of §5")
    lines: list[LineOut] = Field(description="The invoice lines with the rules that produced them")
    ap_supplement_total: str = Field(description="state money on top of the providers' prices")
    holiday_week: bool = Field(description="The week is a school-holiday week")
    plurilingual_week_counted: bool = Field(
        description="The week counts as one of the 46 plurilingual weeks"
    )
    parameters_from: date = Field(description="First day of the parameter set used")
