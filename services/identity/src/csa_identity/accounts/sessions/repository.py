"""Queries on refresh-token families."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.instants import aware
from csa_identity.adapters.row_locks import lock_row
from csa_identity.domain.sessions import SessionFamily
from csa_identity.tables import refresh_families


async def load_family(session: AsyncSession, family_id: str) -> SessionFamily | None:
    row = (
        await session.execute(
            select(refresh_families).where(refresh_families.c.family_id == family_id)
        )
    ).first()
    if row is None:
        return None
    return SessionFamily(
        family_id=row.family_id,
        subject=row.subject,
        created_at=aware(row.created_at),
        last_used_at=aware(row.last_used_at),
        current_token_hash=row.current_token_hash,
        retired_token_hashes=tuple(row.retired_token_hashes),
        revoked_at=aware(row.revoked_at),
    )


async def lock_family(session: AsyncSession, family_id: str) -> SessionFamily | None:
    """The family, locked until the transaction ends (``adapters.row_locks``): of parallel
    refreshes with one token, the first rotates it and the others present a retired token."""
    if not await lock_row(session, refresh_families.c.family_id, family_id):
        return None
    return await load_family(session, family_id)


async def save_family(session: AsyncSession, family: SessionFamily) -> None:
    values = {
        "subject": family.subject,
        "created_at": family.created_at,
        "last_used_at": family.last_used_at,
        "current_token_hash": family.current_token_hash,
        "retired_token_hashes": list(family.retired_token_hashes),
        "revoked_at": family.revoked_at,
    }
    result = await session.execute(
        update(refresh_families)
        .where(refresh_families.c.family_id == family.family_id)
        .values(**values)
    )
    if not result.rowcount:
        await session.execute(
            refresh_families.insert().values(family_id=family.family_id, **values)
        )
