"""Queries on activation codes (one per account; a new request replaces the previous one)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.instants import aware
from csa_identity.domain.activation import ActivationCode
from csa_identity.tables import activation_codes


async def load_activation(session: AsyncSession, account_id: str) -> ActivationCode | None:
    row = (
        await session.execute(
            select(activation_codes).where(activation_codes.c.account_id == account_id)
        )
    ).first()
    if row is None:
        return None
    return ActivationCode(
        account_id=row.account_id,
        code_hash=row.code_hash,
        issued_at=aware(row.issued_at),
        expires_at=aware(row.expires_at),
        attempts=row.attempts,
        used_at=aware(row.used_at),
    )


async def save_activation(session: AsyncSession, activation: ActivationCode) -> None:
    values = {
        "code_hash": activation.code_hash,
        "issued_at": activation.issued_at,
        "expires_at": activation.expires_at,
        "attempts": activation.attempts,
        "used_at": activation.used_at,
    }
    result = await session.execute(
        update(activation_codes)
        .where(activation_codes.c.account_id == activation.account_id)
        .values(**values)
    )
    if not result.rowcount:
        await session.execute(
            activation_codes.insert().values(account_id=activation.account_id, **values)
        )
