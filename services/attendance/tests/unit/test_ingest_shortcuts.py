"""The shortcuts of the batch path decide as the plain rules do."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from csa_attendance.domain.contracts import EducationContract, covered
from csa_attendance.domain.errors import RecordRef
from csa_attendance.domain.events import OtherChargeRecorded
from csa_attendance.domain.intervals import MINUTE, Interval
from csa_attendance.domain.ledger import AttendanceState, Ledger
from csa_attendance.domain.records import (
    PresenceDeclaration,
    RecordStatus,
    RecordVersion,
    first_version,
)
from csa_attendance.events import event_data
from csa_shared.rules.billing_modes import BillingMode

times = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 1, 1))


@given(times, times)
def test_minutes_are_the_whole_minutes_of_the_length(start, end):
    assert Interval(start, end).minutes == (end - start) // MINUTE


def _contract(start: date, end: date | None) -> EducationContract:
    return EducationContract(
        contract_id=f"ec-{start}",
        child_id="c1",
        provider_id="sea-a",
        start=start,
        end=end,
        hours_per_week=Decimal(40),
        hourly_price=Decimal("7.50"),
        billing_mode=BillingMode("presence"),
    )


def test_covered_is_a_contract_in_force_that_day():
    """Contracts 2024-09-02..2024-12-20 and from 2025-01-06 (open): the Christmas gap and
    the day before the first are not covered; both ends of a contract are."""
    contracts = [
        _contract(date(2024, 9, 2), date(2024, 12, 20)),
        _contract(date(2025, 1, 6), None),
    ]
    expected = {
        date(2024, 9, 1): False,
        date(2024, 9, 2): True,
        date(2024, 12, 20): True,
        date(2024, 12, 21): False,
        date(2025, 1, 5): False,
        date(2025, 1, 6): True,
        date(2030, 1, 1): True,
    }
    assert {day: covered(day, contracts) for day in expected} == expected
    assert covered(date(2025, 1, 6), []) is False


def _presence(record_id: str, hour: int) -> PresenceDeclaration:
    return PresenceDeclaration(
        provider_id="sea-a",
        record_id=record_id,
        child_id="c1",
        start=datetime(2025, 3, 10, hour),
        end=datetime(2025, 3, 10, hour + 1),
    )


def _version(
    n: int, content: PresenceDeclaration, status: RecordStatus, now: datetime
) -> RecordVersion[PresenceDeclaration]:
    return RecordVersion(version=n, content=content, status=status, recorded_at=now, reason="fix")


def test_ledger_put_keeps_the_order_of_a_child_s_records_and_drops_voided_ones():
    now = datetime(2025, 3, 11)
    a, b = first_version(_presence("a", 8), now=now), first_version(_presence("b", 10), now=now)
    ledger = Ledger(AttendanceState(presences=[a, b]))
    assert ledger.stored(_presence("a", 8), RecordRef("sea-a", "a")) is a
    assert ledger.stored(_presence("x", 8), RecordRef("sea-a", "x")) is None

    corrected = a.appended(_version(2, _presence("a", 12), RecordStatus.ACTIVE, now))
    ledger.put(corrected)  # the key taken from the history
    assert [p.record_id for p in ledger.child_presences("c1")] == ["b", "a"]
    assert ledger.presences[RecordRef("sea-a", "a")] is corrected

    voided = corrected.appended(_version(3, _presence("a", 12), RecordStatus.VOIDED, now))
    ledger.put(voided, RecordRef("sea-a", "a"))
    assert [p.record_id for p in ledger.child_presences("c1")] == ["b"]
    assert ledger.presences[RecordRef("sea-a", "a")] is voided


def test_event_data_still_spells_out_values_that_are_not_plain():
    charge = OtherChargeRecorded(
        record_id="ch-1",
        provider_id="sea-a",
        child_id="c1",
        version=1,
        affects_closed_period=False,
        day=date(2025, 3, 10),
        kind="travel",
        amount=Decimal("12.50"),
        description="taxi",
    )
    data = event_data(charge, entity_id="id-1")
    assert data["amount"] == "12.50" and data["day"] == "2025-03-10"
    assert data["charge_id"] == "id-1" and data["provider_record_id"] == "ch-1"
