"""API models of the contracts module (requests carry OpenAPI examples)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from csa_membership.domain.application import ProofType
from csa_membership.domain.child import Schooling
from csa_membership.domain.contract import AmendmentKind, ContractStatus
from csa_membership.domain.eligibility import Employment
from csa_membership.domain.household import IncomeKind, Role, Situation
from csa_shared.http.bounds import Income, SafeText, SaneDate, SaneMonth
from csa_shared.http.pagination import Page, PageParams

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


# Lists are bounded well above any household: a list of 100 000 siblings is an attack.
MAX_PEOPLE = 30
MAX_PROOFS = 50


class AddressIn(BaseModel):
    line: SafeText = Field(min_length=1, max_length=200)
    postcode: SafeText = Field(min_length=1, max_length=16)
    locality: SafeText = Field(min_length=1, max_length=128)
    country: SafeText = Field(default="LU", min_length=2, max_length=2)
    commune: SafeText | None = Field(default=None, max_length=128)


class AddressOut(BaseModel):
    """An address as stored: not bounded like an input, so older versions stay readable."""

    line: str
    postcode: str
    locality: str
    country: str = "LU"
    commune: str | None = None


class PersonIn(BaseModel):
    first_name: SafeText = Field(max_length=128)
    last_name: SafeText = Field(max_length=128)
    nin: SafeText = Field(
        max_length=32, description="Luxembourg national identification number (13 digits)"
    )


class ApplicantIn(BaseModel):
    name: SafeText = Field(max_length=200)
    address: AddressIn
    is_legal_representative: bool


class IncomeIn(BaseModel):
    kind: IncomeKind = IncomeKind.TAXABLE
    monthly_amount: Income = Field(description="euros per month, not negative")


class MemberIn(BaseModel):
    role: Role
    name: SafeText = Field(max_length=200)
    incomes: list[IncomeIn] = Field(default=[], max_length=MAX_PEOPLE)


class AlimonyIn(BaseModel):
    received_monthly: Income = Decimal("0")
    judge_set_monthly: Income | None = None
    unrecoverable: bool = False


class HouseholdIn(BaseModel):
    situation: Situation
    members: list[MemberIn] = Field(default=[], max_length=MAX_PEOPLE)
    alimony: AlimonyIn | None = None
    income_declared: bool = True
    rmg_certificate: bool = False
    at_risk_identified: bool = False


class SiblingIn(BaseModel):
    """Another child of the household (for the rank)."""

    birth_date: SaneDate
    receives_family_allowance: bool = True


class ProofIn(BaseModel):
    type: ProofType
    dated: SaneDate
    note: SafeText = Field(default="", max_length=500)


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
    language: SafeText = Field(max_length=8, description="lb, de, fr, en or pt")
    schooling: Schooling
    resident: bool
    household: HouseholdIn
    siblings: list[SiblingIn] = Field(default=[], max_length=MAX_PEOPLE)
    child_receives_family_allowance: bool = True
    partner_nin: SafeText | None = Field(default=None, max_length=32)
    proofs: list[ProofIn] = Field(default=[], max_length=MAX_PROOFS)
    parents: list[ParentIn] = Field(default=[], max_length=MAX_PEOPLE)
    receives_luxembourg_family_allowance: bool = False
    exception_reason: SafeText | None = Field(
        default=None,
        max_length=500,
        description="a reason makes the validity 3 billing periods instead of 12",
    )


class SignIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"signed_on": "2025-03-12"}]})
    signed_on: SaneDate | None = Field(default=None, description="default: today")


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
    changes: list[AmendmentKind] = Field(min_length=1, max_length=len(AmendmentKind))
    effective_from: SaneDate | None = Field(
        default=None, description="default: next billing period; another date needs a reason"
    )
    reason: SafeText | None = Field(default=None, max_length=500)
    household: HouseholdIn | None = None
    child_address: AddressIn | None = None
    billing_address: AddressIn | None = None
    schooling: Schooling | None = None
    language: SafeText | None = Field(default=None, max_length=8)
    siblings: list[SiblingIn] | None = Field(default=None, max_length=MAX_PEOPLE)
    proofs: list[ProofIn] | None = Field(default=None, max_length=MAX_PROOFS)


class RenewalIn(BaseModel):
    """A renewal; omitted facts stay as in the latest version. Eligibility is checked again."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{}, {"household": HOUSEHOLD_EXAMPLE}]}
    )
    household: HouseholdIn | None = Field(default=None, description="new income situation")
    exception_reason: SafeText | None = Field(default=None, max_length=500)
    schooling: Schooling | None = Field(default=None, description="the schooling at renewal")
    parents: list[ParentIn] | None = Field(
        default=None,
        max_length=MAX_PEOPLE,
        description="non-resident child: the parents' situation at renewal",
    )
    receives_luxembourg_family_allowance: bool | None = Field(
        default=None, description="non-resident child: still receives the allowance"
    )


class TerminationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"last_day": "2025-06-30", "reason": "moved abroad"}]}
    )
    last_day: SaneDate
    reason: SafeText = Field(min_length=1, max_length=500)


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
    billing_address: AddressOut
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


class ContractPage(Page[ContractOut]):
    """A page of contracts, the most recently filed first."""


@dataclass(frozen=True)
class ContractQuery(PageParams):
    """The filters of the contract list, beside ``limit`` and ``cursor``."""

    status: Annotated[ContractStatus | None, Query(description="Only contracts in this status")] = (
        None
    )
    child_id: Annotated[
        SafeText | None, Query(max_length=64, description="Only this child's contracts")
    ] = None
    month: Annotated[
        SaneMonth | None,
        Query(description="Only contracts in force on a day of this month (YYYY-MM)"),
    ] = None
