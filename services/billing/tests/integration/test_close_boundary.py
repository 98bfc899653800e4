"""Every hour belongs to the week, and so the period, in which it falls (csa-rules.md,
opening section): a presence over the Sunday midnight that ends a billing period is billed
in both periods, each for its own hours, and a correction of it re-bills each part once."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from csa_billing.periods.close import CloseOptions, close_period
from csa_billing.tables import invoice
from csa_shared.events import new_event

from .town import contract, deliver, education_started, presence, provider

pytestmark = pytest.mark.postgres
MARCH, APRIL, MAY = "2025-03", "2025-04", "2025-05"  # 2025-03 ends Sunday 2025-04-06
CLOSABLE = {MARCH: date(2025, 4, 30), APRIL: date(2025, 5, 30), MAY: date(2025, 6, 30)}
SUNDAY, MONDAY = "2025-03-31", "2025-04-07"  # the last week of March, the first of April
OVERNIGHT = "p-overnight"


def _setup() -> list:  # type: ignore[type-arg]
    return [
        provider("ap-1", "assistant_parental", "6.00"),
        contract("child-n", "ge_4_5", 2, "none"),
        # Sunday 20:00 to Monday 07:00: 4 h in March's last week, 7 h in April's first
        presence("child-n", "ap-1", "2025-04-06T20:00", "2025-04-07T07:00", presence_id=OVERNIGHT),
    ]


def _corrected(start: str, end: str):  # type: ignore[no-untyped-def]
    """The overnight presence's correction (version 2) to ``start``-``end``."""
    return presence(
        "child-n",
        "ap-1",
        start,
        end,
        presence_id=OVERNIGHT,
        version=2,
        corrected=True,
        previous=("2025-04-06T20:00", "2025-04-07T07:00"),
    )


async def _close(billing, month: str) -> None:  # type: ignore[no-untyped-def]
    await close_period(billing, month, CloseOptions(today=CLOSABLE[month]))


def _reservation(start: str, end: str, version: int = 1):  # type: ignore[no-untyped-def]
    return new_event(
        "lu.csa.attendance.reservation.recorded.v1",
        source="/csa/attendance",
        subject="child-n",
        data={
            "reservation_id": OVERNIGHT,
            "provider_record_id": f"r{version}",
            "record_id": f"r{version}",
            "provider_id": "ap-1",
            "version": version,
            "affects_closed_period": version > 1,
            "child_id": "child-n",
            "start": start,
            "end": end,
            "minutes": 660,
        },
    )


async def _care_hours(billing) -> dict[tuple[str, str, str], Decimal]:  # type: ignore[no-untyped-def]
    """Hours of the overnight record per (invoice month, corrected month, week), summed
    over its care lines (credits negative): where each of its hours was billed."""
    async with billing.sessions() as session:
        rows = (
            await session.execute(
                select(invoice.c.month, invoice.c.corrects_month, invoice.c.lines).where(
                    invoice.c.child_id == "child-n"
                )
            )
        ).all()
    hours: dict[tuple[str, str, str], Decimal] = {}
    for month, corrects, lines in rows:
        for line in json.loads(lines):
            if line["kind"] == "care" and OVERNIGHT in line["record_ids"]:
                key = (month, corrects, line["week"])
                hours[key] = hours.get(key, Decimal(0)) + Decimal(line["quantity"])
    return hours


async def test_monday_hours_of_an_overnight_presence_at_a_periods_end_are_billed_next_period_once(
    billing,
) -> None:
    """Sunday 2025-04-06 20:00 to Monday 07:00: March bills the 4 Sunday hours in its last
    week, April the 7 Monday hours in its first week; closing both again changes nothing."""
    await deliver(billing, _setup())
    await _close(billing, MARCH)
    await _close(billing, APRIL)
    expected = {
        (MARCH, MARCH, SUNDAY): Decimal("4.00"),
        (APRIL, APRIL, MONDAY): Decimal("7.00"),
    }
    assert await _care_hours(billing) == expected
    await _close(billing, MARCH)
    await _close(billing, APRIL)
    assert await _care_hours(billing) == expected


async def test_correcting_a_presence_over_a_closed_periods_end_rebills_only_the_closed_part(
    billing,
) -> None:
    """March closed with 4 Sunday hours; the presence is corrected to Sunday 18:00 - Monday
    09:00 before April's close: April's adjustment credits March's 4 h and debits 6 h, April
    bills the 9 Monday hours once (6 + 9 = the 15 hours of the corrected presence)."""
    await deliver(billing, _setup())
    await _close(billing, MARCH)
    await deliver(billing, [_corrected("2025-04-06T18:00", "2025-04-07T09:00")])
    await _close(billing, APRIL)
    assert await _care_hours(billing) == {
        (MARCH, MARCH, SUNDAY): Decimal("4.00"),
        (APRIL, MARCH, SUNDAY): Decimal("2.00"),  # credit 4.00, debit 6.00
        (APRIL, APRIL, MONDAY): Decimal("9.00"),
    }


async def test_a_correction_after_both_periods_closed_rebills_each_part_in_the_next_open_period(
    billing,
) -> None:
    """Both periods closed, then the presence is shortened to Sunday 22:00 - Monday 05:00:
    May's close adjusts March (4 h -> 2 h) and April (7 h -> 5 h), nothing else."""
    await deliver(billing, _setup())
    await _close(billing, MARCH)
    await _close(billing, APRIL)
    await deliver(billing, [_corrected("2025-04-06T22:00", "2025-04-07T05:00")])
    await _close(billing, MAY)
    assert await _care_hours(billing) == {
        (MARCH, MARCH, SUNDAY): Decimal("4.00"),
        (APRIL, APRIL, MONDAY): Decimal("7.00"),
        (MAY, MARCH, SUNDAY): Decimal("-2.00"),
        (MAY, APRIL, MONDAY): Decimal("-2.00"),
    }


async def test_an_overnight_reservation_at_a_periods_end_is_billed_and_rebilled_per_part(
    billing,
) -> None:
    """Billing mode ``reservation``: the reservation Sunday 20:00 - Monday 07:00 bills 4 h in
    March and 7 h in April; moved to Sunday 21:00 - Monday 08:00 after both closes, May
    adjusts March (4 h -> 3 h) and April (7 h -> 8 h), each once."""
    await deliver(
        billing,
        [
            provider("ap-1", "assistant_parental", "6.00"),
            contract("child-n", "ge_4_5", 2, "none"),
            education_started("child-n", "ap-1", start="2025-03-03", mode="reservation"),
            _reservation("2025-04-06T20:00", "2025-04-07T07:00"),
        ],
    )
    await _close(billing, MARCH)
    await _close(billing, APRIL)
    await deliver(billing, [_reservation("2025-04-06T21:00", "2025-04-07T08:00", version=2)])
    await _close(billing, MAY)
    assert await _care_hours(billing) == {
        (MARCH, MARCH, SUNDAY): Decimal("4.00"),
        (APRIL, APRIL, MONDAY): Decimal("7.00"),
        (MAY, MARCH, SUNDAY): Decimal("-1.00"),
        (MAY, APRIL, MONDAY): Decimal("1.00"),
    }
