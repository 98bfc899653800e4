"""Billing modes in the close (seed 004 §4.1): the education contract's mode picks, per
calendar day, what is billed; the rule is the shared one (csa_shared.rules.billing_modes).

The week of Monday 2025-03-10 at one SEA at 6.00 EUR/h, for a child without a CSA contract
(so every billed hour is charged in full to the parent and the amounts read directly):

* Monday:  presence 08:00-12:00 (4 h), reservation 08:00-13:00 (5 h)
* Tuesday: presence 08:00-17:00 (9 h), reservation 08:00-13:00 (5 h)

presence 13 h = 78.00; reservation 10 h = 60.00; greater of, per day, 5 h + 9 h = 14 h = 84.00
(comparing the week's totals instead would bill 13 h = 78.00).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from csa_billing.periods.assemble import bill_period
from csa_billing.periods.inputs import (
    ChildData,
    ContractTerms,
    EducationContract,
    Interval,
    ProviderBook,
    ProviderTerms,
)
from csa_shared.rules.periods import billing_period

MARCH = billing_period(2025, 3)
BOOK = ProviderBook(
    [
        ProviderTerms(
            "sea",
            date(2024, 9, 2),
            "sea_conventionne",
            "Luxembourg",
            Decimal("6.00"),
            Decimal("4.50"),
            False,
        )
    ]
)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(f"2025-03-{text}")


def child(mode: str, *, contract: bool = False) -> ChildData:
    data = ChildData("child")
    data.education.append(EducationContract("sea", date(2025, 3, 1), None, Decimal("6.00"), mode))
    data.presences += [
        Interval("p-mon", "sea", _at("10T08:00"), _at("10T12:00")),
        Interval("p-tue", "sea", _at("11T08:00"), _at("11T17:00")),
    ]
    data.reservations += [
        Interval("r-mon", "sea", _at("10T08:00"), _at("10T13:00")),
        Interval("r-tue", "sea", _at("11T08:00"), _at("11T13:00")),
    ]
    if contract:
        data.contracts.append(
            ContractTerms(
                "c",
                1,
                "h",
                "lt_3",
                1,
                "none",
                date(2023, 2, 1),
                date(2025, 3, 3),
                date(2026, 2, 1),
                date(2025, 3, 3),
                "fr",
            )
        )
    return data


def care(data: ChildData) -> tuple[Decimal, Decimal, set[str]]:
    lines = [x for x in bill_period(data, MARCH, BOOK).lines if x["kind"] == "care"]
    hours = sum((Decimal(str(x["quantity"])) for x in lines), Decimal(0))
    parent = sum((Decimal(str(x["parent_amount"])) for x in lines), Decimal(0))
    ids = {str(i) for x in lines for i in x["record_ids"]}  # type: ignore[attr-defined]
    return hours, parent, ids


def test_presence_mode_bills_13_h_presence_78_00() -> None:
    assert care(child("presence")) == (Decimal(13), Decimal("78.00"), {"p-mon", "p-tue"})


def test_reservation_mode_bills_10_h_reserved_60_00() -> None:
    assert care(child("reservation")) == (Decimal(10), Decimal("60.00"), {"r-mon", "r-tue"})


def test_greater_of_per_day_monday_5_h_reserved_tuesday_9_h_present_14_h_84_00() -> None:
    """Per day: Monday 5 h reserved > 4 h present, Tuesday 9 h present > 5 h reserved.
    The week's totals (13 h present vs 10 h reserved) would have billed 13 h = 78.00."""
    assert care(child("greater_of")) == (Decimal(14), Decimal("84.00"), {"r-mon", "p-tue"})


@pytest.mark.parametrize(
    ("mode", "hours"), [("presence", 13), ("reservation", 10), ("greater_of", 14)]
)
def test_with_a_contract_the_engine_bills_the_same_hours_13_10_14(mode: str, hours: int) -> None:
    assert care(child(mode, contract=True))[0] == Decimal(hours)
