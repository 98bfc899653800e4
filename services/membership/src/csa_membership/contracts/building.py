"""API models → domain values (the contract data of an application or an amendment)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from csa_membership.contracts.schemas import (
    AddressIn,
    AmendmentIn,
    ApplicationIn,
    HouseholdIn,
    ParentIn,
    ProofIn,
    RenewalIn,
    SiblingIn,
)
from csa_membership.domain.application import (
    Address,
    Applicant,
    ContractData,
    Language,
    Person,
    Proof,
    parse_language,
)
from csa_membership.domain.eligibility import ParentSituation
from csa_membership.domain.household import Alimony, Household, IncomeItem, Member
from csa_membership.domain.nin import is_valid_nin, parse_nin
from csa_membership.domain.rank import HouseholdChild


def address(value: AddressIn) -> Address:
    return Address(
        value.line.strip(),
        value.postcode.strip(),
        value.locality.strip(),
        value.country.strip().upper(),
        value.commune.strip() if value.commune else None,
    )


def household(value: HouseholdIn) -> Household:
    alimony = value.alimony
    return Household(
        value.situation,
        tuple(
            Member(m.role, m.name, tuple(IncomeItem(i.kind, i.monthly_amount) for i in m.incomes))
            for m in value.members
        ),
        None
        if alimony is None
        else Alimony(alimony.received_monthly, alimony.judge_set_monthly, alimony.unrecoverable),
        value.income_declared,
        value.rmg_certificate,
        value.at_risk_identified,
    )


def normalized_nin(value: str) -> str:
    """Without spaces when valid (so one child is found again); else as given."""
    return parse_nin(value).value if is_valid_nin(value) else value


def household_children(
    child_id: str, birth: date, receives: bool, siblings: list[SiblingIn]
) -> tuple[HouseholdChild, ...]:
    others = tuple(
        HouseholdChild(f"{child_id}-sibling-{n}", s.birth_date, s.receives_family_allowance)
        for n, s in enumerate(siblings, 1)
    )
    return (HouseholdChild(child_id, birth, receives), *others)


def proofs(values: list[ProofIn]) -> tuple[Proof, ...]:
    return tuple(Proof(p.type, p.dated, p.note) for p in values)


def application_data(
    body: ApplicationIn, *, child_id: str, birth: date, language: Language
) -> ContractData:
    home = address(body.child_address)
    rep = body.representative
    applicant = body.applicant
    children = household_children(
        child_id, birth, body.child_receives_family_allowance, body.siblings
    )
    return ContractData(
        child=Person(body.child.first_name, body.child.last_name, normalized_nin(body.child.nin)),
        child_address=home,
        representative=Person(rep.first_name, rep.last_name, normalized_nin(rep.nin)),
        applicant=Applicant(f"{rep.first_name} {rep.last_name}", home, True)
        if applicant is None
        else Applicant(
            applicant.name, address(applicant.address), applicant.is_legal_representative
        ),
        billing_address=home if body.billing_address is None else address(body.billing_address),
        language=language,
        schooling=body.schooling,
        resident=body.resident,
        household=household(body.household),
        household_children=children,
        children_with_allowance=sum(1 for c in children if c.receives_family_allowance),
        partner_nin=normalized_nin(body.partner_nin) if body.partner_nin else None,
        proofs=proofs(body.proofs),
        parents=parents(body.parents),
        receives_luxembourg_family_allowance=body.receives_luxembourg_family_allowance,
    )


def parents(values: list[ParentIn]) -> tuple[ParentSituation, ...]:
    return tuple(ParentSituation(p.eu_national, p.employment, p.ccss_affiliated) for p in values)


def renewal_data(current: ContractData, body: RenewalIn) -> ContractData | None:
    """The latest version's data with the renewal's new facts; None when nothing is new."""
    data = current
    if body.household is not None:
        data = replace(data, household=household(body.household))
    if body.schooling is not None:
        data = replace(data, schooling=body.schooling)
    if body.parents is not None:
        data = replace(data, parents=parents(body.parents))
    if body.receives_luxembourg_family_allowance is not None:
        data = replace(
            data, receives_luxembourg_family_allowance=body.receives_luxembourg_family_allowance
        )
    return None if data == current else data


def amended_data(current: ContractData, body: AmendmentIn, *, child_id: str) -> ContractData:
    """The latest version's data with the amendment's parts replaced."""
    data = current
    if body.household is not None:
        data = replace(data, household=household(body.household))
    if body.child_address is not None:
        data = replace(data, child_address=address(body.child_address))
    if body.billing_address is not None:
        data = replace(data, billing_address=address(body.billing_address))
    if body.schooling is not None:
        data = replace(data, schooling=body.schooling)
    if body.language is not None:
        data = replace(data, language=parse_language(body.language))
    if body.proofs is not None:
        data = replace(data, proofs=proofs(body.proofs))
    if body.siblings is not None:
        me = next(c for c in data.household_children if c.child_id == child_id)
        children = household_children(
            child_id, me.birth_date, me.receives_family_allowance, body.siblings
        )
        data = replace(
            data,
            household_children=children,
            children_with_allowance=sum(1 for c in children if c.receives_family_allowance),
        )
    return data
