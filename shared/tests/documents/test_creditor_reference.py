"""ISO 11649 RF creditor references against published examples."""

from __future__ import annotations

import pytest

from csa_shared.documents.creditor_reference import (
    InvalidReferenceBody,
    creditor_reference,
    grouped,
    is_valid,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("539007547034", "RF18539007547034"),  # the standard's example, "RF18 5390 0754 7034"
        ("000000000539007547034", "RF18000000000539007547034"),  # leading zeros keep the check
        ("2348231", "RF712348231"),  # Wikipedia's "RF71 2348 231"
    ],
)
def test_the_check_digits_of_published_examples(body: str, expected: str) -> None:
    assert creditor_reference(body) == expected
    assert is_valid(expected)


def test_printed_forms_are_read_and_letters_count() -> None:
    assert is_valid("RF18 5390 0754 7034") and is_valid("rf18539007547034")
    reference = creditor_reference("P2025-0000001")
    assert reference.startswith("RF") and reference.endswith("P20250000001")
    assert is_valid(reference) and grouped(reference) == "RF80 P202 5000 0001"


@pytest.mark.parametrize(
    "wrong",
    ["RF19539007547034", "RF18539007547035", "XX18539007547034", "RF18", "RF1853900754703$"],
)
def test_a_wrong_digit_or_shape_is_refused(wrong: str) -> None:
    assert not is_valid(wrong)


@pytest.mark.parametrize("body", ["", "--", "1" * 22])
def test_a_body_an_rf_reference_cannot_carry(body: str) -> None:
    with pytest.raises(InvalidReferenceBody):
        creditor_reference(body)
