"""Use cases of the registry: register / change providers, start / end education contracts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.domain.contracts import EducationContract, end_contract, start_contract
from csa_attendance.domain.providers import (
    Address,
    Provider,
    ProviderTerms,
    change_provider,
    register_provider,
)
from csa_attendance.events import to_envelope
from csa_attendance.registry import repository
from csa_attendance.registry.schemas import (
    ContractIn,
    ContractOut,
    ProviderIn,
    ProviderOut,
    TermsIn,
    TermsOut,
)
from csa_shared.auth import Forbidden, Principal, require_agent_sees_provider
from csa_shared.errors import Conflict, NotFound
from csa_shared.messaging.outbox import add_to_outbox
from csa_shared.rules.parameters import ProviderType, parameters_in_force


def sea_cap(provider_type: ProviderType, day: date) -> Decimal:
    return parameters_in_force(day).state_cap(provider_type)


def _terms(body: TermsIn | ProviderIn) -> ProviderTerms:
    return ProviderTerms(
        effective_from=body.effective_from,
        name=body.name,
        address=Address(body.address.street, body.address.postcode, body.address.locality),
        commune=body.commune,
        hourly_price=body.hourly_price,
        meal_price=body.meal_price,
        plurilingual=body.plurilingual,
        agency_id=body.agency_id,
        iban=body.iban,
        bic=body.bic,
    )


def provider_out(p: Provider) -> ProviderOut:
    versions = [
        TermsOut(
            version=i,
            effective_from=t.effective_from,
            name=t.name,
            address={
                "street": t.address.street,
                "postcode": t.address.postcode,
                "locality": t.address.locality,
            },
            commune=t.commune,
            hourly_price=t.hourly_price,
            meal_price=t.meal_price,
            plurilingual=t.plurilingual,
            agency_id=t.agency_id,
            iban=t.iban,
            bic=t.bic,
        )
        for i, t in enumerate(p.versions, start=1)
    ]
    return ProviderOut(
        provider_id=p.provider_id,
        provider_type=p.provider_type,
        version=p.version,
        current=versions[-1],
        versions=versions,
    )


def _may_manage(principal: Principal, provider_type: ProviderType, commune: str) -> None:
    """APs are managed by the Dageselteren agency; SEAs by CAE agents and by the agents of
    the SEA's commune (the agency manages no SEA)."""
    access.require_agent(principal)
    if provider_type is ProviderType.ASSISTANT_PARENTAL:
        if not access.is_agency(principal):
            raise Forbidden("parental assistants are managed by the Dageselteren agency")
        return
    require_agent_sees_provider(principal, provider_type, commune)


async def get_provider(session: AsyncSession, provider_id: str) -> Provider:
    found = await repository.load_providers(session, [provider_id])
    if provider_id not in found:
        raise NotFound(f"no provider {provider_id}")
    return found[provider_id]


async def visible_provider(
    session: AsyncSession, principal: Principal, provider_id: str
) -> Provider:
    """``provider_id``, for its own provider system or an agent of its scope (who may also
    keep its education contracts); 403 for anyone else, before the lookup for principals
    that see no provider."""
    if not access.is_agent(principal) and access.provider_of(principal) != provider_id:
        raise Forbidden("a provider system acts on its own records only")
    provider = await get_provider(session, provider_id)
    if access.is_agent(principal):
        access.require_agent_for(principal, provider)
    return provider


async def agent_may_see(session: AsyncSession, principal: Principal, provider_id: str) -> bool:
    """Whether an agent's scope holds ``provider_id`` (an unknown provider: no)."""
    found = await repository.load_providers(session, [provider_id])
    return provider_id in found and access.agent_sees(principal, found[provider_id])


async def require_agent_reads(
    session: AsyncSession, principal: Principal, provider_id: str
) -> None:
    """An agent lists the records of a provider of its scope only (403); an unknown provider
    has no records to hide."""
    found = await repository.load_providers(session, [provider_id])
    if provider_id in found:
        access.require_agent_for(principal, found[provider_id])


async def of_visible_providers(
    session: AsyncSession, principal: Principal, contracts: list[EducationContract]
) -> list[EducationContract]:
    """The ``contracts`` whose provider ``principal`` sees (an agent's list is scoped)."""
    found = await repository.load_providers(session, {c.provider_id for c in contracts})
    return [
        c
        for c in contracts
        if c.provider_id in found and access.agent_sees(principal, found[c.provider_id])
    ]


async def register(
    session: AsyncSession, outbox: Table, principal: Principal, body: ProviderIn, *, source: str
) -> ProviderOut:
    _may_manage(principal, body.provider_type, body.commune)
    if await repository.load_providers(session, [body.provider_id]):
        raise Conflict(f"provider {body.provider_id} is already registered")
    provider, event = register_provider(
        provider_id=body.provider_id,
        provider_type=body.provider_type,
        terms=_terms(body),
        sea_cap=sea_cap(body.provider_type, body.effective_from),
        closed_months=await repository.closed_months(session),
    )
    await repository.save_provider_version(session, provider, new=True)
    await add_to_outbox(session, outbox, to_envelope(event, source=source))
    return provider_out(provider)


async def change(
    session: AsyncSession,
    outbox: Table,
    principal: Principal,
    provider_id: str,
    body: TermsIn,
    *,
    source: str,
) -> ProviderOut:
    provider = await get_provider(session, provider_id)
    # competent for the provider where it is and where the new terms put it
    _may_manage(principal, provider.provider_type, provider.current.commune)
    _may_manage(principal, provider.provider_type, body.commune)
    changed, event = change_provider(
        provider,
        terms=_terms(body),
        sea_cap=sea_cap(provider.provider_type, body.effective_from),
        closed_months=await repository.closed_months(session),
    )
    await repository.save_provider_version(session, changed, new=False)
    await add_to_outbox(session, outbox, to_envelope(event, source=source))
    return provider_out(changed)


def contract_out(c: EducationContract) -> ContractOut:
    return ContractOut(
        contract_id=c.contract_id,
        child_id=c.child_id,
        provider_id=c.provider_id,
        start=c.start,
        end=c.end,
        hours_per_week=c.hours_per_week,
        hourly_price=c.hourly_price,
        billing_mode=c.billing_mode,
        version=c.version,
    )


async def start(
    session: AsyncSession, outbox: Table, principal: Principal, body: ContractIn, *, source: str
) -> ContractOut:
    provider = await visible_provider(session, principal, body.provider_id)
    if await repository.contracts_of(session, contract_id=body.contract_id):
        raise Conflict(f"contract {body.contract_id} already exists")
    contract = EducationContract(**body.model_dump())
    existing = await repository.contracts_of(
        session, provider_id=body.provider_id, child_ids=[body.child_id]
    )
    event = start_contract(
        contract,
        provider_type=provider.provider_type,
        sea_cap=sea_cap(provider.provider_type, body.start),
        existing=existing,
        closed_months=await repository.closed_months(session),
    )
    await repository.insert_contract(session, contract)
    await add_to_outbox(
        session,
        outbox,
        to_envelope(event, source=source, provider_type=provider.provider_type.value),
    )
    return contract_out(contract)


async def end(
    session: AsyncSession,
    outbox: Table,
    principal: Principal,
    contract_id: str,
    last_day: date,
    *,
    source: str,
) -> ContractOut:
    found = await repository.contracts_of(session, contract_id=contract_id)
    if not found:
        raise NotFound(f"no contract {contract_id}")
    await visible_provider(session, principal, found[0].provider_id)
    ended, event = end_contract(
        found[0], end=last_day, closed_months=await repository.closed_months(session)
    )
    await repository.update_contract_end(session, ended)
    await add_to_outbox(session, outbox, to_envelope(event, source=source))
    return contract_out(ended)
