"""Every query of the contracts module."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_membership.contracts import codec
from csa_membership.contracts.schemas import ContractQuery
from csa_membership.domain.contract import (
    AmendmentKind,
    Contract,
    ContractStatus,
    ContractVersion,
)
from csa_membership.tables import children, contract_versions, contracts, households, proofs
from csa_shared.http.pagination import Key, fetch_page


@dataclass(frozen=True)
class Stored:
    """A contract with the scope of the agents who may act on it."""

    contract: Contract
    commune: str | None
    office: str | None


def _now() -> datetime:
    return datetime.now(UTC)


async def child_id_by_nin(session: AsyncSession, nin: str) -> str | None:
    row = (await session.execute(select(children.c.child_id).where(children.c.nin == nin))).first()
    return None if row is None else str(row.child_id)


async def insert_child(
    session: AsyncSession, *, child_id: str, nin: str, first: str, last: str, born: date
) -> None:
    await session.execute(
        children.insert().values(
            child_id=child_id,
            nin=nin,
            first_name=first,
            last_name=last,
            birth_date=born,
            created_at=_now(),
        )
    )


async def household_id_by_representative(session: AsyncSession, nin: str) -> str | None:
    query = select(households.c.household_id).where(households.c.representative_nin == nin)
    row = (await session.execute(query)).first()
    return None if row is None else str(row.household_id)


async def insert_household(session: AsyncSession, *, household_id: str, nin: str) -> None:
    await session.execute(
        households.insert().values(
            household_id=household_id, representative_nin=nin, created_at=_now()
        )
    )


def _version(row: Any) -> ContractVersion:
    return ContractVersion(
        number=row.number,
        effective_from=row.effective_from,
        recorded_on=row.recorded_on,
        data=codec.data_from_json(row.data),
        assessment=codec.assessment_from_json(row.assessment),
        changes=tuple(AmendmentKind(c) for c in row.changes),
        reason=row.reason,
    )


async def _hydrate(session: AsyncSession, rows: Sequence[Any]) -> list[Stored]:
    if not rows:
        return []
    ids = [row.contract_id for row in rows]
    query = (
        select(contract_versions)
        .where(contract_versions.c.contract_id.in_(ids))
        .order_by(contract_versions.c.contract_id, contract_versions.c.number)
    )
    versions: dict[str, list[ContractVersion]] = {}
    for version_row in (await session.execute(query)).all():
        versions.setdefault(version_row.contract_id, []).append(_version(version_row))
    return [
        Stored(
            Contract(
                contract_id=row.contract_id,
                child_id=row.child_id,
                household_id=row.household_id,
                status=ContractStatus(row.status),
                filed_on=row.filed_on,
                filed_by=row.filed_by,
                eligibility=codec.eligibility_from_json(row.eligibility),
                versions=tuple(versions[row.contract_id]),
                terms=codec.terms_from_json(row.terms),
                exception_reason=row.exception_reason,
                signed_on=row.signed_on,
                ended_on=row.ended_on,
                termination_reason=row.termination_reason,
            ),
            row.commune,
            row.office,
        )
        for row in rows
    ]


async def get(
    session: AsyncSession, contract_id: str, *, for_update: bool = False
) -> Stored | None:
    query = select(contracts).where(contracts.c.contract_id == contract_id)
    if for_update:
        query = query.with_for_update()
    found = await _hydrate(session, (await session.execute(query)).all())
    return found[0] if found else None


async def of_child(session: AsyncSession, child_id: str) -> list[Stored]:
    query = select(contracts).where(contracts.c.child_id == child_id).with_for_update()
    return await _hydrate(session, (await session.execute(query)).all())


#: the contract list's order: the most recently filed first, then by id (unique: stable)
LIST_ORDER = (Key(contracts.c.filed_on, descending=True), Key(contracts.c.contract_id))


async def search(
    session: AsyncSession,
    query: ContractQuery,
    *,
    commune: str | None = None,
    office: str | None = None,
    child_ids: Iterable[str] | None = None,
) -> tuple[list[Stored], str | None]:
    """One page of the contracts in scope matching ``query``, and the next page's cursor."""
    found = select(contracts)
    if commune is not None:
        found = found.where(contracts.c.commune_key == commune_key(commune))
    if office is not None:
        found = found.where(contracts.c.office == office)
    if child_ids is not None:
        found = found.where(contracts.c.child_id.in_(list(child_ids)))
    if query.child_id is not None:
        found = found.where(contracts.c.child_id == query.child_id)
    if query.status is not None:
        found = found.where(contracts.c.status == query.status.value)
    if query.month is not None:
        first = date.fromisoformat(f"{query.month}-01")
        last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        found = found.where(
            contracts.c.valid_from <= last,
            contracts.c.valid_until >= first,
            or_(contracts.c.ended_on.is_(None), contracts.c.ended_on >= first),
        )
    rows, next_cursor = await fetch_page(session, found, LIST_ORDER, query)
    return await _hydrate(session, rows), next_cursor


async def due_for_expiry(session: AsyncSession, *, as_of: date) -> list[str]:
    query = (
        select(contracts.c.contract_id)
        .where(
            contracts.c.status == ContractStatus.ACTIVE.value,
            contracts.c.valid_until < as_of,
        )
        .order_by(contracts.c.valid_until, contracts.c.contract_id)
    )
    return [row.contract_id for row in (await session.execute(query)).all()]


def commune_key(commune: str | None) -> str | None:
    """The commune as compared: stripped and case-folded (as the agent scope check does)."""
    return None if commune is None else commune.strip().casefold()


def _scope_row(commune: str | None, office: str | None) -> dict[str, Any]:
    return {"commune": commune, "commune_key": commune_key(commune), "office": office}


def _contract_row(contract: Contract) -> dict[str, Any]:
    validity = contract.validity
    return {
        "status": contract.status.value,
        "eligibility": codec.eligibility_to_json(contract.eligibility),
        "signed_on": contract.signed_on,
        "valid_from": None if validity is None else validity.valid_from,
        "valid_until": None if validity is None else validity.valid_until,
        "ended_on": contract.ended_on,
        "termination_reason": contract.termination_reason,
        "terms": codec.terms_to_json(contract.terms),
        "updated_at": _now(),
    }


async def insert(
    session: AsyncSession, contract: Contract, *, commune: str | None, office: str | None
) -> None:
    await session.execute(
        contracts.insert().values(
            contract_id=contract.contract_id,
            child_id=contract.child_id,
            household_id=contract.household_id,
            filed_on=contract.filed_on,
            filed_by=contract.filed_by,
            exception_reason=contract.exception_reason,
            **_scope_row(commune, office),
            **_contract_row(contract),
        )
    )
    await _insert_versions(session, contract.contract_id, contract.versions)


async def _insert_versions(
    session: AsyncSession, contract_id: str, versions: Iterable[ContractVersion]
) -> None:
    for version in versions:
        await session.execute(
            contract_versions.insert().values(
                contract_id=contract_id,
                number=version.number,
                effective_from=version.effective_from,
                recorded_on=version.recorded_on,
                changes=[c.value for c in version.changes],
                reason=version.reason,
                data=codec.data_to_json(version.data),
                assessment=codec.assessment_to_json(version.assessment),
            )
        )
        for position, proof in enumerate(version.data.proofs):
            await session.execute(
                proofs.insert().values(
                    contract_id=contract_id,
                    version=version.number,
                    position=position,
                    type=proof.type.value,
                    dated=proof.dated,
                    note=proof.note,
                )
            )


async def update(
    session: AsyncSession,
    before: Contract,
    after: Contract,
    *,
    scope: tuple[str | None, str | None] | None = None,
) -> None:
    """Store ``after``: contract row, the first version's start, and the new versions.

    ``scope`` (commune, office), when given, replaces the agents' scope of the contract.
    """
    values = _contract_row(after) | ({} if scope is None else _scope_row(*scope))
    await session.execute(
        contracts.update().where(contracts.c.contract_id == after.contract_id).values(**values)
    )
    known = {v.number: v for v in before.versions}
    for version in after.versions:
        old = known.get(version.number)
        if old is not None and old.effective_from != version.effective_from:
            await session.execute(
                contract_versions.update()
                .where(
                    contract_versions.c.contract_id == after.contract_id,
                    contract_versions.c.number == version.number,
                )
                .values(effective_from=version.effective_from)
            )
    await _insert_versions(
        session, after.contract_id, [v for v in after.versions if v.number not in known]
    )
