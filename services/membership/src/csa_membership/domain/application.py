"""Application for a membership contract: mandatory data, agent, proxy (csa-rules.md §8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from csa_membership.domain.child import Schooling
from csa_membership.domain.eligibility import ParentSituation
from csa_membership.domain.errors import (
    AgentNotCompetent,
    FieldProblem,
    IncompleteApplication,
    InvalidNationalId,
    ProxyRequired,
    UnknownLanguage,
)
from csa_membership.domain.household import Household, Situation
from csa_membership.domain.nin import parse_nin
from csa_membership.domain.rank import HouseholdChild


class Language(StrEnum):
    """Languages of the contract and of communication (§8)."""

    LB = "lb"
    DE = "de"
    FR = "fr"
    EN = "en"
    PT = "pt"


def parse_language(code: str) -> Language:
    """Read a language code; anything but lb, de, fr, en, pt is ``UnknownLanguage``."""
    try:
        return Language(code.strip().lower())
    except ValueError:
        known = ", ".join(language.value for language in Language)
        raise UnknownLanguage(f"unknown language {code!r}; expected one of {known}") from None


class ProofType(StrEnum):
    """Documentary proofs an agent records (seeds 001-003)."""

    TAX_ASSESSMENT = "tax_assessment"
    INCOME_CERTIFICATE = "income_certificate"
    SALARY_CERTIFICATE = "salary_certificate"
    FOREIGN_INCOME_PROOF = "foreign_income_proof"
    OTHER_INCOME_PROOF = "other_income_proof"
    FAMILY_ALLOWANCE_CERTIFICATE = "family_allowance_certificate"  # CAE attestation
    RMG_CERTIFICATE = "rmg_certificate"
    AT_RISK_DECISION = "at_risk_decision"
    JUDGMENT = "judgment"  # alimony or alternating residence
    PROXY = "proxy"
    CCSS_AFFILIATION = "ccss_affiliation"


@dataclass(frozen=True)
class Proof:
    """A documentary proof seen by the agent: its type and date."""

    type: ProofType
    dated: date
    note: str = ""


@dataclass(frozen=True)
class Address:
    """A postal address; ``commune`` is required for a Luxembourg address."""

    line: str
    postcode: str
    locality: str
    country: str = "LU"
    commune: str | None = None


@dataclass(frozen=True)
class Person:
    """A named person with a national identification number."""

    first_name: str
    last_name: str
    nin: str


class AgentKind(StrEnum):
    """Who files: a commune agent (residents) or a CAE agent (non-residents)."""

    COMMUNE = "commune"
    CAE = "cae"


@dataclass(frozen=True)
class Agent:
    """The agent filing the application; a commune agent belongs to one commune."""

    agent_id: str
    kind: AgentKind
    commune: str | None = None


@dataclass(frozen=True)
class Applicant:
    """Who applies; a proxy is needed when not the legal representative."""

    name: str
    address: Address
    is_legal_representative: bool


@dataclass(frozen=True)
class ContractData:
    """Everything a contract version records (§8 mandatory data + household)."""

    child: Person
    child_address: Address
    representative: Person
    applicant: Applicant
    billing_address: Address
    language: Language
    schooling: Schooling
    resident: bool
    household: Household
    household_children: tuple[HouseholdChild, ...]
    children_with_allowance: int
    partner_nin: str | None = None
    proofs: tuple[Proof, ...] = ()
    # cross-border eligibility facts (§8), kept so a renewal can check them again
    parents: tuple[ParentSituation, ...] = ()
    receives_luxembourg_family_allowance: bool = False


def _address_problems(name: str, address: Address, problems: list[FieldProblem]) -> None:
    for part in ("line", "postcode", "locality", "country"):
        if not getattr(address, part).strip():
            problems.append(FieldProblem(f"{name}.{part}", "is required"))


def _nin_problem(name: str, value: str | None, problems: list[FieldProblem], today: date) -> None:
    if not value:
        problems.append(FieldProblem(name, "is required"))
        return
    try:
        parse_nin(value, today=today)
    except InvalidNationalId as exc:
        problems.append(FieldProblem(name, exc.message))


def check_mandatory_data(data: ContractData, *, today: date) -> None:
    """Raise ``IncompleteApplication`` listing every missing or invalid mandatory item (§8)."""
    problems: list[FieldProblem] = []
    for role, person in (("child", data.child), ("representative", data.representative)):
        if not person.first_name.strip():
            problems.append(FieldProblem(f"{role}.first_name", "is required"))
        if not person.last_name.strip():
            problems.append(FieldProblem(f"{role}.last_name", "is required"))
        _nin_problem(f"{role}.nin", person.nin, problems, today)
    if data.household.situation is Situation.BLENDED or data.partner_nin:
        _nin_problem("partner_nin", data.partner_nin, problems, today)
    if not data.applicant.name.strip():
        problems.append(FieldProblem("applicant.name", "is required"))
    _address_problems("child_address", data.child_address, problems)
    _address_problems("applicant.address", data.applicant.address, problems)
    _address_problems("billing_address", data.billing_address, problems)
    if data.resident and not (data.child_address.commune or "").strip():
        problems.append(FieldProblem("child_address.commune", "is required for a resident"))
    if data.children_with_allowance < 0:
        problems.append(FieldProblem("children_with_allowance", "must not be negative"))
    listed = sum(1 for c in data.household_children if c.receives_family_allowance)
    if data.household_children and listed != data.children_with_allowance:
        problems.append(
            FieldProblem(
                "children_with_allowance",
                f"{data.children_with_allowance} declared but {listed} listed with allowances",
            )
        )
    if problems:
        raise IncompleteApplication(tuple(problems))


def check_agent(agent: Agent, data: ContractData) -> None:
    """A commune agent files for residents of their commune, a CAE agent for non-residents."""
    if not data.resident:
        if agent.kind is not AgentKind.CAE:
            raise AgentNotCompetent(
                "a non-resident child's application is filed by a CAE agent",
                code="non_resident_needs_cae",
            )
        return
    if agent.kind is not AgentKind.COMMUNE:
        raise AgentNotCompetent(
            "a resident child's application is filed by the commune of residence",
            code="resident_needs_commune",
        )
    if (agent.commune or "").casefold() != (data.child_address.commune or "").casefold():
        raise AgentNotCompetent(
            f"agent of commune {agent.commune} cannot file for a child living in "
            f"{data.child_address.commune}",
            code="agent_outside_commune",
        )


def check_proxy(data: ContractData) -> None:
    """An applicant who is not the legal representative needs a signed proxy (§8)."""
    if data.applicant.is_legal_representative:
        return
    if not any(p.type is ProofType.PROXY for p in data.proofs):
        raise ProxyRequired(
            f"{data.applicant.name} is not the legal representative: a signed proxy is required"
        )
