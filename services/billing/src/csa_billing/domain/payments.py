"""The state's payments to the providers: one SEPA credit transfer per provider statement.

Pure rules behind `csa_billing.payments`: which statements are paid and how each transfer is
identified (`plan_payments`), the text SEPA allows, and the once-only payment status
(`next_status`). A statement is paid its `state_total`; an unpaid one is kept with the reason.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from csa_shared.rules.bank_accounts import bic_problem, iban_problem
from csa_shared.rules.money import round_cents

MAX_ID = 35  # Max35Text: MsgId, PmtInfId, EndToEndId
MAX_NAME = 70  # EPC: names are at most 70 characters
MAX_REMITTANCE = 140  # Ustrd
# EPC implementation guidelines: the Latin character set every SEPA bank must accept
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
_SEPA_ID = re.compile(r"^[A-Za-z0-9\-?:().,'+ ]([A-Za-z0-9/\-?:().,'+ ]*[A-Za-z0-9\-?:().,'+ ])?$")


class PaymentStatus(StrEnum):
    """Where a statement's payment stands."""

    EXPORTED = "exported"  # in the period's pain.001 file, outcome unknown
    CONFIRMED = "confirmed"  # the bank accepted or settled the transfer
    REJECTED = "rejected"  # the bank refused it
    NOT_PAYABLE = "not_payable"  # left out of the file (reason says why)


class NotPayable(StrEnum):
    """Why a statement was left out of the payment file."""

    NO_IBAN = "not payable: no IBAN"
    INVALID_IBAN = "not payable: invalid IBAN"
    NOTHING_TO_PAY = "not payable: no positive state amount"


@dataclass(frozen=True, slots=True)
class StatementToPay:
    """A provider statement of a closed period with the provider's newest bank details."""

    statement_id: str
    number: str
    provider_id: str
    provider_name: str
    iban: str | None
    bic: str | None
    state_total: Decimal


@dataclass(frozen=True, slots=True)
class PaymentInstruction:
    """One statement's payment: a transfer of the file, or a statement left out and why."""

    statement_id: str
    number: str
    provider_id: str
    creditor_name: str
    iban: str | None
    bic: str | None
    amount: Decimal
    end_to_end_id: str
    status: PaymentStatus
    reason: str | None


def remittance(statement_number: str) -> str:
    """Unstructured remittance information (Ustrd): the statement number the provider
    reconciles its account with."""
    return sepa_text(f"CSA statement {statement_number}", MAX_REMITTANCE)


def sepa_text(text: str, limit: int) -> str:
    """``text`` in the SEPA character set (accents dropped, "&" as "+", anything else a
    space), spaces collapsed, cut to ``limit`` characters."""
    plain = unicodedata.normalize("NFKD", text.replace("&", "+"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(_NOT_SEPA.sub(" ", plain).split())[:limit]


def message_id(month: str) -> str:
    """The batch's message (and payment information) id: one batch per closed month."""
    return f"CSA-PAY-{month}"


def end_to_end_id(number: str, statement_id: str) -> str:
    """The transfer's end-to-end id, returned in the bank's status report: the statement
    number when SEPA allows it as an id, else a digest of the statement id (stable, unique)."""
    if len(number) <= MAX_ID and _SEPA_ID.match(number) and "//" not in number:
        return number
    return "CSA-" + hashlib.sha256(statement_id.encode()).hexdigest()[: MAX_ID - 4]


def plan_payments(statements: list[StatementToPay]) -> list[PaymentInstruction]:
    """Every statement's payment, in statement-number order: a transfer of ``state_total``
    when it is positive and the provider's IBAN is valid, otherwise not payable."""
    planned = []
    for s in sorted(statements, key=lambda s: s.number):
        amount = round_cents(s.state_total)
        bic = s.bic if s.bic is not None and bic_problem(s.bic) is None else None
        reason: str | None = None
        if amount <= 0:
            reason = NotPayable.NOTHING_TO_PAY.value
        elif not s.iban:
            reason = NotPayable.NO_IBAN.value
        elif iban_problem(s.iban) is not None:
            reason = NotPayable.INVALID_IBAN.value
        planned.append(
            PaymentInstruction(
                statement_id=s.statement_id,
                number=s.number,
                provider_id=s.provider_id,
                creditor_name=sepa_text(s.provider_name, MAX_NAME) or s.provider_id,
                iban=s.iban,
                bic=bic,
                amount=amount,
                end_to_end_id=end_to_end_id(s.number, s.statement_id),
                status=PaymentStatus.NOT_PAYABLE if reason else PaymentStatus.EXPORTED,
                reason=reason,
            )
        )
    return planned


def transfers(planned: list[PaymentInstruction]) -> list[PaymentInstruction]:
    """The payments that go into the file."""
    return [p for p in planned if p.status is PaymentStatus.EXPORTED]


# ISO 20022 ExternalPaymentTransactionStatus1Code: the final answers of a status report
_FINAL_CODES = {
    "ACCP": PaymentStatus.CONFIRMED,  # accepted customer profile
    "ACSC": PaymentStatus.CONFIRMED,  # accepted settlement completed
    "RJCT": PaymentStatus.REJECTED,
}


def status_of_code(code: str) -> PaymentStatus | None:
    """The status a pain.002 transaction status code records; None for an interim code
    (received, pending, in process), which changes nothing."""
    return _FINAL_CODES.get(code.strip().upper())


class Transition(StrEnum):
    """What a recorded status did to a payment (a status moves once: exported to final)."""

    APPLIED = "applied"
    UNCHANGED = "unchanged"  # the payment already had that status (a repeated report)
    REFUSED = "refused"


def next_status(current: PaymentStatus, wanted: PaymentStatus) -> Transition:
    """Payment status moves once, from exported to confirmed or rejected; the same answer
    again changes nothing; anything else (a confirmed payment rejected, a statement that was
    not in the file confirmed) is refused."""
    if wanted not in (PaymentStatus.CONFIRMED, PaymentStatus.REJECTED):
        return Transition.REFUSED
    if current is wanted:
        return Transition.UNCHANGED
    if current is PaymentStatus.EXPORTED:
        return Transition.APPLIED
    return Transition.REFUSED
