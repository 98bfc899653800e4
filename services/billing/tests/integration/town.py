"""A small town's month as the producers' events (built with new_event, schema-checked)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from csa_shared.bus import Message
from csa_shared.events import TOPICS, Envelope, new_event
from csa_shared.runtime import ServiceRuntime

ADDRESS = {
    "line": "1, rue de la Gare",
    "postcode": "L-1611",
    "locality": "Luxembourg",
    "country": "LU",
    "commune": "Luxembourg",
}


def contract(
    child: str,
    category: str,
    rank: int,
    schooling: str,
    *,
    version: int = 1,
    kind: str = "signed",
    effective: str = "2025-03-03",
    **extra: Any,
) -> Envelope:
    data = {
        "contract_id": f"c-{child}",
        "child_id": child,
        "household_id": f"h-{child}",
        "version": version,
        "category": category,
        "rank": rank,
        "state_pays_all": False,
        "schooling": schooling,
        "birth_date": "2023-02-01",
        "valid_from": "2025-03-03",
        "valid_until": "2026-02-01",
        "effective_from": effective,
        "language": "fr",
        "billing_address": ADDRESS,
        **extra,
    }
    if kind == "amended":
        data.setdefault("changes", ["income"])  # a category follows from the income
        data.setdefault("reason", None)
    return new_event(
        f"lu.csa.membership.contract.{kind}.v1", source="/csa/membership", subject=child, data=data
    )


def provider(
    pid: str,
    ptype: str,
    price: str,
    *,
    plurilingual: bool = False,
    changed: bool = False,
    effective: str = "2024-09-02",
    commune: str = "Luxembourg",
    version: int = 1,
    **extra: Any,
) -> Envelope:
    kind = "changed" if changed else "registered"
    return new_event(
        f"lu.csa.attendance.provider.{kind}.v1",
        source="/csa/attendance",
        subject=pid,
        data={
            "record_id": pid,
            "provider_id": pid,
            "version": version,
            "affects_closed_period": changed,
            "provider_type": ptype,
            "effective_from": effective,
            "name": f"Provider {pid}",
            "commune": commune,
            "hourly_price": price,
            "meal_price": "4.50",
            "plurilingual": plurilingual,
            "agency_id": None,
            **extra,
        },
    )


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def presence(
    child: str,
    pid: str,
    start: str,
    end: str,
    *,
    presence_id: str | None = None,
    version: int = 1,
    corrected: bool = False,
    previous: tuple[str, str] | None = None,
) -> Envelope:
    data: dict[str, Any] = {
        "presence_id": presence_id or str(uuid.uuid4()),
        "provider_record_id": uuid.uuid4().hex,
        "record_id": uuid.uuid4().hex,
        "provider_id": pid,
        "version": version,
        "affects_closed_period": False,
        "child_id": child,
        "start": start,
        "end": end,
    }
    kind = "recorded"
    if corrected:
        kind = "corrected"
        data.update(
            minutes=int((_dt(end) - _dt(start)).total_seconds()) // 60,
            previous_start=(previous or (start, end))[0],
            previous_end=(previous or (start, end))[1],
            reason="late correction",
            affects_closed_period=True,
        )
    return new_event(
        f"lu.csa.attendance.presence.{kind}.v1", source="/csa/attendance", subject=child, data=data
    )


def meal(child: str, pid: str, day: str, count: int = 1) -> Envelope:
    return new_event(
        "lu.csa.attendance.meal.recorded.v1",
        source="/csa/attendance",
        subject=child,
        data={
            "meal_id": str(uuid.uuid4()),
            "provider_record_id": uuid.uuid4().hex,
            "record_id": uuid.uuid4().hex,
            "provider_id": pid,
            "version": 1,
            "affects_closed_period": False,
            "child_id": child,
            "day": day,
            "count": count,
        },
    )


def meal_corrected(
    earlier: Envelope, version: int, *, day: str | None = None, count: int = 1, voided: bool = False
) -> Envelope:
    """A correction of the meal ``earlier`` recorded (moved to ``day``, or voided)."""
    data = earlier.data
    return new_event(
        "lu.csa.attendance.meal.corrected.v1",
        source="/csa/attendance",
        subject=data["child_id"],
        data={
            **{k: data[k] for k in ("meal_id", "provider_id", "child_id", "record_id")},
            "provider_record_id": uuid.uuid4().hex,
            "version": version,
            "affects_closed_period": True,
            "day": day or data["day"],
            "count": count,
            "previous_day": data["day"],
            "previous_count": data["count"],
            "voided": voided,
            "reason": "late correction",
        },
    )


def education_started(
    child: str,
    pid: str,
    *,
    start: str,
    end: str | None = None,
    price: str = "6.00",
    mode: str = "presence",
    version: int = 1,
) -> Envelope:
    return new_event(
        "lu.csa.attendance.educationcontract.started.v1",
        source="/csa/attendance",
        subject=child,
        data={
            "contract_id": f"e-{child}-{pid}",
            "record_id": f"e-{child}-{pid}",
            "provider_id": pid,
            "version": version,
            "affects_closed_period": True,
            "child_id": child,
            "start": start,
            "end": end,
            "hours_per_week": "20",
            "hourly_price": price,
            "billing_mode": mode,
        },
    )


def education_ended(child: str, pid: str, *, end: str, version: int) -> Envelope:
    return new_event(
        "lu.csa.attendance.educationcontract.ended.v1",
        source="/csa/attendance",
        subject=child,
        data={
            "contract_id": f"e-{child}-{pid}",
            "record_id": f"e-{child}-{pid}",
            "provider_id": pid,
            "version": version,
            "affects_closed_period": True,
            "child_id": child,
            "end": end,
        },
    )


def town() -> list[Envelope]:
    """csa-rules.md appendix weeks (week of 2025-03-10) plus a child without a contract and
    a child with a contract and no attendance."""
    events = [
        provider("sea-pluri", "sea_conventionne", "6.00", plurilingual=True),
        provider("sea-mr", "sea_conventionne", "6.00"),
        provider("ap-1", "assistant_parental", "6.00"),
        contract("child-a", "lt_3", 2, "none"),
        contract("child-b", "lt_2", 1, "fundamental"),
        contract("child-c", "ge_4_5", 2, "none"),
        contract("child-e", "lt_2", 1, "none"),
    ]
    for day in ("10", "11", "12", "13"):
        events.append(
            presence("child-a", "sea-pluri", f"2025-03-{day}T08:00", f"2025-03-{day}T17:00")
        )
        events.append(meal("child-a", "sea-pluri", f"2025-03-{day}"))
    for day in ("10", "11", "12", "13", "14"):
        for start, end in (("07:00", "08:00"), ("12:00", "14:00"), ("16:00", "18:30")):
            events.append(
                presence("child-b", "sea-mr", f"2025-03-{day}T{start}", f"2025-03-{day}T{end}")
            )
        events.append(meal("child-b", "sea-mr", f"2025-03-{day}"))
    events.append(presence("child-b", "sea-mr", "2025-03-15T09:00", "2025-03-15T12:00"))
    events.append(presence("child-c", "ap-1", "2025-03-11T19:00", "2025-03-11T23:00"))
    events.append(presence("child-d", "sea-mr", "2025-03-11T08:00", "2025-03-11T12:00"))
    events.append(meal("child-d", "sea-mr", "2025-03-11"))
    return events


AP_PRESENCE = "f-ap-wednesday"


def two_providers() -> list[Envelope]:
    """child-f (lt_2, rank 1, young): Monday 4 h at sea-mr (6.00/h) with a meal, Wednesday
    4 h at ap-1 (6.00/h, state cap 5.40 from 2025-01-06). All 8 h are tranche-1 hours,
    free for lt_2: sea-mr: care 0.00 / 24.00, meal 1.00 / 3.50 → 1.00 / 27.50; ap-1:
    care 0.00 / 21.60 (5.40 × 4), supplement 2.40 / 0.00 (0.60 × 4) → 2.40 / 21.60."""
    return [
        contract("child-f", "lt_2", 1, "none"),
        presence("child-f", "sea-mr", "2025-03-10T08:00", "2025-03-10T12:00"),
        meal("child-f", "sea-mr", "2025-03-10"),
        presence(
            "child-f", "ap-1", "2025-03-12T08:00", "2025-03-12T12:00", presence_id=AP_PRESENCE
        ),
    ]


async def deliver(runtime: ServiceRuntime, events: list[Envelope]) -> None:
    """Hand events to billing's consumers as the bus would (inbox-guarded)."""
    consumers = {c.name: c for c in runtime.consumers}
    for event in events:
        service = event.type.split(".")[2]
        consumer = consumers[f"billing.{service}"]
        await consumer(Message(TOPICS[service], event.key, event.to_json()))
