"""Who and what an invoice's PDF names, from billing's projections: the child and its legal
representative (membership's ``child.registered``), the contract version's category and rank
(the contract events), the provider's name, address and account (the provider events)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoices.pdf import InvoiceParties, Party
from csa_billing.tables import child_projection, contract_version, provider_terms


def address_lines(address: object) -> list[str]:
    """A postal address as printed lines, whatever the keys of the event that carried it."""
    if not isinstance(address, dict):
        return [str(address)] if address else []
    first = [str(address[k]) for k in ("name", "recipient") if address.get(k)]
    street = [str(address[k]) for k in ("line", "street", "line1", "line2") if address.get(k)]
    town = " ".join(str(address[k]) for k in ("postcode", "locality") if address.get(k))
    country = [str(address["country"])] if address.get("country") else []
    return first + street + ([town] if town else []) + country


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def _commune(address: Any) -> str | None:
    """The family's commune office for a resident (Luxembourg address with its commune);
    None for a non-resident, whose contract the CAE files (csa-rules.md §8)."""
    if isinstance(address, dict) and address.get("country") in ("LU", None):
        commune = address.get("commune")
        return str(commune) if commune else None
    return None


async def _child(session: AsyncSession, child_id: str) -> Any:
    query = select(child_projection).where(child_projection.c.child_id == child_id)
    return (await session.execute(query)).one_or_none()


async def _contract(session: AsyncSession, row: Any) -> Any:
    table = contract_version
    query = select(table.c.category, table.c.rank).where(table.c.child_id == row.child_id)
    if row.contract_id is not None:
        query = query.where(table.c.contract_id == row.contract_id)
    query = query.order_by(table.c.effective_from.desc(), table.c.version.desc()).limit(1)
    return (await session.execute(query)).one_or_none()


async def provider_terms_of(session: AsyncSession, provider_id: str | None) -> Any:
    if provider_id is None:
        return None
    query = (
        select(provider_terms)
        .where(provider_terms.c.provider_id == provider_id)
        .order_by(provider_terms.c.effective_from.desc())
        .limit(1)
    )
    return (await session.execute(query)).one_or_none()


async def invoice_parties(session: AsyncSession, row: Any) -> InvoiceParties:
    """The parties of the invoice ``row``; what billing never learnt is left out."""
    child, contract = await _child(session, row.child_id), await _contract(session, row)
    terms = await provider_terms_of(session, row.provider_id)
    billing = _json(child.billing_address) if child is not None else None
    representative = _json(child.representative) if child is not None else None
    provider = None
    if row.provider_id is not None:
        name = terms.name if terms is not None else row.provider_id
        address = address_lines(_json(terms.address)) if terms is not None else []
        provider = Party(name, address)
    return InvoiceParties(
        child=Party(
            child.display_name if child is not None else row.child_id,
            address_lines(_json(child.home_address)) if child is not None else [],
        ),
        billing_address=address_lines(billing),
        representative=(
            f"{representative['first_name']} {representative['surname']}"
            if representative
            else None
        ),
        provider=provider,
        iban=terms.iban if terms is not None else None,
        bic=terms.bic if terms is not None else None,
        category=contract.category if contract is not None else None,
        rank=contract.rank if contract is not None else None,
        commune=_commune(billing),
    )
