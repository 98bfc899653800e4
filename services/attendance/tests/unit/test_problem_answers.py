"""Attendance's refusals answer with their status and violations (``domain/errors.py``,
rendered by the shared handler): 404 unknown record, 413 oversize batch, 409 conflicting
repeat, else 422."""

from __future__ import annotations

from csa_attendance.domain.errors import (
    AttendanceDomainError,
    BatchTooLarge,
    Code,
    UnknownRecord,
    Violation,
)
from csa_shared.testing.problems import answer_of


async def test_an_oversize_batch_is_413_with_its_limit_and_size() -> None:
    status, _, body = await answer_of(BatchTooLarge(1001, 1000))
    assert status == 413
    assert list(body) == ["type", "title", "status", "detail", "limit", "size", "errors"]
    assert (body["type"], body["limit"], body["size"]) == (
        "https://csa.lu/problems/batch-too-large",
        1000,
        1001,
    )


async def test_an_unknown_record_is_a_plain_404() -> None:
    status, _, body = await answer_of(UnknownRecord("meal", "m-1"))
    assert (status, body) == (
        404,
        {
            "type": "https://csa.lu/problems/not-found",
            "title": "Not found",
            "status": 404,
            "detail": "no meal m-1",
        },
    )


async def test_a_conflicting_repeat_is_409_and_other_violations_422() -> None:
    overlap = Violation(Code.OVERLAP, "start", "overlaps")
    repeat = Violation(Code.CONFLICTING_REPEAT, "record_id", "sent before")
    status, _, body = await answer_of(AttendanceDomainError([overlap, repeat]))
    assert (status, body["type"], body["title"]) == (
        409,
        "https://csa.lu/problems/idempotency-conflict",
        "Conflict",
    )
    status, _, body = await answer_of(AttendanceDomainError([overlap]))
    assert (status, body["type"], body["detail"]) == (
        422,
        "https://csa.lu/problems/invalid-input",
        "start: overlaps",
    )
    assert body["errors"] == [{"code": "overlap", "field": "start", "message": "overlaps"}]
