"""Membership's domain errors answer with their status and their own members
(``domain/errors.py``, rendered by the shared handler)."""

from __future__ import annotations

from csa_membership.domain.errors import (
    ActiveContractConflict,
    FieldProblem,
    IncompleteApplication,
    InvalidDate,
)
from csa_shared.testing.problems import answer_of


async def test_a_second_contract_is_409_naming_the_existing_one() -> None:
    status, _, body = await answer_of(ActiveContractConflict("child-1", "k-1"))
    assert status == 409
    assert body == {
        "type": "https://csa.lu/problems/active-contract-conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "child child-1 already has contract k-1; "
        "only one active contract per child is allowed",
        "existing_contract_id": "k-1",
    }


async def test_an_incomplete_application_is_422_listing_each_field() -> None:
    error = IncompleteApplication((FieldProblem("a.b", "is required"), FieldProblem("c", "bad")))
    status, _, body = await answer_of(error)
    assert (status, body["type"]) == (422, "https://csa.lu/problems/incomplete-application")
    assert body["errors"] == [
        {"field": "a.b", "message": "is required"},
        {"field": "c", "message": "bad"},
    ]


async def test_any_other_refusal_is_422_with_its_code_as_the_type() -> None:
    status, _, body = await answer_of(InvalidDate("born tomorrow"))
    assert (status, body["title"], body["type"], body["detail"]) == (
        422,
        "Invalid input",
        "https://csa.lu/problems/invalid-date",
        "born tomorrow",
    )
