"""Use cases of the payments: export a closed period's batch once, its documents, and the
transfers' status from the bank's report or an agent's call. No SQL here, no commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.domain.payments import (
    MAX_NAME,
    PaymentStatus,
    Transition,
    message_id,
    next_status,
    plan_payments,
    sepa_text,
    status_of_code,
)
from csa_billing.payments import repository
from csa_billing.payments.documents import accounting_csv, pain_001
from csa_billing.payments.settings import PaymentSettings
from csa_billing.payments.status_reports import TransactionStatus
from csa_shared.errors import ApplicationError, Conflict, NotFound, Unprocessable
from csa_shared.rules.periods import parse_month


class PaymentsNotConfigured(ApplicationError):
    status, code, title = 503, "payments-not-configured", "Payments not configured"


def month_of(text: str) -> str:
    """``YYYY-MM`` checked (422 otherwise)."""
    year, month = parse_month(text)
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True, slots=True)
class Batch:
    row: Any
    payments: list[Any]
    created: bool  # False: the month's batch existed already (idempotent export)


async def export(
    session: AsyncSession, month: str, settings: PaymentSettings, now: datetime | None = None
) -> Batch:
    """The month's batch, created on the first call for a closed period: every statement
    planned (`plan_payments`), the export instant and the debtor account stored once."""
    month = month_of(month)
    if (row := await repository.batch_of(session, month)) is not None:
        return Batch(row, await repository.payments_of(session, month), created=False)
    status = await repository.period_status(session, month)
    if status != "closed":
        raise Conflict(
            f"period {month} is not closed ({status or 'not started'}): nothing to pay yet",
            code="period-not-closed",
        )
    if not settings.configured:
        raise PaymentsNotConfigured(
            "the paying agency's account is not configured "
            "(BILLING_PAYMENT_DEBTOR_NAME, BILLING_PAYMENT_DEBTOR_IBAN)"
        )
    instant = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    created = await repository.insert_batch(
        session,
        month=month,
        message_id=message_id(month),
        created_at=instant,
        execution_date=instant.date(),
        debtor=(
            sepa_text(settings.debtor_name or "", MAX_NAME),
            settings.debtor_iban or "",
            settings.debtor_bic,
        ),
        planned=plan_payments(await repository.statements_to_pay(session, month)),
    )
    row = await repository.batch_of(session, month)
    return Batch(row, await repository.payments_of(session, month), created=created)


async def exported(session: AsyncSession, month: str) -> Batch:
    month = month_of(month)
    row = await repository.batch_of(session, month)
    if row is None:
        raise NotFound(f"the payments of {month} have not been exported")
    return Batch(row, await repository.payments_of(session, month), created=False)


async def credit_transfer_file(session: AsyncSession, month: str) -> bytes:
    batch = await exported(session, month)
    return pain_001(batch.row, batch.payments)


async def accounting_file(session: AsyncSession, month: str) -> bytes:
    batch = await exported(session, month)
    return accounting_csv(batch.row.month, batch.payments)


@dataclass(frozen=True, slots=True)
class StatusOutcome:
    payment: Any  # the payment row after the change
    transition: Transition
    code: str | None = None  # the report's TxSts


async def _apply(
    session: AsyncSession, row: Any, wanted: PaymentStatus, reason: str | None
) -> Transition:
    transition = next_status(PaymentStatus(row.status), wanted)
    if transition is Transition.APPLIED:
        now = datetime.now(UTC)
        if not await repository.record_status(session, row.end_to_end_id, wanted, reason, now):
            # another report or call changed it meanwhile: judge against what it wrote
            fresh = await repository.payment_by(session, end_to_end_id=row.end_to_end_id)
            transition = next_status(PaymentStatus(fresh.status), wanted)
            transition = Transition.REFUSED if transition is Transition.APPLIED else transition
    return transition


async def set_status(
    session: AsyncSession, statement_id: str, wanted: PaymentStatus, reason: str | None
) -> StatusOutcome:
    """An agent records the bank's answer for one statement's transfer (409 when refused)."""
    row = await repository.payment_by(session, statement_id=statement_id)
    if row is None:
        raise NotFound(f"statement {statement_id} has no exported payment")
    transition = await _apply(session, row, wanted, reason)
    if transition is Transition.REFUSED:
        raise Conflict(
            f"the payment of statement {row.statement_number} is {row.status}: "
            f"it cannot become {wanted.value}",
            code="payment-status-final",
        )
    fresh = await repository.payment_by(session, statement_id=statement_id)
    return StatusOutcome(fresh, transition)


async def apply_status_report(
    session: AsyncSession, report: list[TransactionStatus]
) -> list[StatusOutcome]:
    """Each transaction of a pain.002 report on its payment, in file order: final codes
    confirm or reject (once); interim codes change nothing. An end-to-end id this service
    never exported refuses the whole report (422) before anything is recorded."""
    if not report:
        raise Unprocessable("the status report has no transaction status (TxInfAndSts)")
    ids = sorted({t.end_to_end_id for t in report})
    unknown = sorted(set(ids) - await repository.known_end_to_end_ids(session, ids))
    if unknown:
        raise Unprocessable(
            f"unknown end-to-end ids: {', '.join(unknown)}",
            code="unknown-end-to-end-id",
            end_to_end_ids=unknown,
        )
    outcomes = []
    for t in report:
        row = await repository.payment_by(session, end_to_end_id=t.end_to_end_id)
        wanted = status_of_code(t.code)
        transition = Transition.UNCHANGED
        if wanted is not None:
            transition = await _apply(session, row, wanted, t.reason)
        fresh = await repository.payment_by(session, end_to_end_id=t.end_to_end_id)
        outcomes.append(StatusOutcome(fresh, transition, t.code))
    return outcomes
