"""The membership contract aggregate (csa-rules.md §8, seed 003).

Lifecycle: ``applied`` (filed by an agent) → ``active`` (signed) → amended versions and
renewals → ``expired`` (validity over without renewal) or ``terminated``. Every operation is
a pure function returning the new contract and the event to publish.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from csa_membership.domain.application import (
    Agent,
    ContractData,
    check_agent,
    check_mandatory_data,
    check_proxy,
)
from csa_membership.domain.assessment import Assessment, assess
from csa_membership.domain.eligibility import (
    EligibilityDecision,
    EligibilityFacts,
    ensure_eligible,
)
from csa_membership.domain.errors import (
    ActiveContractConflict,
    InvalidAmendment,
    InvalidContractTransition,
    InvalidDate,
)
from csa_membership.domain.nin import parse_nin
from csa_membership.domain.validity import Validity, validity_from
from csa_shared.rules.parameters import parameters_in_force
from csa_shared.rules.periods import billing_period_of


class ContractStatus(StrEnum):
    """Where a contract is in its lifecycle."""

    APPLIED = "applied"
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class AmendmentKind(StrEnum):
    """What changed in the situation (§8)."""

    INCOME = "income"
    ADDRESS = "address"
    HOUSEHOLD = "household"
    SCHOOLING = "schooling"
    LANGUAGE = "language"
    RENEWAL = "renewal"


@dataclass(frozen=True)
class ContractVersion:
    """One version of the contract's data, applying from ``effective_from``."""

    number: int
    effective_from: date
    recorded_on: date
    data: ContractData
    assessment: Assessment
    changes: tuple[AmendmentKind, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class Contract:
    """A child's membership contract with its full version and validity history."""

    contract_id: str
    child_id: str
    household_id: str
    status: ContractStatus
    filed_on: date
    filed_by: str
    eligibility: EligibilityDecision
    versions: tuple[ContractVersion, ...]
    terms: tuple[Validity, ...] = ()
    exception_reason: str | None = None
    signed_on: date | None = None
    ended_on: date | None = None
    termination_reason: str | None = None

    @property
    def validity(self) -> Validity | None:
        """The current validity (the last term); None before signature."""
        return self.terms[-1] if self.terms else None

    @property
    def latest_version(self) -> ContractVersion:
        """The version recorded last."""
        return self.versions[-1]

    def version_on(self, day: date) -> ContractVersion | None:
        """The version applying on ``day``: the latest effective one, ties to the newest."""
        applicable = [v for v in self.versions if v.effective_from <= day]
        if not applicable:
            return None
        return max(applicable, key=lambda v: (v.effective_from, v.number))

    def blocks_new_contract(self, on: date) -> bool:
        """True when this contract still counts as the child's one contract on ``on``."""
        if self.status is ContractStatus.APPLIED:
            return True
        validity = self.validity
        return (
            self.status is ContractStatus.ACTIVE
            and validity is not None
            and validity.valid_until >= on
        )


def ensure_no_active_contract(child_id: str, existing: Iterable[Contract], *, on: date) -> None:
    """One contract per child (§8): raise with the id of the blocking contract."""
    for contract in existing:
        if contract.child_id == child_id and contract.blocks_new_contract(on):
            raise ActiveContractConflict(child_id, contract.contract_id)


def _overlaps(a: Validity, b: Validity) -> bool:
    return a.valid_from <= b.valid_until and b.valid_from <= a.valid_until


def ensure_no_other_contract(
    contract: Contract, others: Iterable[Contract], *, term: Validity, on: date
) -> None:
    """One contract per child at renewal (§8): no other contract of the child may still be
    pending or active on ``on``, nor have a validity overlapping the renewed ``term``."""
    for other in others:
        if other.child_id != contract.child_id or other.contract_id == contract.contract_id:
            continue
        if other.blocks_new_contract(on) or any(_overlaps(t, term) for t in other.terms):
            raise ActiveContractConflict(contract.child_id, other.contract_id)


def eligibility_facts(data: ContractData) -> EligibilityFacts:
    """The §8 eligibility facts recorded in a version's data."""
    return EligibilityFacts(
        birth_date=parse_nin(data.child.nin).birth_date,
        schooling=data.schooling,
        resident_in_luxembourg=data.resident,
        parents=data.parents,
        receives_luxembourg_family_allowance=data.receives_luxembourg_family_allowance,
    )


def _ssm(ssm: Decimal | None, day: date) -> Decimal:
    return ssm if ssm is not None else parameters_in_force(day).ssm


def file_application(
    *,
    contract_id: str,
    child_id: str,
    household_id: str,
    data: ContractData,
    agent: Agent,
    filed_on: date,
    existing: Iterable[Contract],
    exception_reason: str | None = None,
    ssm: Decimal | None = None,
) -> Contract:
    """File an application (§8): data, agent, proxy, eligibility and one-per-child checks.

    The cross-border facts (parents, Luxembourg family allowance) are part of ``data``.
    """
    check_mandatory_data(data, today=filed_on)
    check_agent(agent, data)
    check_proxy(data)
    decision = ensure_eligible(eligibility_facts(data), on=filed_on)
    ensure_no_active_contract(child_id, existing, on=filed_on)
    if exception_reason is not None:
        validity_from(filed_on, exception_reason=exception_reason)  # refuses a blank reason
    version = ContractVersion(
        1, filed_on, filed_on, data, assess(data, child_id=child_id, ssm=_ssm(ssm, filed_on))
    )
    return Contract(
        contract_id=contract_id,
        child_id=child_id,
        household_id=household_id,
        status=ContractStatus.APPLIED,
        filed_on=filed_on,
        filed_by=agent.agent_id,
        eligibility=decision,
        versions=(version,),
        exception_reason=exception_reason,
    )


def require_status(contract: Contract, *allowed: ContractStatus, action: str) -> None:
    """Raise ``InvalidContractTransition`` unless the contract is in an allowed status."""
    if contract.status not in allowed:
        raise InvalidContractTransition(
            f"cannot {action} contract {contract.contract_id}: it is {contract.status}",
            code=f"cannot_{action}_{contract.status}",
        )


def default_effective_date(recorded_on: date) -> date:
    """A change applies from the next billing period after it is recorded (§8)."""
    period_end: date = billing_period_of(recorded_on).end
    return period_end + timedelta(days=1)


def sign(contract: Contract, *, signed_on: date, today: date) -> Contract:
    """Signature (§8): validity from the start of the signature's billing period.

    The signature date lies between the filing date and ``today`` (the service's clock).
    """
    require_status(contract, ContractStatus.APPLIED, action="sign")
    if signed_on < contract.filed_on:
        raise InvalidDate(
            f"signature {signed_on.isoformat()} before filing {contract.filed_on.isoformat()}",
            code="signed_before_filed",
        )
    if signed_on > today:
        raise InvalidDate(
            f"signature {signed_on.isoformat()} is in the future (today is {today.isoformat()})",
            code="signed_in_future",
        )
    validity = validity_from(signed_on, exception_reason=contract.exception_reason)
    first = replace(contract.versions[0], effective_from=validity.valid_from)
    return replace(
        contract,
        status=ContractStatus.ACTIVE,
        signed_on=signed_on,
        terms=(validity,),
        versions=(first, *contract.versions[1:]),
    )


def amend(
    contract: Contract,
    *,
    data: ContractData,
    changes: tuple[AmendmentKind, ...],
    recorded_on: date,
    effective_from: date | None = None,
    reason: str | None = None,
    ssm: Decimal | None = None,
) -> Contract:
    """Record a change of situation as a new version (§8).

    Effective from the next billing period unless ``effective_from`` is given, which then
    needs a reason; the date must fall within the current validity.
    """
    require_status(contract, ContractStatus.ACTIVE, action="amend")
    if not changes:
        raise InvalidAmendment("an amendment states what changed", code="no_change_kind")
    default = default_effective_date(recorded_on)
    effective = default if effective_from is None else effective_from
    if effective != default and not (reason or "").strip():
        raise InvalidAmendment(
            "an amendment dated otherwise than the next billing period needs a reason",
            code="date_without_reason",
        )
    validity = contract.validity
    if validity is None or not validity.covers(effective):
        raise InvalidDate(
            f"amendment effective {effective.isoformat()} is outside the contract's validity",
            code="amendment_outside_validity",
        )
    check_mandatory_data(data, today=recorded_on)
    assessment = assess(data, child_id=contract.child_id, ssm=_ssm(ssm, effective))
    version = ContractVersion(
        len(contract.versions) + 1, effective, recorded_on, data, assessment, changes, reason
    )
    return replace(contract, versions=(*contract.versions, version))
