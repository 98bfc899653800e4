"""Charges outside the CSA: travel, registration fees, deposits, notice periods (seed 004 §4.2).

"L'État ne participe pas au financement de cautions, de droits d'inscription ou du délai de
préavis"; a manager may also bill extra costs such as travel. Such a charge is billed to the
parent in full and is never state-supported (`state_supported` is always False).
The child must be (or have been) under an education contract with the provider: a notice
period may be charged after the contract ended. The charge's day must not be after `now`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from csa_attendance.domain import checks
from csa_attendance.domain.closing import touches_closed_period
from csa_attendance.domain.contracts import EducationContract
from csa_attendance.domain.errors import AttendanceDomainError, Code, Violation
from csa_attendance.domain.events import OtherChargeRecorded
from csa_attendance.domain.records import Ingest


class ChargeKind(StrEnum):
    TRAVEL = "travel"
    REGISTRATION_FEE = "registration_fee"
    DEPOSIT = "deposit"
    NOTICE_PERIOD = "notice_period"
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class OtherCharge:
    provider_id: str
    record_id: str
    child_id: str
    day: date
    kind: ChargeKind
    amount: Decimal
    description: str = ""

    @property
    def state_supported(self) -> bool:
        """Never: the parent pays the full amount."""
        return False


def validate_other_charge(
    charge: OtherCharge, *, contracts: Iterable[EducationContract], now: datetime
) -> list[Violation]:
    """All reasons to refuse a charge outside the CSA."""
    found = checks.money(charge.amount, "amount", positive=True) + checks.day(charge.day, "day")
    if charge.kind is ChargeKind.OTHER:
        found += checks.text(charge.description, "description")
    if charge.day > now.date():
        found.append(Violation(Code.IN_FUTURE, "day", "a charge is recorded once due"))
    if not any(
        c.child_id == charge.child_id and c.provider_id == charge.provider_id for c in contracts
    ):
        found.append(Violation(Code.UNKNOWN_CHILD, "child_id", "no such child under contract"))
    return found


def record_other_charge(
    charge: OtherCharge,
    *,
    contracts: Iterable[EducationContract],
    now: datetime,
    closed_months: Collection[str] = (),
) -> OtherChargeRecorded:
    """Accept a charge outside the CSA; raises with every reason if refused.

    Decide repeats first with `charge_ingest_decision`.
    """
    found = validate_other_charge(charge, contracts=contracts, now=now)
    if found:
        raise AttendanceDomainError(found)
    return OtherChargeRecorded(
        record_id=charge.record_id,
        provider_id=charge.provider_id,
        child_id=charge.child_id,
        version=1,
        affects_closed_period=touches_closed_period([charge.day], closed_months),
        day=charge.day,
        kind=charge.kind.value,
        amount=charge.amount,
        description=charge.description,
        state_supported=charge.state_supported,
    )


def charge_ingest_decision(existing: OtherCharge | None, incoming: OtherCharge) -> Ingest:
    """Idempotency by (provider, record id): new, identical repeat, or conflicting repeat."""
    if existing is None:
        return Ingest.NEW
    return Ingest.DUPLICATE if existing == incoming else Ingest.CONFLICT
