"""Every query of the registry: providers with their versions, education contracts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.domain.contracts import BillingMode, EducationContract
from csa_attendance.domain.providers import Address, Provider, ProviderTerms
from csa_attendance.presences.repository import one_of, row_type
from csa_attendance.tables import (
    closed_periods,
    education_contracts,
    provider_versions,
    providers,
)
from csa_shared.rules.parameters import ProviderType


def _registry_changed(session: AsyncSession) -> None:
    """This process changed the registry: its cache forgets (other processes' caches see
    the version raised when they next use it)."""
    from csa_attendance.registry.cache import cache_of

    cache_of(session).invalidate()


def _terms(row: Any) -> ProviderTerms:
    return ProviderTerms(
        effective_from=row.effective_from,
        name=row.name,
        address=Address(row.street, row.postcode, row.locality),
        commune=row.commune,
        hourly_price=row.hourly_price,
        meal_price=row.meal_price,
        plurilingual=row.plurilingual,
        agency_id=row.agency_id,
        iban=row.iban,
        bic=row.bic,
    )


async def load_providers(session: AsyncSession, ids: Iterable[str]) -> dict[str, Provider]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    versions = (
        await session.execute(  # one round trip: every version with its provider's type
            select(provider_versions, providers.c.provider_type)
            .join(providers, providers.c.provider_id == provider_versions.c.provider_id)
            .where(provider_versions.c.provider_id.in_(wanted))
            .order_by(provider_versions.c.provider_id, provider_versions.c.version)
        )
    ).all()
    types: dict[str, str] = {}
    terms: dict[str, list[ProviderTerms]] = {}
    for row in versions:
        types[row.provider_id] = row.provider_type
        terms.setdefault(row.provider_id, []).append(_terms(row))
    return {
        pid: Provider(pid, ProviderType(kind), tuple(terms[pid])) for pid, kind in types.items()
    }


async def provider_index(session: AsyncSession) -> list[tuple[str, ProviderType, str]]:
    """(provider id, type, commune of its current terms) of every provider, by id: what a
    list is filtered on (communes compared case-folded, as agents' scopes are)."""
    rows = await session.execute(
        select(providers.c.provider_id, providers.c.provider_type, provider_versions.c.commune)
        .join(
            provider_versions,
            (provider_versions.c.provider_id == providers.c.provider_id)
            & (provider_versions.c.version == providers.c.version),
        )
        .order_by(providers.c.provider_id)
    )
    return [(pid, ProviderType(kind), commune) for pid, kind, commune in rows.all()]


async def save_provider_version(session: AsyncSession, provider: Provider, *, new: bool) -> None:
    _registry_changed(session)
    now = datetime.now(UTC)
    if new:
        await session.execute(
            providers.insert().values(
                provider_id=provider.provider_id,
                provider_type=provider.provider_type.value,
                version=provider.version,
                created_at=now,
            )
        )
    else:
        await session.execute(
            update(providers)
            .where(providers.c.provider_id == provider.provider_id)
            .values(version=provider.version)
        )
    t = provider.current
    await session.execute(
        provider_versions.insert().values(
            provider_id=provider.provider_id,
            version=provider.version,
            effective_from=t.effective_from,
            name=t.name,
            street=t.address.street,
            postcode=t.address.postcode,
            locality=t.address.locality,
            commune=t.commune,
            hourly_price=t.hourly_price,
            meal_price=t.meal_price,
            plurilingual=t.plurilingual,
            agency_id=t.agency_id,
            iban=t.iban,
            bic=t.bic,
            recorded_at=now,
        )
    )


def _contract(row: Any) -> EducationContract:
    return EducationContract(
        contract_id=row.contract_id,
        child_id=row.child_id,
        provider_id=row.provider_id,
        start=row.start,
        end=row.end,
        hours_per_week=row.hours_per_week,
        hourly_price=row.hourly_price,
        billing_mode=BillingMode(row.billing_mode),
        version=row.version,
    )


async def contracts_of(
    session: AsyncSession,
    *,
    provider_id: str | None = None,
    child_ids: Iterable[str] | None = None,
    contract_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[EducationContract]:
    query = select(education_contracts).order_by(education_contracts.c.contract_id)
    if provider_id is not None:
        query = query.where(education_contracts.c.provider_id == provider_id)
    if child_ids is not None:
        query = query.where(one_of(session, education_contracts.c.child_id, child_ids))
    if contract_id is not None:
        query = query.where(education_contracts.c.contract_id == contract_id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    make = row_type(education_contracts)._make  # select(table): the table's columns
    return [_contract(make(r)) for r in (await session.execute(query)).all()]


async def insert_contract(session: AsyncSession, c: EducationContract) -> None:
    _registry_changed(session)
    await session.execute(
        education_contracts.insert().values(
            contract_id=c.contract_id,
            child_id=c.child_id,
            provider_id=c.provider_id,
            start=c.start,
            end=c.end,
            hours_per_week=c.hours_per_week,
            hourly_price=c.hourly_price,
            billing_mode=c.billing_mode.value,
            version=c.version,
            created_at=datetime.now(UTC),
        )
    )


async def update_contract_end(session: AsyncSession, c: EducationContract) -> None:
    _registry_changed(session)
    await session.execute(
        update(education_contracts)
        .where(education_contracts.c.contract_id == c.contract_id)
        .values(end=c.end, version=c.version)
    )


async def closed_months(session: AsyncSession) -> set[str]:
    return set((await session.execute(select(closed_periods.c.month))).scalars())


async def record_closed_period(session: AsyncSession, month: str, closed_at: datetime) -> bool:
    """Remember that billing closed `month`; False when it was already known (a repeat)."""
    _registry_changed(session)
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(closed_periods).values(month=month, closed_at=closed_at).on_conflict_do_nothing()
    )
    return bool(result.rowcount)
