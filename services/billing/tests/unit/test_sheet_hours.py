"""An AP service sheet's hours as times of care, and the night, weekend and public-holiday
supplement paid on them (csa-rules.md §4, §10).

Worked week (week of Monday 2025-03-10): child `ge_4_5`, rank 2, at an AP charging 6.00 €/h
(state cap 5.40); tranche 1 = 3 h, then tranche 2, both at the parent rate 3.20.

* Tuesday 2025-03-11, 8 in-band + 4 out-of-band hours: laid 07:00-15:00 and 19:00-23:00.
  12 h × (state 5.40 − 3.20 = 2.20) = 26.40; parent 12 × 3.20 = 38.40 plus the price above
  the cap 12 × 0.60 = 7.20; the 4 night hours get 4 × 0.50 = 2.00 more from the state.
  **Parent 45.60, state 28.40** (= 12 × 6.00 + 2.00). Laid from 07:00 as before, the 12 h
  were all day hours and the state's 2.00 was lost.
* Saturday 2025-03-15, 5 in-band hours: every hour of a weekend day is supplemented:
  state 5 × 2.20 + 5 × 0.50 = 13.50, parent 5 × 3.80 = 19.00.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from csa_billing.domain.sheet_hours import lay_out_sheet_day
from csa_billing.periods.assemble import bill_period
from csa_billing.periods.inputs import (
    ChildData,
    ContractTerms,
    EducationContract,
    Interval,
    ProviderBook,
    ProviderTerms,
    Sheet,
)
from csa_shared.rules.periods import billing_period

TUESDAY = date(2025, 3, 11)
SATURDAY = date(2025, 3, 15)
MARCH = billing_period(2025, 3)
BOOK = ProviderBook(
    [
        ProviderTerms(
            "ap-1",
            date(2024, 9, 2),
            "assistant_parental",
            "Luxembourg",
            Decimal("6.00"),
            Decimal("4.50"),
            False,
        )
    ]
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


# Laying out a day ----------------------------------------------------------------------


def test_8_in_band_and_4_out_of_band_hours_lie_07_00_to_15_00_and_19_00_to_23_00() -> None:
    assert lay_out_sheet_day(TUESDAY, Decimal(8), Decimal(4)) == [
        (_at(TUESDAY, 7), _at(TUESDAY, 15)),
        (_at(TUESDAY, 19), _at(TUESDAY, 23)),
    ]


def test_out_of_band_hours_beyond_midnight_go_from_00_00_of_the_same_day() -> None:
    """7.5 h outside the band: 19:00-24:00 (5 h), then 00:00-02:30 of the same day."""
    assert lay_out_sheet_day(TUESDAY, Decimal(0), Decimal("7.5")) == [
        (_at(TUESDAY, 0), _at(TUESDAY, 2, 30)),
        (_at(TUESDAY, 19), _at(TUESDAY, 0) + timedelta(days=1)),
    ]


def test_a_whole_day_12_plus_12_hours_covers_00_00_to_24_00_without_overlap() -> None:
    spans = lay_out_sheet_day(TUESDAY, Decimal(12), Decimal(12))
    assert spans == [
        (_at(TUESDAY, 0), _at(TUESDAY, 7)),
        (_at(TUESDAY, 7), _at(TUESDAY, 19)),
        (_at(TUESDAY, 19), _at(TUESDAY, 0) + timedelta(days=1)),
    ]


def test_an_earlier_sheet_day_of_14_day_hours_runs_to_21_00_as_it_did() -> None:
    """Before the band was split, 14 h were laid 07:00-21:00: the same minutes now."""
    assert lay_out_sheet_day(TUESDAY, Decimal(14), Decimal(0)) == [
        (_at(TUESDAY, 7), _at(TUESDAY, 19)),
        (_at(TUESDAY, 19), _at(TUESDAY, 21)),
    ]


def test_no_hours_no_span_and_a_part_of_a_minute_is_dropped() -> None:
    assert lay_out_sheet_day(TUESDAY, Decimal(0), Decimal(0)) == []
    # 0.01 h = 36 s: no whole minute; 1.01 h = 60 min 36 s: 60 minutes
    assert lay_out_sheet_day(TUESDAY, Decimal("0.01"), Decimal("1.01")) == [
        (_at(TUESDAY, 19), _at(TUESDAY, 20))
    ]


HUNDREDTHS = st.integers(min_value=0, max_value=1200).map(lambda n: Decimal(n) / 100)


@given(in_band=HUNDREDTHS, out_of_band=HUNDREDTHS)
def test_the_day_keeps_every_minute_in_its_band_in_order_without_overlap(
    in_band: Decimal, out_of_band: Decimal
) -> None:
    spans = lay_out_sheet_day(TUESDAY, in_band, out_of_band)
    midnight = _at(TUESDAY, 0)

    def minutes(items: list[tuple[datetime, datetime]]) -> int:
        return sum(int((end - start).total_seconds()) // 60 for start, end in items)

    inside = [s for s in spans if _at(TUESDAY, 7) <= s[0] and s[1] <= _at(TUESDAY, 19)]
    assert minutes(inside) == int(in_band * 60)
    assert minutes(spans) == int(in_band * 60) + int(out_of_band * 60)
    assert all(midnight <= start < end <= midnight + timedelta(days=1) for start, end in spans)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


# Billing a sheet -----------------------------------------------------------------------


def child(*days: dict[str, object], presences: list[Interval] | None = None) -> ChildData:
    data = ChildData("child-c")
    data.contracts.append(
        ContractTerms(
            "c",
            1,
            "h",
            "ge_4_5",
            2,
            "none",
            date(2023, 2, 1),
            date(2025, 3, 3),
            date(2026, 2, 1),
            date(2025, 3, 3),
            "fr",
        )
    )
    data.education.append(
        EducationContract("ap-1", date(2025, 1, 6), None, Decimal("6.00"), "presence")
    )
    if days:
        data.sheets.append(Sheet("ap-1:child-c:2025-03", "ap-1", list(days)))
    data.presences += presences or []
    return data


def billed(data: ChildData) -> tuple[Decimal, Decimal, Decimal]:
    """Parent total, state total and the state's AP supplement of the period."""
    bill = bill_period(data, MARCH, BOOK)
    parent, state = bill.totals()
    extra = sum(
        (Decimal(str(x["state_amount"])) for x in bill.lines if x["kind"] == "ap_supplement"),
        Decimal(0),
    )
    return parent, state, extra


def test_sheet_day_8_in_band_4_out_of_band_parent_45_60_state_28_40_with_2_00_night() -> None:
    day = {"day": "2025-03-11", "hours": "8", "lunches": 0, "out_of_band_hours": "4"}
    assert billed(child(day)) == (Decimal("45.60"), Decimal("28.40"), Decimal("2.00"))


def test_sheet_day_bills_as_the_same_hours_declared_as_presences() -> None:
    day = {"day": "2025-03-11", "hours": "8", "lunches": 0, "out_of_band_hours": "4"}
    presences = [
        Interval("p1", "ap-1", _at(TUESDAY, 7), _at(TUESDAY, 15)),
        Interval("p2", "ap-1", _at(TUESDAY, 19), _at(TUESDAY, 23)),
    ]
    assert billed(child(day)) == billed(child(presences=presences))


def test_earlier_sheet_day_without_out_of_band_hours_keeps_its_12_day_hours_state_26_40() -> None:
    day = {"day": "2025-03-11", "hours": "12", "lunches": 0}
    assert billed(child(day)) == (Decimal("45.60"), Decimal("26.40"), Decimal("0.00"))


def test_saturday_sheet_day_of_5_hours_is_supplemented_in_full_state_13_50() -> None:
    day = {"day": SATURDAY.isoformat(), "hours": "5", "lunches": 0, "out_of_band_hours": "0"}
    assert billed(child(day)) == (Decimal("19.00"), Decimal("13.50"), Decimal("2.50"))
