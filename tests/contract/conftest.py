"""Real events of each producer, built by the producer's own code.

One builder per event type returns CloudEvents exactly as the producer stages them in its
outbox: attendance's domain events through its adapter ``csa_attendance.events``;
membership's through its domain lifecycle (file, sign, amend, renew, expire, terminate)
and its adapter ``csa_membership.events``; billing's period close through
``csa_billing.events`` on a closed period row. ``new_event`` validated each against
its schema on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from csa_shared.events import Envelope

ATTENDANCE = "/csa/attendance"
MEMBERSHIP = "/csa/membership"
MONDAY = datetime(2025, 3, 3, 8, 0)
EVENING = datetime(2025, 3, 3, 17, 0)


@cache
def _attendance_events() -> list[Envelope]:
    from csa_attendance import events
    from csa_attendance.domain import events as de
    from csa_shared.rules.parameters import ProviderType

    child: dict[str, Any] = {
        "record_id": "rec-1",
        "provider_id": "sea-001",
        "child_id": "child-42",
        "version": 2,
        "affects_closed_period": False,
    }
    provider: dict[str, Any] = {
        "record_id": "sea-001",
        "provider_id": "sea-001",
        "version": 1,
        "affects_closed_period": False,
        "provider_type": ProviderType.SEA_CONVENTIONNE,
        "effective_from": date(2025, 1, 1),
        "name": "Crèche Les Lutins",
        "commune": "Esch-sur-Alzette",
        "hourly_price": Decimal("6.00"),
        "meal_price": Decimal("4.50"),
        "plurilingual": True,
        "agency_id": None,
    }
    times: dict[str, Any] = {"start": MONDAY, "end": EVENING, "minutes": 540}
    before: dict[str, Any] = {"previous_start": MONDAY, "previous_end": EVENING}
    day = date(2025, 3, 3)
    sheet_day = de.ServiceSheetDay(
        day=day, hours=Decimal("9.00"), lunches=1, out_of_band_hours=Decimal("2.00")
    )
    domain_events: list[Any] = [
        de.PresenceRecorded(**child, **times),
        de.PresenceCorrected(**child, **times, **before, reason="clock error"),
        de.PresenceVoided(**child, **before, reason="child absent"),
        de.MealRecorded(**child, day=day, count=1),
        de.MealCorrected(
            **child, day=day, count=0, previous_day=day, previous_count=1, voided=True, reason="x"
        ),
        de.ReservationRecorded(**child, **times),
        de.ServiceSheetSubmitted(
            **child,
            month="2025-03",
            days=(sheet_day,),
            total_hours=Decimal("11.00"),
            total_lunches=1,
            submitted_by="ap-7",
        ),
        de.ProviderRegistered(**provider),
        de.ProviderChanged(**provider),
        de.EducationContractStarted(
            **child,
            start=day,
            end=None,
            hours_per_week=Decimal("40"),
            hourly_price=Decimal("6.00"),
            billing_mode="presence",
        ),
        de.EducationContractEnded(**child, end=date(2025, 6, 30)),
        de.OtherChargeRecorded(
            **child, day=day, kind="excursion", amount=Decimal("12.50"), description="zoo"
        ),
    ]
    return [events.to_envelope(e, source=ATTENDANCE, entity_id="id-1") for e in domain_events]


def _contract_data() -> Any:
    from csa_membership.domain import application as app
    from csa_membership.domain.child import Schooling
    from csa_membership.domain.household import (
        Household,
        IncomeItem,
        IncomeKind,
        Member,
        Role,
        Situation,
    )
    from csa_membership.domain.nin import make_nin
    from csa_membership.domain.rank import HouseholdChild

    birth = date(2022, 5, 10)
    home = app.Address("12, rue de la Gare", "L-4001", "Esch-sur-Alzette", "LU", "Esch-sur-Alzette")
    income = IncomeItem(IncomeKind.TAXABLE, Decimal("5200.00"))
    return app.ContractData(
        child=app.Person("Mia", "Muller", make_nin(birth, 42).value),
        child_address=home,
        representative=app.Person("Anna", "Muller", make_nin(date(1988, 11, 3), 7).value),
        applicant=app.Applicant("Anna Muller", home, is_legal_representative=True),
        billing_address=home,
        language=app.Language.FR,
        schooling=Schooling.NONE,
        resident=True,
        household=Household(
            Situation.LIVING_TOGETHER, (Member(Role.REPRESENTATIVE, "Anna", (income,)),)
        ),
        household_children=(HouseholdChild("child-1", birth),),
        children_with_allowance=1,
    )


@cache
def _membership_events() -> list[Envelope]:
    """One contract's life through membership's domain, each step's event as sent."""
    from csa_membership.domain import lifecycle
    from csa_membership.domain.application import Agent, AgentKind, Language
    from csa_membership.domain.contract import AmendmentKind, amend, file_application, sign
    from csa_membership.events import to_envelope

    filed = date(2025, 3, 20)
    signed = sign(
        file_application(
            contract_id="c-1",
            child_id="child-1",
            household_id="hh-1",
            data=_contract_data(),
            agent=Agent("agent-esch-1", AgentKind.COMMUNE, "Esch-sur-Alzette"),
            filed_on=filed,
            existing=(),
            ssm=Decimal("2570.93"),
        ),
        signed_on=filed,
        today=filed,
    )
    steps: list[tuple[Any, Any]] = [(e, signed) for e in lifecycle.signed_events(signed)]
    amended = amend(
        signed,
        data=replace(_contract_data(), language=Language.DE),
        changes=(AmendmentKind.LANGUAGE,),
        recorded_on=date(2025, 4, 15),
    )
    steps.append((lifecycle.amended_event(amended), amended))
    validity_end = signed.validity.valid_until
    expired, expiry = lifecycle.expire(signed, as_of=validity_end + timedelta(days=1))
    steps.append((expiry, expired))
    renewed, renewal = lifecycle.renew(expired, contract_id="c-1", filed_on=validity_end)
    steps.append((renewal, renewed))
    ended, termination = lifecycle.terminate(
        signed, last_day=date(2025, 6, 1), reason="moved abroad"
    )
    steps.append((termination, ended))
    return [to_envelope(event, contract, source=MEMBERSHIP) for event, contract in steps]


@cache
def _billing_events() -> list[Envelope]:
    """The events billing stages when it closes a period, from a closed period row's and
    an invoice row's fields."""
    from types import SimpleNamespace

    from csa_billing import events
    from csa_billing.periods.close import period_of

    period = period_of("2025-03")
    closed = SimpleNamespace(
        month=period.month,
        start=period.start,
        end=period.end,
        parent_total=Decimal("1234.50"),
        state_total=Decimal("4321.00"),
        closed_at=datetime(2025, 4, 16, 6, 0, tzinfo=UTC),
    )
    invoice = SimpleNamespace(
        id="inv-1",
        series="P",
        seq=7,
        month="2025-03",
        corrects_month="2025-03",
        child_id="child-1",
        household_id="hh-1",
        original_invoice_id=None,
        parent_total=Decimal("123.45"),
        state_total=Decimal("300.00"),
        provider_id="prov-1",
    )
    return [
        events.period_closed(closed, invoices=12, children=12),
        events.invoice_issued(invoice, providers=["prov-1"]),
        events.statement_issued(
            {
                "id": "st-1",
                "number": "S-2025-03-0001",
                "month": "2025-03",
                "provider_id": "prov-1",
                "commune": "Luxembourg",
                "children": 12,
                "state_total": Decimal("4321.00"),
            }
        ),
    ]


def _of(build: Callable[[], list[Envelope]], event_type: str) -> Callable[[], list[Envelope]]:
    return lambda: [e for e in build() if e.type == event_type]


SAMPLES: dict[str, Callable[[], list[Envelope]]] = {
    f"lu.csa.attendance.{name}.v1": _of(_attendance_events, f"lu.csa.attendance.{name}.v1")
    for name in (
        "presence.recorded",
        "presence.corrected",
        "presence.voided",
        "meal.recorded",
        "meal.corrected",
        "reservation.recorded",
        "servicesheet.submitted",
        "provider.registered",
        "provider.changed",
        "educationcontract.started",
        "educationcontract.ended",
        "othercharge.recorded",
    )
} | {
    f"lu.csa.membership.{name}.v1": _of(_membership_events, f"lu.csa.membership.{name}.v1")
    for name in (
        "child.registered",
        "contract.signed",
        "contract.amended",
        "contract.expired",
        "contract.renewed",
        "contract.terminated",
    )
}
PERIOD_CLOSED = "lu.csa.billing.period.closed.v1"
SAMPLES[PERIOD_CLOSED] = _of(_billing_events, PERIOD_CLOSED)
INVOICE_ISSUED = "lu.csa.billing.invoice.issued.v1"
SAMPLES[INVOICE_ISSUED] = _of(_billing_events, INVOICE_ISSUED)
STATEMENT_ISSUED = "lu.csa.billing.statement.issued.v1"
SAMPLES[STATEMENT_ISSUED] = _of(_billing_events, STATEMENT_ISSUED)


def _erasure_events() -> list[Envelope]:
    """The event membership's privacy module stages when it erases a child."""
    from csa_membership.events import erased_event

    erased_at = datetime(2025, 5, 2, 9, 30, tzinfo=UTC)
    return [
        erased_event(
            child_id="child-1", household_id="hh-1", erased_at=erased_at, source=MEMBERSHIP
        )
    ]


SAMPLES["lu.csa.membership.child.erased.v1"] = _erasure_events


@pytest.fixture(scope="session")
def producer_samples() -> dict[str, Callable[[], list[Envelope]]]:
    return SAMPLES
