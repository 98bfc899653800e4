"""Queries of the privacy module: the child's rows as stored, and their pseudonymisation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_membership.tables import children, contract_versions, contracts, households, proofs


def _plain(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


async def child_row(
    session: AsyncSession, child_id: str, *, for_update: bool = False
) -> dict[str, Any] | None:
    query = select(children).where(children.c.child_id == child_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return None if row is None else _plain(row)


async def contract_rows(session: AsyncSession, child_id: str) -> list[dict[str, Any]]:
    query = select(contracts).where(contracts.c.child_id == child_id).order_by(contracts.c.filed_on)
    return [_plain(r) for r in (await session.execute(query)).all()]


async def version_rows(session: AsyncSession, contract_ids: Sequence[str]) -> list[dict[str, Any]]:
    query = (
        select(contract_versions)
        .where(contract_versions.c.contract_id.in_(contract_ids))
        .order_by(contract_versions.c.contract_id, contract_versions.c.number)
    )
    return [_plain(r) for r in (await session.execute(query)).all()]


async def proof_rows(session: AsyncSession, contract_ids: Sequence[str]) -> list[dict[str, Any]]:
    query = (
        select(proofs)
        .where(proofs.c.contract_id.in_(contract_ids))
        .order_by(proofs.c.contract_id, proofs.c.version, proofs.c.position)
    )
    return [_plain(r) for r in (await session.execute(query)).all()]


async def household_rows(
    session: AsyncSession, household_ids: Sequence[str]
) -> list[dict[str, Any]]:
    query = (
        select(households)
        .where(households.c.household_id.in_(household_ids))
        .order_by(households.c.household_id)
    )
    return [_plain(r) for r in (await session.execute(query)).all()]


async def other_children_of(session: AsyncSession, household_id: str, child_id: str) -> list[str]:
    """Children other than ``child_id`` with a contract in the household, not yet erased."""
    query = (
        select(children.c.child_id, children.c.nin)
        .join(contracts, contracts.c.child_id == children.c.child_id)
        .where(contracts.c.household_id == household_id, children.c.child_id != child_id)
        .distinct()
    )
    return [r.child_id for r in (await session.execute(query)).all() if r.nin.isdigit()]


async def scrub_child(session: AsyncSession, child_id: str, *, marker: str, erased: str) -> None:
    await session.execute(
        children.update()
        .where(children.c.child_id == child_id)
        .values(nin=marker, first_name=erased, last_name=erased)
    )


async def scrub_household(session: AsyncSession, household_id: str, *, marker: str) -> None:
    await session.execute(
        households.update()
        .where(households.c.household_id == household_id)
        .values(representative_nin=marker)
    )


async def replace_version_data(
    session: AsyncSession,
    contract_id: str,
    number: int,
    data: dict[str, Any],
    assessment: dict[str, Any],
) -> None:
    await session.execute(
        contract_versions.update()
        .where(contract_versions.c.contract_id == contract_id, contract_versions.c.number == number)
        .values(data=data, assessment=assessment)
    )


async def replace_eligibility(
    session: AsyncSession, contract_id: str, eligibility: dict[str, Any]
) -> None:
    await session.execute(
        contracts.update()
        .where(contracts.c.contract_id == contract_id)
        .values(eligibility=eligibility)
    )


async def scrub_proof_notes(
    session: AsyncSession, contract_ids: Sequence[str], *, erased: str
) -> None:
    await session.execute(
        proofs.update()
        .where(proofs.c.contract_id.in_(contract_ids), proofs.c.note != "")
        .values(note=erased)
    )


async def close_applied(
    session: AsyncSession, contract_id: str, *, reason: str, updated_at: Any
) -> None:
    """An application never signed: no event went out for it, so none is due; it is closed
    as ``terminated`` so that it can no longer be signed with erased data."""
    await session.execute(
        contracts.update()
        .where(contracts.c.contract_id == contract_id, contracts.c.status == "applied")
        .values(status="terminated", termination_reason=reason, updated_at=updated_at)
    )
