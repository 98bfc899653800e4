"""Read use cases: one contract with its history, searches, and the contract PDF."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from csa_membership.contracts import repository
from csa_membership.contracts.access import agent_of, require_reader, scope_of
from csa_membership.contracts.repository import Stored
from csa_membership.contracts.schemas import ContractQuery
from csa_membership.documents.pdf import render_contract_pdf
from csa_membership.domain.application import parse_language
from csa_membership.domain.document import contract_document
from csa_membership.domain.errors import ContractNotFound
from csa_shared.auth import Principal, PrincipalKind


async def read(session: AsyncSession, principal: Principal, contract_id: str) -> Stored:
    stored = await repository.get(session, contract_id)
    if stored is None:
        raise ContractNotFound(contract_id)
    assert stored is not None
    require_reader(principal, stored)
    return stored


async def search(
    session: AsyncSession, principal: Principal, query: ContractQuery
) -> tuple[list[Stored], str | None]:
    """Parents: their attached children's contracts. Agents: their commune's / office's.
    One page of them, and the cursor of the next page (None on the last)."""
    if principal.kind is PrincipalKind.PARENT:
        return await repository.search(session, query, child_ids=principal.children)
    agent_of(principal)
    commune, office = scope_of(principal)
    return await repository.search(session, query, commune=commune, office=office)


async def document_pdf(
    session: AsyncSession, principal: Principal, contract_id: str, *, lang: str | None, on: date
) -> bytes:
    """The contract PDF for the version applying on ``on`` (or the first), in ``lang``."""
    contract = (await read(session, principal, contract_id)).contract
    language = parse_language(lang) if lang else None
    validity = contract.validity
    day = on
    if validity is not None and not validity.covers(on):
        day = validity.valid_from if on < validity.valid_from else validity.valid_until
    if language is not None:
        versions = tuple(
            replace(v, data=replace(v.data, language=language)) for v in contract.versions
        )
        contract = replace(contract, versions=versions)
    document = contract_document(contract, on=day)
    return render_contract_pdf(document)
