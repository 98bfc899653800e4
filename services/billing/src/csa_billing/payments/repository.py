"""Every query of the payments: the period's statements with the providers' bank details,
the batch and its payments, and the once-only status change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.domain.payments import PaymentInstruction, PaymentStatus, StatementToPay
from csa_billing.projections.store import insert_for
from csa_billing.tables import billing_period, payment, payment_batch, provider_terms, statement


async def period_status(session: AsyncSession, month: str) -> str | None:
    """``closing`` or ``closed``; None before the period's close started."""
    query = select(billing_period.c.status).where(billing_period.c.month == month)
    return (await session.execute(query)).scalar_one_or_none()


async def statements_to_pay(session: AsyncSession, month: str) -> list[StatementToPay]:
    """The month's statements, each with its provider's name and bank details of the newest
    terms the provider gave (the account it wants to be paid on now)."""
    newest = (
        select(provider_terms.c.provider_id, func.max(provider_terms.c.version).label("version"))
        .group_by(provider_terms.c.provider_id)
        .subquery()
    )
    terms = (
        select(
            provider_terms.c.provider_id,
            provider_terms.c.name,
            provider_terms.c.iban,
            provider_terms.c.bic,
        )
        .join(
            newest,
            (newest.c.provider_id == provider_terms.c.provider_id)
            & (newest.c.version == provider_terms.c.version),
        )
        .subquery()
    )
    query = (
        select(
            statement.c.id,
            statement.c.number,
            statement.c.provider_id,
            statement.c.state_total,
            terms.c.name,
            terms.c.iban,
            terms.c.bic,
        )
        .outerjoin(terms, terms.c.provider_id == statement.c.provider_id)
        .where(statement.c.month == month)
        .order_by(statement.c.number)
    )
    found: dict[str, StatementToPay] = {}
    for row in await session.execute(query):
        # two terms of one version (never written by attendance) would repeat a statement
        found.setdefault(
            row.id,
            StatementToPay(
                statement_id=row.id,
                number=row.number,
                provider_id=row.provider_id,
                provider_name=row.name or row.provider_id,
                iban=row.iban,
                bic=row.bic,
                state_total=Decimal(row.state_total),
            ),
        )
    return list(found.values())


async def batch_of(session: AsyncSession, month: str) -> Any:
    query = select(payment_batch).where(payment_batch.c.month == month)
    return (await session.execute(query)).one_or_none()


async def payments_of(session: AsyncSession, month: str) -> list[Any]:
    query = select(payment).where(payment.c.month == month).order_by(payment.c.statement_number)
    return list(await session.execute(query))


async def insert_batch(
    session: AsyncSession,
    *,
    month: str,
    message_id: str,
    created_at: datetime,
    execution_date: date,
    debtor: tuple[str, str, str | None],
    planned: list[PaymentInstruction],
) -> bool:
    """Write the month's batch and its payments; False (and nothing written) when another
    export of the month got there first."""
    paid = [p for p in planned if p.status is PaymentStatus.EXPORTED]
    name, iban, bic = debtor
    inserted = await session.execute(
        insert_for(session, payment_batch)
        .values(
            month=month,
            message_id=message_id,
            created_at=created_at,
            execution_date=execution_date,
            debtor_name=name,
            debtor_iban=iban,
            debtor_bic=bic,
            transactions=len(paid),
            total=sum((p.amount for p in paid), Decimal("0.00")),
        )
        .on_conflict_do_nothing()
    )
    if not inserted.rowcount:
        return False
    if planned:
        await session.execute(
            payment.insert(),
            [
                {
                    "statement_id": p.statement_id,
                    "month": month,
                    "statement_number": p.number,
                    "provider_id": p.provider_id,
                    "creditor_name": p.creditor_name,
                    "iban": p.iban,
                    "bic": p.bic,
                    "amount": p.amount,
                    "end_to_end_id": p.end_to_end_id,
                    "status": p.status.value,
                    "reason": p.reason,
                    "status_at": None,
                }
                for p in planned
            ],
        )
    return True


async def payment_by(
    session: AsyncSession, *, statement_id: str | None = None, end_to_end_id: str | None = None
) -> Any:
    query = select(payment)
    if statement_id is not None:
        query = query.where(payment.c.statement_id == statement_id)
    if end_to_end_id is not None:
        query = query.where(payment.c.end_to_end_id == end_to_end_id)
    return (await session.execute(query)).one_or_none()


async def known_end_to_end_ids(session: AsyncSession, ids: list[str]) -> set[str]:
    query = select(payment.c.end_to_end_id).where(payment.c.end_to_end_id.in_(ids))
    return set((await session.execute(query)).scalars())


async def record_status(
    session: AsyncSession,
    end_to_end_id: str,
    status: PaymentStatus,
    reason: str | None,
    at: datetime,
) -> bool:
    """Move an exported payment to ``status``: one conditional UPDATE, so of two reports
    (or requests) at once exactly one changes the row; False when it was not exported."""
    result = await session.execute(
        update(payment)
        .where(
            payment.c.end_to_end_id == end_to_end_id,
            payment.c.status == PaymentStatus.EXPORTED.value,
        )
        .values(status=status.value, reason=reason, status_at=at)
    )
    return bool(result.rowcount)
