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
    line: SafeText = Field(min_length=1, max_length=200, description="Street and house number")
    postcode: SafeText = Field(min_length=1, max_length=16, description='Postcode, e.g. "L-4001"')
    locality: SafeText = Field(min_length=1, max_length=128, description="Town or village")
    country: SafeText = Field(
        default="LU", min_length=2, max_length=2, description="ISO 3166-1 alpha-2 country code"
    )
    commune: SafeText | None = Field(
        default=None,
        max_length=128,
        description="The Luxembourg commune (its agents handle the contract); null abroad",
    )


class AddressOut(BaseModel):
    """An address as stored: not bounded like an input, so older versions stay readable."""

    line: str = Field(description="Street and house number")
    postcode: str = Field(description='Postcode, e.g. "L-4001"')
    locality: str = Field(description="Town or village")
    country: str = Field(default="LU", description="ISO 3166-1 alpha-2 country code")
    commune: str | None = Field(
        default=None,
        description="The Luxembourg commune (its agents handle the contract); null abroad",
    )


class PersonIn(BaseModel):
    first_name: SafeText = Field(max_length=128, description="First name(s)")
    last_name: SafeText = Field(max_length=128, description="Last name")
    nin: SafeText = Field(
        max_length=32, description="Luxembourg national identification number (13 digits)"
    )


class ApplicantIn(BaseModel):
    name: SafeText = Field(max_length=200, description="Who applies, full name")
    address: AddressIn = Field(description="The applicant's address")
    is_legal_representative: bool = Field(
        description="The applicant is the child's legal representative"
    )


class IncomeIn(BaseModel):
    kind: IncomeKind = Field(
        default=IncomeKind.TAXABLE, description="Kind of amount; only taxable income counts (§2)"
    )
    monthly_amount: Income = Field(description="euros per month, not negative")


class MemberIn(BaseModel):
    role: Role = Field(description="The member's role in the household's income composition")
    name: SafeText = Field(max_length=200, description="The member's full name")
    incomes: list[IncomeIn] = Field(
        default=[], max_length=MAX_PEOPLE, description="The member's monthly amounts"
    )


class AlimonyIn(BaseModel):
    received_monthly: Income = Field(
        default=Decimal("0"), description="Alimony the household receives, euros per month"
    )
    judge_set_monthly: Income | None = Field(
        default=None, description="Alimony a judge set, euros per month; null when none"
    )
    unrecoverable: bool = Field(
        default=False,
        description="The judge-set alimony cannot be recovered (then it does not count)",
    )


class HouseholdIn(BaseModel):
    situation: Situation = Field(
        description="How the child lives, which decides whose income counts"
    )
    members: list[MemberIn] = Field(
        default=[], max_length=MAX_PEOPLE, description="The household's members with their incomes"
    )
    alimony: AlimonyIn | None = Field(
        default=None, description="Alimony received or set by a judge; null when none"
    )
    income_declared: bool = Field(
        default=True, description="false: the household does not declare its income (undisclosed)"
    )
    rmg_certificate: bool = Field(
        default=False, description="A REVIS/RMG certificate of the FNS is shown (category rmg)"
    )
    at_risk_identified: bool = Field(
        default=False, description="The child is identified as at risk of poverty (category rmg)"
    )


class SiblingIn(BaseModel):
    """Another child of the household (for the rank)."""

    birth_date: SaneDate = Field(description="The sibling's birth date")
    receives_family_allowance: bool = Field(
        default=True, description="Family allowance is paid for the sibling"
    )


class ProofIn(BaseModel):
    type: ProofType = Field(description="The kind of document shown")
    dated: SaneDate = Field(description="The document's date")
    note: SafeText = Field(
        default="", max_length=500, description="The agent's note about the document"
    )


class ParentIn(BaseModel):
    """A parent of a non-resident child (cross-border eligibility, §8)."""

    eu_national: bool = Field(description="The parent is a national of an EU member state")
    employment: Employment = Field(description="Where the parent works")
    ccss_affiliated: bool = Field(
        default=False,
        description="The parent is affiliated to the Luxembourg social security (CCSS)",
    )


class ApplicationIn(BaseModel):
    """Everything §8 requires to file an application."""

    model_config = ConfigDict(json_schema_extra={"examples": [APPLICATION_EXAMPLE]})

    child: PersonIn = Field(description="The child: names and national identification number")
    child_address: AddressIn = Field(description="Where the child lives")
    representative: PersonIn = Field(description="The child's legal representative")
    applicant: ApplicantIn | None = Field(
        default=None, description="who applies; default: the representative at the child's home"
    )
    billing_address: AddressIn | None = Field(default=None, description="default: child_address")
    language: SafeText = Field(max_length=8, description="lb, de, fr, en or pt")
    schooling: Schooling = Field(description="The child's schooling, as billing needs it")
    resident: bool = Field(
        description="The child lives in Luxembourg (otherwise: cross-border rules, §8)"
    )
    household: HouseholdIn = Field(
        description="The household whose income counts (csa-rules.md §2)"
    )
    siblings: list[SiblingIn] = Field(
        default=[],
        max_length=MAX_PEOPLE,
        description="The household's other children (for the rank)",
    )
    child_receives_family_allowance: bool = Field(
        default=True, description="Family allowance is paid for the child"
    )
    partner_nin: SafeText | None = Field(
        default=None,
        max_length=32,
        description="National identification number of the representative's partner",
    )
    proofs: list[ProofIn] = Field(
        default=[], max_length=MAX_PROOFS, description="Documents shown with the application"
    )
    parents: list[ParentIn] = Field(
        default=[],
        max_length=MAX_PEOPLE,
        description="Non-resident child: the parents' situation (§8)",
    )
    receives_luxembourg_family_allowance: bool = Field(
        default=False, description="Non-resident child: receives the Luxembourg family allowance"
    )
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
    changes: list[AmendmentKind] = Field(
        min_length=1, max_length=len(AmendmentKind), description="What changed; at least one"
    )
    effective_from: SaneDate | None = Field(
        default=None, description="default: next billing period; another date needs a reason"
    )
    reason: SafeText | None = Field(
        default=None,
        max_length=500,
        description="Why; required when effective_from is not the next billing period",
    )
    household: HouseholdIn | None = Field(
        default=None, description="The new household (income changes)"
    )
    child_address: AddressIn | None = Field(default=None, description="The child's new address")
    billing_address: AddressIn | None = Field(default=None, description="The new billing address")
    schooling: Schooling | None = Field(default=None, description="The child's new schooling")
    language: SafeText | None = Field(
        default=None,
        max_length=8,
        description="The new language of documents: lb, de, fr, en or pt",
    )
    siblings: list[SiblingIn] | None = Field(
        default=None,
        max_length=MAX_PEOPLE,
        description="The household's other children, as they now are",
    )
    proofs: list[ProofIn] | None = Field(
        default=None, max_length=MAX_PROOFS, description="Documents shown for the change"
    )


class RenewalIn(BaseModel):
    """A renewal; omitted facts stay as in the latest version. Eligibility is checked again."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{}, {"household": HOUSEHOLD_EXAMPLE}]}
    )
    household: HouseholdIn | None = Field(default=None, description="new income situation")
    exception_reason: SafeText | None = Field(
        default=None,
        max_length=500,
        description="a reason makes the validity 3 billing periods instead of 12",
    )
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
    last_day: SaneDate = Field(description="The last day of CSA under the contract")
    reason: SafeText = Field(
        min_length=1, max_length=500, description="Why the contract ends early (kept with it)"
    )


class ValidityOut(BaseModel):
    valid_from: date = Field(description="First day of the first billing period of the term")
    valid_until: date = Field(description="Last day of the last billing period of the term")
    periods: int = Field(description="Billing periods in the term: 12, or 3 by exception")
    exception_reason: str | None = Field(description="Why the term is 3 periods; null for 12")


class VersionOut(BaseModel):
    number: int = Field(description="The version's number, from 1")
    effective_from: date = Field(description="First day this version applies")
    recorded_on: date = Field(description="The day it was recorded")
    changes: list[str] = Field(
        description="What changed from the previous version (empty for the first)"
    )
    reason: str | None = Field(description="Why, when given")
    category: str = Field(description="Income category: the tariff column billing applies")
    rank: int = Field(
        description="The child's rank among the household's children (1 for the eldest)"
    )
    state_pays_all: bool = Field(
        description="The state pays everything (a child placed in an institution)"
    )
    monthly_income: Decimal | None = Field(
        description="The household income that counts, euros per month; null when no income "
        "decides (rmg, undisclosed, institution)"
    )
    explanation: list[str] = Field(description="How category and rank were decided, step by step")
    language: str = Field(description="Language of documents: lb, de, fr, en or pt")
    schooling: str = Field(description="The child's schooling")
    billing_address: AddressOut = Field(description="Where invoices go")
    household_situation: str = Field(description="How the child lives")


class ContractOut(BaseModel):
    contract_id: str = Field(description="The contract's id")
    child_id: str = Field(description="The child's pseudonymous id (the one other services know)")
    household_id: str = Field(description="The household's id")
    status: str = Field(description="applied, active, expired or terminated")
    child_first_name: str = Field(description="The child's first name(s)")
    child_last_name: str = Field(description="The child's last name")
    child_nin: str | None = Field(description="agents only; null for parents")
    commune: str | None = Field(
        description="The commune whose agents handle the contract; null for the CAE's"
    )
    office: str | None = Field(
        description="The office handling a non-resident's contract (the CAE); null otherwise"
    )
    filed_on: date = Field(description="The day the application was filed")
    filed_by: str = Field(description="The agent who filed it")
    signed_on: date | None = Field(description="The day it was signed; null before")
    valid_from: date | None = Field(description="First day of CSA; null before signature")
    valid_until: date | None = Field(
        description="Last day of the current term; null before signature"
    )
    ended_on: date | None = Field(description="Last day after an early end; null otherwise")
    termination_reason: str | None = Field(description="Why it ended early; null otherwise")
    eligibility: list[str] = Field(description="Why the child is eligible, step by step")
    terms: list[ValidityOut] = Field(description="The validity terms: the first and each renewal")
    versions: list[VersionOut] = Field(description="Every version of the situation, oldest first")


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
