"""The one place where membership domain errors become problem details (RFC 9457).

``ActiveContractConflict`` → 409 with ``existing_contract_id``; ``ContractNotFound`` → 404;
``AgentNotCompetent`` → 403;
``WeekNotFound`` → 404; ``WeekFull`` → 409; every other domain error → 422 with its machine ``code``
(``IncompleteApplication`` lists ``errors`` per field, ``NotEligible`` lists the failed
``refusals``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from csa_membership.domain.errors import (
    ActiveContractConflict,
    AgentNotCompetent,
    ContractNotFound,
    IncompleteApplication,
    MembershipError,
    NotEligible,
    WeekFull,
    WeekNotFound,
)
from csa_shared.errors import ApplicationError, Conflict, Forbidden, NotFound, Unprocessable


def _slug(code: str) -> str:
    return code.replace("_", "-")


def to_problem(exc: MembershipError) -> ApplicationError:
    code = _slug(exc.code)
    if isinstance(exc, ActiveContractConflict):
        return Conflict(exc.message, code=code, existing_contract_id=exc.existing_contract_id)
    if isinstance(exc, WeekFull):
        return Conflict(exc.message, code=code)
    if isinstance(exc, ContractNotFound | WeekNotFound):
        return NotFound(exc.message, code=code)
    if isinstance(exc, AgentNotCompetent):
        return Forbidden(exc.message, code=code)
    if isinstance(exc, IncompleteApplication):
        errors = [{"field": p.field, "message": p.problem} for p in exc.problems]
        return Unprocessable(exc.message, code=code, errors=errors)
    if isinstance(exc, NotEligible):
        refusals = [{"code": c, "explanation": why} for c, why in exc.refusals]
        return Unprocessable(exc.message, code=code, refusals=refusals)
    return Unprocessable(exc.message, code=code)


@contextmanager
def translated() -> Iterator[None]:
    """Run domain code; re-raise its errors as the matching ``ApplicationError``."""
    try:
        yield
    except MembershipError as exc:
        raise to_problem(exc) from exc
