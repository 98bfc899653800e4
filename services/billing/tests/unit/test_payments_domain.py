"""Pure rules of the payments: who is paid, the transfers' ids and text, the once-only status."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from csa_billing.domain.payments import (
    PaymentStatus,
    StatementToPay,
    Transition,
    end_to_end_id,
    next_status,
    plan_payments,
    remittance,
    sepa_text,
    status_of_code,
    transfers,
)
from csa_shared.rules.bank_accounts import bic_problem, electronic_form, iban_problem

IBAN = "LU280019400644750000"
SEPA_ID = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]{1,35}$")


def statement(number: str, total: str, iban: str | None = IBAN, **over: object) -> StatementToPay:
    fields: dict[str, object] = {
        "statement_id": f"id-{number}",
        "number": number,
        "provider_id": number.lower(),
        "provider_name": f"Crèche {number} & Co",
        "iban": iban,
        "bic": None,
        "state_total": Decimal(total),
        **over,
    }
    return StatementToPay(**fields)  # type: ignore[arg-type]


def test_only_positive_statements_with_a_valid_iban_are_transfers_the_rest_say_why() -> None:
    planned = plan_payments(
        [
            statement("S4", "12.50"),
            statement("S1", "0.00"),
            statement("S3", "40.00", iban=None),
            statement("S2", "-3.10"),
            statement("S5", "7.00", iban="LU290019400644750000"),
        ]
    )

    assert [(p.number, p.status, p.reason) for p in planned] == [
        ("S1", PaymentStatus.NOT_PAYABLE, "not payable: no positive state amount"),
        ("S2", PaymentStatus.NOT_PAYABLE, "not payable: no positive state amount"),
        ("S3", PaymentStatus.NOT_PAYABLE, "not payable: no IBAN"),
        ("S4", PaymentStatus.EXPORTED, None),
        ("S5", PaymentStatus.NOT_PAYABLE, "not payable: invalid IBAN"),
    ]
    [paid] = transfers(planned)
    assert (paid.amount, paid.creditor_name, paid.end_to_end_id) == (
        Decimal("12.50"),
        "Creche S4 + Co",
        "S4",
    )


def test_an_invalid_bic_is_left_out_and_the_iban_alone_pays() -> None:
    [paid] = plan_payments([statement("S1", "1.00", bic="NOT A BIC")])
    assert (paid.status, paid.bic) == (PaymentStatus.EXPORTED, None)


def test_remittance_names_the_statement_number() -> None:
    assert remittance("S2025-03-sea-1") == "CSA statement S2025-03-sea-1"


def test_sepa_text_drops_accents_and_signs_outside_the_sepa_set() -> None:
    assert (
        sepa_text("Maison Relais « Léif Kanner » & Co_2", 70) == "Maison Relais Leif Kanner + Co 2"
    )
    assert sepa_text("x" * 80, 70) == "x" * 70


@given(st.text(min_size=1, max_size=32))
def test_end_to_end_ids_are_sepa_ids_of_at_most_35_characters(number: str) -> None:
    made = end_to_end_id(number, f"statement-{number}")
    assert SEPA_ID.match(made) and not made.startswith("/") and "//" not in made
    assert made == end_to_end_id(number, f"statement-{number}")  # stable


def test_a_statement_number_sepa_cannot_carry_gets_a_digest_id_per_statement() -> None:
    first, second = end_to_end_id("S2025-03-sea_1", "a"), end_to_end_id("S2025-03-sea_1", "b")
    assert first.startswith("CSA-") and len(first) == 35 and first != second


def test_status_moves_once_from_exported() -> None:
    exported, confirmed, rejected = (
        PaymentStatus.EXPORTED,
        PaymentStatus.CONFIRMED,
        PaymentStatus.REJECTED,
    )
    assert next_status(exported, confirmed) is Transition.APPLIED
    assert next_status(exported, rejected) is Transition.APPLIED
    assert next_status(confirmed, confirmed) is Transition.UNCHANGED
    assert next_status(confirmed, rejected) is Transition.REFUSED
    assert next_status(rejected, confirmed) is Transition.REFUSED
    assert next_status(PaymentStatus.NOT_PAYABLE, confirmed) is Transition.REFUSED
    assert next_status(exported, exported) is Transition.REFUSED


def test_only_final_status_codes_record_a_status() -> None:
    assert [status_of_code(c) for c in ("ACCP", "acsc", "RJCT", "ACSP", "PDNG", "RCVD")] == [
        PaymentStatus.CONFIRMED,
        PaymentStatus.CONFIRMED,
        PaymentStatus.REJECTED,
        None,
        None,
        None,
    ]


@given(st.integers(min_value=4, max_value=19), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_of_a_valid_iban_breaks_its_check(position: int, shift: int) -> None:
    digit = (int(IBAN[position]) + shift) % 10
    assert iban_problem(IBAN) is None
    assert iban_problem(IBAN[:position] + str(digit) + IBAN[position + 1 :]) is not None


def test_bank_identifiers_in_electronic_form() -> None:
    assert electronic_form(" de89 3704 0044 0532 0130 00 ") == "DE89370400440532013000"
    assert iban_problem("DE89370400440532013000") is None
    assert (bic_problem("BCEELULL"), bic_problem("BCEELULLXXX")) == (None, None)
    assert bic_problem("BCEELU") is not None


def test_the_api_names_exactly_the_domain_s_payment_transitions() -> None:
    from typing import get_args

    from csa_billing.domain.payments import Transition
    from csa_billing.payments.schemas import TransitionName

    assert set(get_args(TransitionName)) == {t.value for t in Transition}
