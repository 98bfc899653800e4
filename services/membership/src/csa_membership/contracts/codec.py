"""JSON codec of the contract aggregate's parts, for the database columns.

Dates are ISO strings and money is a decimal string, so nothing is lost through JSON.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from csa_membership.domain.application import (
    Address,
    Applicant,
    ContractData,
    Language,
    Person,
    Proof,
    ProofType,
)
from csa_membership.domain.assessment import Assessment
from csa_membership.domain.child import Schooling
from csa_membership.domain.eligibility import (
    EligibilityDecision,
    Employment,
    ParentSituation,
    Refusal,
)
from csa_membership.domain.household import (
    Alimony,
    Household,
    IncomeItem,
    IncomeKind,
    Member,
    Role,
    Situation,
)
from csa_membership.domain.rank import HouseholdChild
from csa_membership.domain.validity import Validity
from csa_shared.rules.categories import Category


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def address_to_json(address: Address) -> dict[str, Any]:
    return {
        "line": address.line,
        "postcode": address.postcode,
        "locality": address.locality,
        "country": address.country,
        "commune": address.commune,
    }


def address_from_json(raw: dict[str, Any]) -> Address:
    return Address(raw["line"], raw["postcode"], raw["locality"], raw["country"], raw["commune"])


def _person(person: Person) -> dict[str, Any]:
    return {"first_name": person.first_name, "last_name": person.last_name, "nin": person.nin}


def _household(household: Household) -> dict[str, Any]:
    alimony = household.alimony
    return {
        "situation": household.situation.value,
        "members": [
            {
                "role": m.role.value,
                "name": m.name,
                "incomes": [
                    {"kind": i.kind.value, "monthly_amount": str(i.monthly_amount)}
                    for i in m.incomes
                ],
            }
            for m in household.members
        ],
        "alimony": None
        if alimony is None
        else {
            "received_monthly": str(alimony.received_monthly),
            "judge_set_monthly": _money(alimony.judge_set_monthly),
            "unrecoverable": alimony.unrecoverable,
        },
        "income_declared": household.income_declared,
        "rmg_certificate": household.rmg_certificate,
        "at_risk_identified": household.at_risk_identified,
    }


def _household_from(raw: dict[str, Any]) -> Household:
    alimony = raw["alimony"]
    return Household(
        Situation(raw["situation"]),
        tuple(
            Member(
                Role(m["role"]),
                m["name"],
                tuple(
                    IncomeItem(IncomeKind(i["kind"]), Decimal(i["monthly_amount"]))
                    for i in m["incomes"]
                ),
            )
            for m in raw["members"]
        ),
        None
        if alimony is None
        else Alimony(
            Decimal(alimony["received_monthly"]),
            _decimal(alimony["judge_set_monthly"]),
            alimony["unrecoverable"],
        ),
        raw["income_declared"],
        raw["rmg_certificate"],
        raw["at_risk_identified"],
    )


def data_to_json(data: ContractData) -> dict[str, Any]:
    return {
        "child": _person(data.child),
        "child_address": address_to_json(data.child_address),
        "representative": _person(data.representative),
        "applicant": {
            "name": data.applicant.name,
            "address": address_to_json(data.applicant.address),
            "is_legal_representative": data.applicant.is_legal_representative,
        },
        "billing_address": address_to_json(data.billing_address),
        "language": data.language.value,
        "schooling": data.schooling.value,
        "resident": data.resident,
        "household": _household(data.household),
        "household_children": [
            {
                "child_id": c.child_id,
                "birth_date": c.birth_date.isoformat(),
                "receives_family_allowance": c.receives_family_allowance,
            }
            for c in data.household_children
        ],
        "children_with_allowance": data.children_with_allowance,
        "partner_nin": data.partner_nin,
        "proofs": [
            {"type": p.type.value, "dated": p.dated.isoformat(), "note": p.note}
            for p in data.proofs
        ],
        "parents": [
            {
                "eu_national": p.eu_national,
                "employment": p.employment.value,
                "ccss_affiliated": p.ccss_affiliated,
            }
            for p in data.parents
        ],
        "receives_luxembourg_family_allowance": data.receives_luxembourg_family_allowance,
    }


def data_from_json(raw: dict[str, Any]) -> ContractData:
    applicant = raw["applicant"]
    return ContractData(
        child=Person(**raw["child"]),
        child_address=address_from_json(raw["child_address"]),
        representative=Person(**raw["representative"]),
        applicant=Applicant(
            applicant["name"],
            address_from_json(applicant["address"]),
            applicant["is_legal_representative"],
        ),
        billing_address=address_from_json(raw["billing_address"]),
        language=Language(raw["language"]),
        schooling=Schooling(raw["schooling"]),
        resident=raw["resident"],
        household=_household_from(raw["household"]),
        household_children=tuple(
            HouseholdChild(
                c["child_id"],
                date.fromisoformat(c["birth_date"]),
                c["receives_family_allowance"],
            )
            for c in raw["household_children"]
        ),
        children_with_allowance=raw["children_with_allowance"],
        partner_nin=raw["partner_nin"],
        proofs=tuple(
            Proof(ProofType(p["type"]), date.fromisoformat(p["dated"]), p["note"])
            for p in raw["proofs"]
        ),
        parents=tuple(
            ParentSituation(p["eu_national"], Employment(p["employment"]), p["ccss_affiliated"])
            for p in raw.get("parents", ())
        ),
        receives_luxembourg_family_allowance=raw.get("receives_luxembourg_family_allowance", False),
    )


def assessment_to_json(assessment: Assessment) -> dict[str, Any]:
    return {
        "category": assessment.category.value,
        "rank": assessment.rank,
        "state_pays_all": assessment.state_pays_all,
        "monthly_income": _money(assessment.monthly_income),
        "explanation": list(assessment.explanation),
    }


def assessment_from_json(raw: dict[str, Any]) -> Assessment:
    return Assessment(
        Category(raw["category"]),
        raw["rank"],
        raw["state_pays_all"],
        _decimal(raw["monthly_income"]),
        tuple(raw["explanation"]),
    )


def eligibility_to_json(decision: EligibilityDecision) -> dict[str, Any]:
    return {
        "eligible": decision.eligible,
        "refusals": [{"code": r.code, "explanation": r.explanation} for r in decision.refusals],
        "explanation": list(decision.explanation),
    }


def eligibility_from_json(raw: dict[str, Any]) -> EligibilityDecision:
    return EligibilityDecision(
        raw["eligible"],
        tuple(Refusal(r["code"], r["explanation"]) for r in raw["refusals"]),
        tuple(raw["explanation"]),
    )


def terms_to_json(terms: tuple[Validity, ...]) -> list[dict[str, Any]]:
    return [
        {
            "valid_from": t.valid_from.isoformat(),
            "valid_until": t.valid_until.isoformat(),
            "periods": t.periods,
            "exception_reason": t.exception_reason,
        }
        for t in terms
    ]


def terms_from_json(raw: list[dict[str, Any]]) -> tuple[Validity, ...]:
    return tuple(
        Validity(
            date.fromisoformat(t["valid_from"]),
            date.fromisoformat(t["valid_until"]),
            t["periods"],
            t["exception_reason"],
        )
        for t in raw
    )
