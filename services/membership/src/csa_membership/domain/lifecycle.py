"""Renewal, expiry, termination and the events of each step (csa-rules.md §8)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from csa_membership.domain.application import ContractData, check_mandatory_data
from csa_membership.domain.assessment import assess
from csa_membership.domain.contract import (
    AmendmentKind,
    Contract,
    ContractStatus,
    ContractVersion,
    _ssm,
    eligibility_facts,
    ensure_no_other_contract,
    require_status,
)
from csa_membership.domain.eligibility import ensure_eligible
from csa_membership.domain.errors import ContractNotFound, InvalidDate
from csa_membership.domain.events import (
    ChildRegistered,
    ContractAmended,
    ContractExpired,
    ContractRenewed,
    ContractSigned,
    ContractState,
    ContractTerminated,
)
from csa_membership.domain.nin import parse_nin
from csa_membership.domain.validity import RenewalTerms, renewal_validity


def contract_state(contract: Contract, version: ContractVersion, effective: date) -> ContractState:
    """The billing-facing state of ``contract`` under ``version`` from ``effective``."""
    validity = contract.validity
    if validity is None:
        raise InvalidDate(f"contract {contract.contract_id} is not signed", code="not_signed")
    return ContractState(
        child_id=contract.child_id,
        contract_id=contract.contract_id,
        household_id=contract.household_id,
        version=version.number,
        effective_date=effective,
        category=version.assessment.category,
        rank=version.assessment.rank,
        state_pays_all=version.assessment.state_pays_all,
        schooling=version.data.schooling,
        valid_from=validity.valid_from,
        valid_until=validity.valid_until,
        language=version.data.language,
        billing_address=version.data.billing_address,
    )


def signed_events(contract: Contract) -> tuple[ContractSigned, ChildRegistered]:
    """Events of a signature: billing's ContractSigned and identity's ChildRegistered."""
    require_status(contract, ContractStatus.ACTIVE, action="announce")
    version = contract.versions[0]
    data = version.data
    registered = ChildRegistered(
        child_id=contract.child_id,
        first_name=data.child.first_name,
        last_name=data.child.last_name,
        birth_date=parse_nin(data.child.nin).birth_date,
        language=data.language,
        billing_address=data.billing_address,
        home_address=data.child_address,
        representative_first_name=data.representative.first_name,
        representative_last_name=data.representative.last_name,
        representative_address=data.applicant.address
        if data.applicant.is_legal_representative
        else data.child_address,
    )
    signed = ContractSigned(contract_state(contract, version, version.effective_from))
    return signed, registered


def amended_event(contract: Contract) -> ContractAmended:
    """Event of the last recorded amendment."""
    version = contract.latest_version
    return ContractAmended(
        contract_state(contract, version, version.effective_from),
        tuple(kind.value for kind in version.changes),
        version.reason,
    )


def renew(
    contract: Contract | None,
    *,
    contract_id: str,
    filed_on: date,
    data: ContractData | None = None,
    exception_reason: str | None = None,
    ssm: Decimal | None = None,
    others: Iterable[Contract] = (),
) -> tuple[Contract, ContractRenewed]:
    """Renew a contract (§8): continues without a gap; a late renewal re-bills ≤ 3 periods.

    An unknown contract is ``ContractNotFound``; a terminated (or unsigned) one cannot be
    renewed. ``others`` are the child's other contracts: one still pending or active, or one
    whose validity overlaps the renewed term, is an ``ActiveContractConflict``. The child must
    still be eligible (``NotEligible``) when the renewed term starts, or on ``filed_on`` if it
    started already. New data, if given, becomes a version effective from the new validity.
    """
    if contract is None:
        raise ContractNotFound(contract_id)
    require_status(contract, ContractStatus.ACTIVE, ContractStatus.EXPIRED, action="renew")
    previous = contract.validity
    assert previous is not None  # an active or expired contract was signed
    terms: RenewalTerms = renewal_validity(
        previous, filed_on=filed_on, exception_reason=exception_reason
    )
    ensure_no_other_contract(contract, others, term=terms.validity, on=filed_on)
    if data is not None:
        check_mandatory_data(data, today=filed_on)
    examined_on = max(filed_on, terms.validity.valid_from)
    facts = eligibility_facts(data if data is not None else contract.latest_version.data)
    decision = ensure_eligible(facts, on=examined_on)
    versions = contract.versions
    if data is not None:
        start = terms.validity.valid_from
        assessment = assess(data, child_id=contract.child_id, ssm=_ssm(ssm, start))
        version = ContractVersion(
            len(versions) + 1, start, filed_on, data, assessment, (AmendmentKind.RENEWAL,), None
        )
        versions = (*versions, version)
    renewed = replace(
        contract,
        status=ContractStatus.ACTIVE,
        eligibility=decision,
        terms=(*contract.terms, terms.validity),
        versions=versions,
        ended_on=None,
    )
    start = terms.validity.valid_from
    current = renewed.version_on(start) or renewed.latest_version
    event = ContractRenewed(
        contract_state(renewed, current, start),
        previous.valid_until,
        tuple(period.month for period in terms.rebill_periods),
    )
    return renewed, event


def expiring(contracts: Iterable[Contract], *, as_of: date) -> tuple[Contract, ...]:
    """Active contracts whose validity ended before ``as_of`` (to be expired)."""
    return tuple(
        c
        for c in contracts
        if c.status is ContractStatus.ACTIVE
        and c.validity is not None
        and c.validity.valid_until < as_of
    )


def expire(contract: Contract, *, as_of: date) -> tuple[Contract, ContractExpired]:
    """Mark an active contract whose validity is over as expired."""
    require_status(contract, ContractStatus.ACTIVE, action="expire")
    validity = contract.validity
    if validity is None or validity.valid_until >= as_of:
        raise InvalidDate(
            f"contract {contract.contract_id} is still valid on {as_of.isoformat()}",
            code="not_yet_expired",
        )
    expired = replace(contract, status=ContractStatus.EXPIRED, ended_on=validity.valid_until)
    version = expired.version_on(validity.valid_until) or expired.latest_version
    return expired, ContractExpired(contract_state(expired, version, validity.valid_until))


def terminate(
    contract: Contract, *, last_day: date, reason: str
) -> tuple[Contract, ContractTerminated]:
    """End an active contract early; CSA stops after ``last_day`` (within the validity)."""
    require_status(contract, ContractStatus.ACTIVE, action="terminate")
    if not reason.strip():
        raise InvalidDate("a termination needs a reason", code="termination_without_reason")
    validity = contract.validity
    assert validity is not None  # an active contract was signed
    if not validity.covers(last_day):
        raise InvalidDate(
            f"termination on {last_day.isoformat()} is outside the contract's validity",
            code="termination_outside_validity",
        )
    shortened = replace(validity, valid_until=last_day)
    ended = replace(
        contract,
        status=ContractStatus.TERMINATED,
        terms=(*contract.terms[:-1], shortened),
        ended_on=last_day,
        termination_reason=reason,
    )
    version = ended.version_on(last_day) or ended.latest_version
    return ended, ContractTerminated(contract_state(ended, version, last_day), reason)
