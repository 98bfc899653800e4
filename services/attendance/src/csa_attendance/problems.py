"""The one place where attendance domain refusals become problem details (RFC 9457): the
`ApplicationError`s made here are rendered by the shared handler (`csa_shared.http.problems`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from csa_attendance.domain.errors import (
    AttendanceDomainError,
    BatchTooLarge,
    Code,
    UnknownRecord,
    Violation,
)
from csa_shared.errors import ApplicationError, Conflict, NotFound, PayloadTooLarge, Unprocessable


def violation_json(v: Violation) -> dict[str, Any]:
    """A violation as the API shows it to the caller (never the other provider's record)."""
    return {"code": v.code.value, "field": v.field, "message": v.message}


def as_problem(exc: AttendanceDomainError) -> ApplicationError:
    """Map a domain refusal to its HTTP error: 404 unknown record, 413 oversize, 409
    conflicting repeat, else 422."""
    if isinstance(exc, UnknownRecord):
        return NotFound(f"no {exc.kind} {exc.record_id}")
    errors = [violation_json(v) for v in exc.violations]
    if isinstance(exc, BatchTooLarge):
        return PayloadTooLarge(
            str(exc), code="batch-too-large", limit=exc.limit, size=exc.size, errors=errors
        )
    if any(v.code is Code.CONFLICTING_REPEAT for v in exc.violations):
        return Conflict(str(exc), code="idempotency-conflict", errors=errors)
    return Unprocessable(str(exc), code="invalid-input", errors=errors)


@contextmanager
def refusals_as_problems() -> Iterator[None]:
    """For an endpoint around its use case: a domain refusal leaves as its problem."""
    try:
        yield
    except AttendanceDomainError as exc:
        raise as_problem(exc) from exc
