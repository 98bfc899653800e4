"""Queries on registered LuxTrust certificates."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.instants import aware
from csa_identity.adapters.row_locks import insert_once
from csa_identity.domain.accounts import LuxTrustCertificate
from csa_identity.tables import certificates


async def certificates_of(session: AsyncSession, account_id: str) -> list[LuxTrustCertificate]:
    rows = await session.execute(
        select(certificates)
        .where(certificates.c.account_id == account_id)
        .order_by(certificates.c.registered_at, certificates.c.sha256_fingerprint)
    )
    return [
        LuxTrustCertificate(
            subject=row.subject,
            serial_number=row.serial_number,
            sha256_fingerprint=row.sha256_fingerprint,
            not_valid_after=aware(row.not_valid_after),
            registered_at=aware(row.registered_at),
        )
        for row in rows
    ]


async def owner_of(session: AsyncSession, fingerprint: str) -> str | None:
    owner: str | None = await session.scalar(
        select(certificates.c.account_id).where(certificates.c.sha256_fingerprint == fingerprint)
    )
    return owner


async def insert_certificate(
    session: AsyncSession, account_id: str, certificate: LuxTrustCertificate
) -> bool:
    """False when the certificate is registered already (to another account: the caller
    holds its own account's lock)."""
    return await insert_once(
        session,
        certificates,
        {
            "sha256_fingerprint": certificate.sha256_fingerprint,
            "account_id": account_id,
            "subject": certificate.subject,
            "serial_number": certificate.serial_number,
            "not_valid_after": certificate.not_valid_after,
            "registered_at": certificate.registered_at,
        },
    )


async def delete_certificate(session: AsyncSession, account_id: str, fingerprint: str) -> bool:
    result = await session.execute(
        delete(certificates).where(
            certificates.c.account_id == account_id,
            certificates.c.sha256_fingerprint == fingerprint,
        )
    )
    return bool(result.rowcount)
