"""Use cases of the contracts module; the caller's transaction holds every change.

Domain errors carry their answer (``csa_membership.domain.errors``) and leave as they are;
an error raises before anything is written, and the request's transaction rolls back on any
error, so a refused request never changes what is stored.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from csa_membership.contracts import building, repository
from csa_membership.contracts.access import agent_of, require_agent_scope, scope_of
from csa_membership.contracts.repository import Stored
from csa_membership.contracts.schemas import AmendmentIn, ApplicationIn, RenewalIn, TerminationIn
from csa_membership.domain.application import check_agent, parse_language
from csa_membership.domain.contract import (
    Contract,
    amend,
    file_application,
    sign,
)
from csa_membership.domain.errors import ContractNotFound
from csa_membership.domain.events import MembershipEvent
from csa_membership.domain.lifecycle import (
    amended_event,
    expire,
    expiring,
    renew,
    signed_events,
    terminate,
)
from csa_membership.domain.nin import parse_nin
from csa_membership.events import to_envelope
from csa_shared.auth import Principal
from csa_shared.clock import luxembourg_today
from csa_shared.messaging.outbox import add_to_outbox


async def _publish(
    session: AsyncSession, outbox: Table, contract: Contract, source: str, *events: MembershipEvent
) -> None:
    envelopes = [to_envelope(e, contract, source=source) for e in events]
    await add_to_outbox(session, outbox, *envelopes)


async def _existing(session: AsyncSession, principal: Principal, contract_id: str) -> Stored:
    stored = await repository.get(session, contract_id, for_update=True)
    if stored is None:
        raise ContractNotFound(contract_id)
    assert stored is not None
    require_agent_scope(principal, stored)
    return stored


async def file(
    session: AsyncSession,
    principal: Principal,
    body: ApplicationIn,
    *,
    filed_on: date | None = None,
) -> Stored:
    """File an application (§8); the contract waits for signature in status ``applied``.

    ``filed_on`` defaults to today; only in-process callers (the demo family) pass a date.
    """
    agent = agent_of(principal)
    commune, office = scope_of(principal)
    filed_on = filed_on or luxembourg_today()
    language = parse_language(body.language)
    child_nin = parse_nin(body.child.nin, today=filed_on)
    child_id = await repository.child_id_by_nin(session, child_nin.value)
    rep_nin = building.normalized_nin(body.representative.nin)
    household_id = await repository.household_id_by_representative(session, rep_nin)
    new_child, new_household = child_id is None, household_id is None
    child_id = child_id or str(uuid.uuid4())
    household_id = household_id or str(uuid.uuid4())
    data = building.application_data(
        body, child_id=child_id, birth=child_nin.birth_date, language=language
    )
    existing = [s.contract for s in await repository.of_child(session, child_id)]
    contract = file_application(
        contract_id=str(uuid.uuid4()),
        child_id=child_id,
        household_id=household_id,
        data=data,
        agent=agent,
        filed_on=filed_on,
        existing=existing,
        exception_reason=body.exception_reason,
    )
    if new_child:
        await repository.insert_child(
            session,
            child_id=child_id,
            nin=child_nin.value,
            first=data.child.first_name,
            last=data.child.last_name,
            born=child_nin.birth_date,
        )
    if new_household:
        await repository.insert_household(session, household_id=household_id, nin=rep_nin)
    await repository.insert(session, contract, commune=commune, office=office)
    return Stored(contract, commune, office)


async def sign_contract(
    session: AsyncSession,
    outbox: Table,
    principal: Principal,
    contract_id: str,
    *,
    signed_on: date | None,
    source: str,
) -> Stored:
    """Signature: active from its billing period; contract.signed + child.registered."""
    stored = await _existing(session, principal, contract_id)
    now = luxembourg_today()
    signed = sign(stored.contract, signed_on=signed_on or now, today=now)
    events = signed_events(signed)
    await repository.update(session, stored.contract, signed)
    await _publish(session, outbox, signed, source, *events)
    return Stored(signed, stored.commune, stored.office)


async def amend_contract(
    session: AsyncSession,
    outbox: Table,
    principal: Principal,
    contract_id: str,
    body: AmendmentIn,
    *,
    source: str,
) -> Stored:
    """A new version, effective next billing period unless a date (with a reason) is given.

    The acting agent must be competent for the amended data as for a filing (a commune agent
    keeps the child's address in their commune; a move elsewhere is a new application in the
    new commune); the contract's scope follows the acting agent, so searches stay right.
    """
    stored = await _existing(session, principal, contract_id)
    current = stored.contract
    agent = agent_of(principal)
    data = building.amended_data(current.latest_version.data, body, child_id=current.child_id)
    check_agent(agent, data)
    amended = amend(
        current,
        data=data,
        changes=tuple(body.changes),
        recorded_on=luxembourg_today(),
        effective_from=body.effective_from,
        reason=body.reason,
    )
    event = amended_event(amended)
    commune, office = scope_of(principal)
    await repository.update(session, current, amended, scope=(commune, office))
    await _publish(session, outbox, amended, source, event)
    return Stored(amended, commune, office)


async def renew_contract(
    session: AsyncSession,
    outbox: Table,
    principal: Principal,
    contract_id: str,
    body: RenewalIn,
    *,
    source: str,
) -> Stored:
    """Renewal without a gap; a late one re-bills at most 3 closed billing periods.

    Refused when the child has another pending/active or overlapping contract (409 with its
    id) or is no longer eligible (422 naming the failed conditions).
    """
    agent_of(principal)
    stored = await repository.get(session, contract_id, for_update=True)
    if stored is not None:
        require_agent_scope(principal, stored)
    contract = None if stored is None else stored.contract
    others: list[Contract] = []
    if contract is not None:
        others = [s.contract for s in await repository.of_child(session, contract.child_id)]
    data = None
    if contract is not None:
        data = building.renewal_data(contract.latest_version.data, body)
    renewed, event = renew(
        contract,
        contract_id=contract_id,
        filed_on=luxembourg_today(),
        data=data,
        exception_reason=body.exception_reason,
        others=others,
    )
    assert stored is not None and contract is not None  # renew raised otherwise
    await repository.update(session, contract, renewed)
    await _publish(session, outbox, renewed, source, event)
    return Stored(renewed, stored.commune, stored.office)


async def terminate_contract(
    session: AsyncSession,
    outbox: Table,
    principal: Principal,
    contract_id: str,
    body: TerminationIn,
    *,
    source: str,
) -> Stored:
    stored = await _existing(session, principal, contract_id)
    ended, event = terminate(stored.contract, last_day=body.last_day, reason=body.reason)
    await repository.update(session, stored.contract, ended)
    await _publish(session, outbox, ended, source, event)
    return Stored(ended, stored.commune, stored.office)


async def expire_one(
    session: AsyncSession, outbox: Table, contract_id: str, *, as_of: date, source: str
) -> bool:
    """Expire one contract if still due (re-checked under lock); True when expired."""
    stored = await repository.get(session, contract_id, for_update=True)
    if stored is None or not expiring([stored.contract], as_of=as_of):
        return False
    expired, event = expire(stored.contract, as_of=as_of)
    await repository.update(session, stored.contract, expired)
    await _publish(session, outbox, expired, source, event)
    return True
