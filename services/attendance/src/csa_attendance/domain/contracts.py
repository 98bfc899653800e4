"""Education contracts: a child at a provider (contrat d'éducation et d'accueil, seed 004 §4).

A contract links one child to one provider over `[start, end]` (inclusive; `end` None = open),
with the contracted hours per week, the hourly price agreed with the parents, and how care is
billed (`BillingMode`, rule in csa_shared.rules.billing_modes). For an SEA conventionné the
price is at most the SEA state cap (§1).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from csa_attendance.domain import checks
from csa_attendance.domain.closing import closed_period_on_or_after
from csa_attendance.domain.errors import AttendanceDomainError, Code, Violation
from csa_attendance.domain.events import EducationContractEnded, EducationContractStarted
from csa_shared.rules.billing_modes import BillingMode
from csa_shared.rules.parameters import ProviderType

HOURS_PER_WEEK_MAX = Decimal(168)


@dataclass(frozen=True, slots=True, kw_only=True)
class EducationContract:
    contract_id: str
    child_id: str
    provider_id: str
    start: date
    end: date | None
    hours_per_week: Decimal
    hourly_price: Decimal
    billing_mode: BillingMode
    version: int = 1

    def covers(self, day: date) -> bool:
        """True when `day` lies within the contract's dates."""
        return self.start <= day and (self.end is None or day <= self.end)


def covered(day: date, contracts: Iterable[EducationContract]) -> bool:
    """True when one of `contracts` is in force on `day`."""
    # A loop, not any(<generator>) (SIM110): this runs for every day of every batch item,
    # and the generator costs more than the check itself.
    for contract in contracts:  # noqa: SIM110
        if contract.covers(day):
            return True
    return False


def validate_contract(
    contract: EducationContract,
    *,
    provider_type: ProviderType,
    sea_cap: Decimal,
    existing: Iterable[EducationContract] = (),
) -> list[Violation]:
    """Check a new contract's fields, and that it does not overlap the child's other contract
    with the same provider (one contract per child and provider at a time)."""
    found = [
        *checks.text(contract.contract_id, "contract_id"),
        *checks.text(contract.child_id, "child_id"),
        *checks.text(contract.provider_id, "provider_id"),
        *checks.money(contract.hourly_price, "hourly_price", positive=True),
    ]
    if contract.end is not None and contract.end < contract.start:
        found.append(
            Violation(Code.END_NOT_AFTER_START, "end", "the contract ends before it starts")
        )
    if not Decimal(0) < contract.hours_per_week <= HOURS_PER_WEEK_MAX:
        found.append(
            Violation(
                Code.INVALID_VALUE, "hours_per_week", "hours_per_week must be in 0 < h <= 168"
            )
        )
    if (
        provider_type is ProviderType.SEA_CONVENTIONNE
        and not checks.money(contract.hourly_price, "hourly_price")
        and contract.hourly_price > sea_cap
    ):
        found.append(
            Violation(
                Code.PRICE_ABOVE_CAP,
                "hourly_price",
                f"an SEA conventionné charges at most {sea_cap} per hour",
            )
        )
    for other in existing:
        if (
            other.child_id == contract.child_id
            and other.provider_id == contract.provider_id
            and other.contract_id != contract.contract_id
            and _dates_overlap(other, contract)
        ):
            found.append(
                Violation(
                    Code.OVERLAP,
                    "start",
                    f"the child already has contract {other.contract_id} with this provider",
                )
            )
    return found


def _dates_overlap(a: EducationContract, b: EducationContract) -> bool:
    a_end, b_end = a.end or date.max, b.end or date.max
    return a.start <= b_end and b.start <= a_end


def start_contract(
    contract: EducationContract,
    *,
    provider_type: ProviderType,
    sea_cap: Decimal,
    existing: Iterable[EducationContract] = (),
    closed_months: Collection[str] = (),
) -> EducationContractStarted:
    """Accept a new education contract (§10) and say so; raises on invalid input."""
    found = validate_contract(
        contract, provider_type=provider_type, sea_cap=sea_cap, existing=existing
    )
    if found:
        raise AttendanceDomainError(found)
    return EducationContractStarted(
        record_id=contract.contract_id,
        provider_id=contract.provider_id,
        child_id=contract.child_id,
        version=contract.version,
        affects_closed_period=closed_period_on_or_after(contract.start, closed_months),
        start=contract.start,
        end=contract.end,
        hours_per_week=contract.hours_per_week,
        hourly_price=contract.hourly_price,
        billing_mode=contract.billing_mode.value,
    )


def end_contract(
    contract: EducationContract, *, end: date, closed_months: Collection[str] = ()
) -> tuple[EducationContract, EducationContractEnded]:
    """Set or move the contract's last day (fiche de sortie); raises if before its start.

    Billing is affected from the day after the earlier of the old and new end.
    """
    if end < contract.start:
        raise AttendanceDomainError(
            [Violation(Code.END_NOT_AFTER_START, "end", "the contract ends before it starts")]
        )
    earliest = min(end, contract.end) if contract.end is not None else end
    first_changed_day = earliest + timedelta(days=1)
    ended = replace(contract, end=end, version=contract.version + 1)
    return ended, EducationContractEnded(
        record_id=contract.contract_id,
        provider_id=contract.provider_id,
        child_id=contract.child_id,
        version=ended.version,
        affects_closed_period=closed_period_on_or_after(first_changed_day, closed_months),
        end=end,
    )
