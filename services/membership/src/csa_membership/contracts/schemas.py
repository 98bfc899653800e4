"""API models of the contracts module (requests carry OpenAPI examples)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from csa_membership.domain.application import ProofType
from csa_membership.domain.child import Schooling
from csa_membership.domain.contract import AmendmentKind
from csa_membership.domain.eligibility import Employment
from csa_membership.domain.household import IncomeKind, Role, Situation

HOME: dict[str, Any] = {
    "line": "12, rue de la Gare",
    "postcode": "L-4001",
    "locality": "Esch-sur-Alzette",
    "country": "LU",
    "commune": "Esch-sur-Alzette",
}
HOUSEHOLD_EXAMPLE: dict[str, Any] = {
    "situation": "living_together",
    "members": [
        {
            "role": "representative",
            "name": "Anna Muller",
            "incomes": [{"kind": "taxable", "monthly_amount": "5200.00"}],
        }
    ],
}
APPLICATION_EXAMPLE: dict[str, Any] = {
    "child": {"first_name": "Mia", "last_name": "Muller", "nin": "2022051004258"},
    "child_address": HOME,
    "representative": {"first_name": "Anna", "last_name": "Muller", "nin": "1988110300734"},
    "language": "fr",
    "schooling": "none",
    "resident": True,
    "household": HOUSEHOLD_EXAMPLE,
    "siblings": [{"birth_date": "2019-01-01", "receives_family_allowance": True}],
    "proofs": [{"type": "tax_assessment", "dated": "2025-01-15"}],
}


class AddressIn(BaseModel):
    line: str = Field(min_length=1, max_length=200)
    postcode: str = Field(min_length=1, max_length=16)
    locality: str = Field(min_length=1, max_length=128)
    country: str = Field(default="LU", min_length=2, max_length=2)
    commune: str | None = Field(default=None, max_length=128)


class PersonIn(BaseModel):
    first_name: str = Field(max_length=128)
    last_name: str = Field(max_length=128)
    nin: str = Field(description="Luxembourg national identification number (13 digits)")


class ApplicantIn(BaseModel):
    name: str = Field(max_length=200)
    address: AddressIn
    is_legal_representative: bool


class IncomeIn(BaseModel):
    kind: IncomeKind = IncomeKind.TAXABLE
    monthly_amount: Decimal = Field(ge=0, description="euros per month, not negative")


class MemberIn(BaseModel):
    role: Role
    name: str = Field(max_length=200)
    incomes: list[IncomeIn] = []


class AlimonyIn(BaseModel):
    received_monthly: Decimal = Field(default=Decimal("0"), ge=0)
    judge_set_monthly: Decimal | None = Field(default=None, ge=0)
    unrecoverable: bool = False


class HouseholdIn(BaseModel):
    situation: Situation
    members: list[MemberIn] = []
    alimony: AlimonyIn | None = None
    income_declared: bool = True
    rmg_certificate: bool = False
    at_risk_identified: bool = False


class SiblingIn(BaseModel):
    """Another child of the household (for the rank)."""

    birth_date: date
    receives_family_allowance: bool = True


class ProofIn(BaseModel):
    type: ProofType
    dated: date
    note: str = Field(default="", max_length=500)


class ParentIn(BaseModel):
    """A parent of a non-resident child (cross-border eligibility, §8)."""

    eu_national: bool
    employment: Employment
    ccss_affiliated: bool = False


class ApplicationIn(BaseModel):
    """Everything §8 requires to file an application."""

    model_config = ConfigDict(json_schema_extra={"examples": [APPLICATION_EXAMPLE]})

    child: PersonIn
    child_address: AddressIn
    representative: PersonIn
    applicant: ApplicantIn | None = Field(
        default=None, description="who applies; default: the representative at the child's home"
    )
    billing_address: AddressIn | None = Field(default=None, description="default: child_address")
    language: str = Field(description="lb, de, fr, en or pt")
    schooling: Schooling
    resident: bool
    household: HouseholdIn
    siblings: list[SiblingIn] = []
    child_receives_family_allowance: bool = True
    partner_nin: str | None = None
    proofs: list[ProofIn] = []
    parents: list[ParentIn] = []
    receives_luxembourg_family_allowance: bool = False
    exception_reason: str | None = Field(
        default=None, description="a reason makes the validity 3 billing periods instead of 12"
    )


class SignIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"signed_on": "2025-03-12"}]})
    signed_on: date | None = Field(default=None, description="default: today")


class AmendmentIn(BaseModel):
    """A change of situation; omitted parts stay as in the latest version."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"changes": ["income"], "household": HOUSEHOLD_EXAMPLE},
                {
                    "changes": ["address"],
                    "billing_address": HOME,
                    "effective_from": "2025-04-01",
                    "reason": "moved on 1 April",
                },
            ]
        }
    )
    changes: list[AmendmentKind] = Field(min_length=1)
    effective_from: date | None = Field(
        default=None, description="default: next billing period; another date needs a reason"
    )
    reason: str | None = None
    household: HouseholdIn | None = None
    child_address: AddressIn | None = None
    billing_address: AddressIn | None = None
    schooling: Schooling | None = None
    language: str | None = None
    siblings: list[SiblingIn] | None = None
    proofs: list[ProofIn] | None = None


class RenewalIn(BaseModel):
    """A renewal; omitted facts stay as in the latest version. Eligibility is checked again."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{}, {"household": HOUSEHOLD_EXAMPLE}]}
    )
    household: HouseholdIn | None = Field(default=None, description="new income situation")
    exception_reason: str | None = None
    schooling: Schooling | None = Field(default=None, description="the schooling at renewal")
    parents: list[ParentIn] | None = Field(
        default=None, description="non-resident child: the parents' situation at renewal"
    )
    receives_luxembourg_family_allowance: bool | None = Field(
        default=None, description="non-resident child: still receives the allowance"
    )


class TerminationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"last_day": "2025-06-30", "reason": "moved abroad"}]}
    )
    last_day: date
    reason: str = Field(min_length=1, max_length=500)


class ValidityOut(BaseModel):
    valid_from: date
    valid_until: date
    periods: int
    exception_reason: str | None


class VersionOut(BaseModel):
    number: int
    effective_from: date
    recorded_on: date
    changes: list[str]
    reason: str | None
    category: str
    rank: int
    state_pays_all: bool
    monthly_income: Decimal | None
    explanation: list[str]
    language: str
    schooling: str
    billing_address: AddressIn
    household_situation: str


class ContractOut(BaseModel):
    contract_id: str
    child_id: str
    household_id: str
    status: str
    child_first_name: str
    child_last_name: str
    child_nin: str | None = Field(description="agents only; null for parents")
    commune: str | None
    office: str | None
    filed_on: date
    filed_by: str
    signed_on: date | None
    valid_from: date | None
    valid_until: date | None
    ended_on: date | None
    termination_reason: str | None
    eligibility: list[str]
    terms: list[ValidityOut]
    versions: list[VersionOut]
