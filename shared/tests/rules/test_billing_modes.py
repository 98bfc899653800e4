"""Billing modes: presence, reservation, greater_of per day (seed 004 §4.1).

The one rule both attendance and billing import (csa_shared.rules.billing_modes)."""

from __future__ import annotations

from datetime import date, datetime

from csa_shared.rules.billing_modes import (
    BillingMode,
    Slot,
    Source,
    billable_day,
    billable_days,
    source_for,
)

DAY = date(2025, 3, 18)


def iv(start: str, end: str, day: str = "2025-03-18", end_day: str | None = None) -> Slot:
    return Slot(
        datetime.fromisoformat(f"{day}T{start}"), datetime.fromisoformat(f"{end_day or day}T{end}")
    )


def test_greater_of_presence_8_to_12_reservation_8_to_13_bills_5_h_reserved() -> None:
    result = billable_day(
        DAY,
        mode=BillingMode.GREATER_OF,
        presences=[iv("08:00", "12:00")],
        reservations=[iv("08:00", "13:00")],
    )
    assert result.source is Source.RESERVATION
    assert result.minutes == 300
    assert result.intervals == (iv("08:00", "13:00"),)


def test_greater_of_presence_7_to_13_longer_than_reservation_bills_6_h_presence() -> None:
    result = billable_day(
        DAY,
        mode=BillingMode.GREATER_OF,
        presences=[iv("07:00", "13:00")],
        reservations=[iv("08:00", "13:00")],
    )
    assert (result.source, result.minutes) == (Source.PRESENCE, 360)


def test_greater_of_tie_bills_presence_intervals_not_a_merge() -> None:
    result = billable_day(
        DAY,
        mode=BillingMode.GREATER_OF,
        presences=[iv("07:00", "11:00")],
        reservations=[iv("09:00", "13:00")],
    )
    assert result.source is Source.PRESENCE
    assert result.intervals == (iv("07:00", "11:00"),)
    assert result.minutes == 240


def test_presence_mode_ignores_longer_reservation_bills_4_h() -> None:
    result = billable_day(
        DAY,
        mode=BillingMode.PRESENCE,
        presences=[iv("08:00", "12:00")],
        reservations=[iv("08:00", "13:00")],
    )
    assert (result.source, result.minutes) == (Source.PRESENCE, 240)


def test_reservation_mode_absent_child_still_bills_5_h() -> None:
    result = billable_day(
        DAY, mode=BillingMode.RESERVATION, presences=[], reservations=[iv("08:00", "13:00")]
    )
    assert (result.source, result.minutes, result.presence_minutes) == (
        Source.RESERVATION,
        300,
        0,
    )


def test_greater_of_no_reservation_bills_presence_2_h_30() -> None:
    result = billable_day(
        DAY, mode=BillingMode.GREATER_OF, presences=[iv("16:00", "18:30")], reservations=[]
    )
    assert (result.source, result.minutes) == (Source.PRESENCE, 150)


def test_overlapping_reservations_are_merged_8_to_14_bills_6_h() -> None:
    result = billable_day(
        DAY,
        mode=BillingMode.RESERVATION,
        presences=[],
        reservations=[iv("08:00", "12:00"), iv("11:00", "14:00")],
    )
    assert result.intervals == (iv("08:00", "14:00"),)
    assert result.minutes == 360


def test_greater_of_compares_totals_of_split_presences_7_h_beats_6_h() -> None:
    result = billable_day(
        DAY,
        mode=BillingMode.GREATER_OF,
        presences=[iv("07:00", "08:00"), iv("12:00", "14:00"), iv("15:00", "19:00")],
        reservations=[iv("08:00", "14:00")],
    )
    assert (result.source, result.minutes, result.reservation_minutes) == (
        Source.PRESENCE,
        420,
        360,
    )


def test_presence_across_midnight_22_to_02_bills_2_h_on_each_day() -> None:
    days = billable_days(
        mode=BillingMode.PRESENCE,
        presences=[iv("22:00", "02:00", end_day="2025-03-19")],
        reservations=[],
    )
    assert [(d.day, d.minutes) for d in days] == [
        (date(2025, 3, 18), 120),
        (date(2025, 3, 19), 120),
    ]


def test_greater_of_decided_per_day_reservation_one_day_presence_the_next() -> None:
    days = billable_days(
        mode=BillingMode.GREATER_OF,
        presences=[iv("08:00", "12:00"), iv("08:00", "17:00", day="2025-03-19")],
        reservations=[iv("08:00", "13:00"), iv("08:00", "13:00", day="2025-03-19")],
    )
    assert [(d.source, d.minutes) for d in days] == [
        (Source.RESERVATION, 300),
        (Source.PRESENCE, 540),
    ]


def test_source_for_greater_of_tie_240_240_bills_presence() -> None:
    assert source_for("greater_of", 240, 240) is Source.PRESENCE
    assert source_for("greater_of", 240, 241) is Source.RESERVATION
    assert source_for(BillingMode.RESERVATION, 600, 0) is Source.RESERVATION
