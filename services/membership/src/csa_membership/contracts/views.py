"""Stored contracts → API responses (national ids only for agents)."""

from __future__ import annotations

from csa_membership.contracts.codec import address_to_json
from csa_membership.contracts.repository import Stored
from csa_membership.contracts.schemas import AddressOut, ContractOut, ValidityOut, VersionOut
from csa_shared.auth import Principal, PrincipalKind


def contract_out(stored: Stored, principal: Principal) -> ContractOut:
    contract = stored.contract
    validity = contract.validity
    child = contract.versions[0].data.child
    return ContractOut(
        contract_id=contract.contract_id,
        child_id=contract.child_id,
        household_id=contract.household_id,
        status=contract.status.value,
        child_first_name=child.first_name,
        child_last_name=child.last_name,
        child_nin=child.nin if principal.kind is PrincipalKind.AGENT else None,
        commune=stored.commune,
        office=stored.office,
        filed_on=contract.filed_on,
        filed_by=contract.filed_by,
        signed_on=contract.signed_on,
        valid_from=None if validity is None else validity.valid_from,
        valid_until=None if validity is None else validity.valid_until,
        ended_on=contract.ended_on,
        termination_reason=contract.termination_reason,
        eligibility=list(contract.eligibility.explanation),
        terms=[
            ValidityOut(
                valid_from=t.valid_from,
                valid_until=t.valid_until,
                periods=t.periods,
                exception_reason=t.exception_reason,
            )
            for t in contract.terms
        ],
        versions=[
            VersionOut(
                number=v.number,
                effective_from=v.effective_from,
                recorded_on=v.recorded_on,
                changes=[c.value for c in v.changes],
                reason=v.reason,
                category=v.assessment.category.value,
                rank=v.assessment.rank,
                state_pays_all=v.assessment.state_pays_all,
                monthly_income=v.assessment.monthly_income,
                explanation=list(v.assessment.explanation),
                language=v.data.language.value,
                schooling=v.data.schooling.value,
                billing_address=AddressOut(**address_to_json(v.data.billing_address)),
                household_situation=v.data.household.situation.value,
            )
            for v in contract.versions
        ],
    )
