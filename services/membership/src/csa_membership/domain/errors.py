"""Typed domain errors of the membership service (csa-rules.md §8).

Every error carries a stable machine ``code`` (the problem type, underscores as hyphens), a
human-readable message and its answer (``csa_shared.errors``): 422 "Invalid input" unless
the class says otherwise; ``IncompleteApplication`` lists ``errors`` per field,
``NotEligible`` the failed ``refusals``, ``ActiveContractConflict`` the
``existing_contract_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csa_shared.errors import DomainError


class MembershipError(DomainError):
    """Base class of every membership domain error."""

    code: str = "membership_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidNationalId(MembershipError):
    """A national identification number (matricule) is malformed (§8)."""

    code = "invalid_national_id"


class InvalidIncome(MembershipError):
    """An income amount is negative or otherwise unusable (§2)."""

    code = "invalid_income"


class InvalidHousehold(MembershipError):
    """The household composition misses what its situation requires (§2)."""

    code = "invalid_household"


class InvalidDate(MembershipError):
    """A date is impossible in context (birth in the future, end before start, ...)."""

    code = "invalid_date"


class UnknownLanguage(MembershipError):
    """The language is not one of lb, de, fr, en, pt (§8)."""

    code = "unknown_language"


@dataclass(frozen=True)
class FieldProblem:
    """One missing or invalid field of an application."""

    field: str
    problem: str


class IncompleteApplication(MembershipError):
    """Mandatory data of §8 is missing or invalid; lists every problem found."""

    code = "incomplete_application"

    def __init__(self, problems: tuple[FieldProblem, ...]) -> None:
        text = "; ".join(f"{p.field}: {p.problem}" for p in problems)
        super().__init__(f"the application is incomplete or invalid: {text}")
        self.problems = problems

    def problem_fields(self) -> dict[str, Any]:
        return {"errors": [{"field": p.field, "message": p.problem} for p in self.problems]}


class NotEligible(MembershipError):
    """The child does not meet the eligibility conditions of §8."""

    code = "not_eligible"

    def __init__(self, refusals: tuple[tuple[str, str], ...]) -> None:
        text = "; ".join(f"{c}: {why}" for c, why in refusals)
        super().__init__(f"the child is not eligible for the CSA: {text}")
        self.refusals = refusals

    def problem_fields(self) -> dict[str, Any]:
        return {"refusals": [{"code": c, "explanation": why} for c, why in self.refusals]}


class AgentNotCompetent(MembershipError):
    """The filing agent may not file this application (wrong office or commune, §8)."""

    status, title = 403, "Forbidden"
    code = "agent_not_competent"


class ProxyRequired(MembershipError):
    """The applicant is not the legal representative and has no signed proxy (§8)."""

    code = "proxy_required"


class ActiveContractConflict(MembershipError):
    """The child already has an active (or pending) contract (§8: one per child)."""

    status, title = 409, "Conflict"
    code = "active_contract_conflict"

    def __init__(self, child_id: str, existing_contract_id: str) -> None:
        super().__init__(
            f"child {child_id} already has contract {existing_contract_id}; "
            "only one active contract per child is allowed"
        )
        self.child_id = child_id
        self.existing_contract_id = existing_contract_id

    def problem_fields(self) -> dict[str, Any]:
        return {"existing_contract_id": self.existing_contract_id}


class ContractNotFound(MembershipError):
    """The referenced contract does not exist."""

    status, title = 404, "Not found"
    code = "contract_not_found"

    def __init__(self, contract_id: str) -> None:
        super().__init__(f"contract {contract_id} does not exist")
        self.contract_id = contract_id


class InvalidContractTransition(MembershipError):
    """The operation is not allowed in the contract's current status."""

    code = "invalid_contract_transition"


class InvalidAmendment(MembershipError):
    """An amendment is malformed (no change kind, date without reason, ...)."""

    code = "invalid_amendment"


class WeekNotFound(MembershipError):
    """The referenced plurilingual education week does not exist."""

    status, title = 404, "Not found"
    code = "week_not_found"


class InvalidWeek(MembershipError):
    """A week on offer is malformed (dates, age band, languages, capacity)."""

    code = "invalid_week"


class WeekFull(MembershipError):
    """Every place of the week is taken."""

    status, title = 409, "Conflict"
    code = "week_full"


class WeekRefusal(MembershipError):
    """The child may not sign up for (or cancel) this week: age, contract or dates."""

    code = "week_refused"
