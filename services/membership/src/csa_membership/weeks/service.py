"""Use cases of the weeks module; the caller's transaction holds every change.

Who may do what (the token's principal, as everywhere in the platform):

* enter a week: the provider system of the week's ``provider_id`` (its token's
  ``provider_id`` claim and ``provider:<id>`` scope, as attendance checks them), a commune
  agent for a week held in its commune, a CAE agent for any. Membership keeps no provider
  register: ``provider_id`` is attendance's id, taken as given;
* read the weeks on offer: any signed-in principal (an offer is public within the platform);
* sign a child up or cancel: a parent whose token lists the child (``children`` claim);
* read a child's sign-ups: that parent; a week's sign-ups: the week's provider and the
  agents who may enter it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from csa_membership.domain.errors import WeekFull, WeekNotFound
from csa_membership.domain.weeks import (
    WeekOffer,
    check_offer,
    check_sign_up,
    check_still_open,
    fits_age,
)
from csa_membership.weeks import repository
from csa_membership.weeks.repository import CANCELLED, SIGNED_UP, SignUp, StoredWeek
from csa_shared.auth import (
    Forbidden,
    Principal,
    PrincipalKind,
    Role,
    require_provider,
    same_commune,
)
from csa_shared.clock import luxembourg_today


@dataclass(frozen=True)
class SignedUp:
    sign_up: SignUp
    created: bool


def _require_entrant(principal: Principal, offer: WeekOffer) -> None:
    if principal.kind is PrincipalKind.PROVIDER:
        require_provider(principal, offer.provider_id)
        return
    if principal.kind is PrincipalKind.AGENT:
        if principal.has_role(Role.CAE_AGENT):
            return
        if principal.has_role(Role.COMMUNE_AGENT):
            if same_commune(principal.commune, offer.commune):
                return
            raise Forbidden("this week is held in another commune than the agent's")
    raise Forbidden("only the week's provider, commune agents and CAE agents enter weeks")


def _require_parent_of(principal: Principal, child_id: str) -> None:
    if principal.kind is not PrincipalKind.PARENT or child_id not in principal.children:
        raise Forbidden("only a parent signs up or cancels, for a child attached to the account")


async def _week(session: AsyncSession, week_id: str, *, for_update: bool = False) -> StoredWeek:
    week = await repository.get_week(session, week_id, for_update=for_update)
    if week is None:
        raise WeekNotFound(f"week {week_id} does not exist")
    assert week is not None
    return week


async def enter_week(session: AsyncSession, principal: Principal, offer: WeekOffer) -> StoredWeek:
    _require_entrant(principal, offer)
    checked = check_offer(offer, today=luxembourg_today())
    return await repository.insert_week(
        session, str(uuid.uuid4()), checked, entered_by=principal.subject
    )


async def read_week(session: AsyncSession, week_id: str) -> StoredWeek:
    return await _week(session, week_id)


async def weeks_on_offer(
    session: AsyncSession,
    principal: Principal,
    *,
    provider_id: str | None,
    child_id: str | None,
    limit: int,
) -> list[StoredWeek]:
    """Weeks not started yet, earliest first; for ``child_id``, those its age fits."""
    tomorrow = luxembourg_today() + timedelta(days=1)  # a week that started is closed
    if child_id is None:
        return await repository.list_weeks(
            session, starting_from=tomorrow, provider_id=provider_id, limit=limit
        )
    _require_parent_of(principal, child_id)
    born = await repository.birth_date_of(session, child_id)
    found = await repository.list_weeks(
        session, starting_from=tomorrow, provider_id=provider_id, limit=limit
    )
    return [w for w in found if born is not None and fits_age(w.offer, born)]


async def _current(session: AsyncSession, week_id: str, child_id: str) -> SignUp:
    [found] = await repository.sign_ups(session, week_id=week_id, child_id=child_id)
    return found


async def sign_up(
    session: AsyncSession, principal: Principal, week_id: str, child_id: str
) -> SignedUp:
    """Sign the child up, once: a repeat answers the standing sign-up (``created`` False).

    The place is claimed by one conditional UPDATE, which also locks the week until commit;
    the child's status is read again under that lock, so two requests for the same child
    never take two places.
    """
    _require_parent_of(principal, child_id)
    week = await _week(session, week_id)
    if await repository.status_of(session, week_id, child_id) == SIGNED_UP:
        return SignedUp(await _current(session, week_id, child_id), created=False)
    check_sign_up(
        week.offer,
        birth_date=await repository.birth_date_of(session, child_id),
        contract_in_force=await repository.has_contract_in_force(session, child_id),
        today=luxembourg_today(),
    )
    claimed = await repository.claim_place(session, week_id)
    status = await repository.status_of(session, week_id, child_id)
    if status == SIGNED_UP:  # a twin request signed the child up meanwhile
        if claimed:
            await repository.release_place(session, week_id)
        return SignedUp(await _current(session, week_id, child_id), created=False)
    if not claimed:
        raise WeekFull(f"every place of week {week_id} is taken")
    await repository.record_sign_up(
        session, week_id, child_id, by=principal.subject, again=status == CANCELLED
    )
    return SignedUp(await _current(session, week_id, child_id), created=True)


async def cancel(
    session: AsyncSession, principal: Principal, week_id: str, child_id: str
) -> SignUp:
    """Cancel before the week starts; the place is free again. A repeat answers the same."""
    _require_parent_of(principal, child_id)
    week = await _week(session, week_id, for_update=True)
    check_still_open(week.offer, today=luxembourg_today())
    if await repository.cancel(session, week_id, child_id):
        await repository.release_place(session, week_id)
    elif await repository.status_of(session, week_id, child_id) is None:
        raise WeekNotFound(
            f"child {child_id} is not signed up for week {week_id}", code="sign_up_not_found"
        )
    return await _current(session, week_id, child_id)


async def sign_ups_of_child(
    session: AsyncSession, principal: Principal, child_id: str
) -> list[SignUp]:
    if principal.kind is not PrincipalKind.PARENT or child_id not in principal.children:
        raise Forbidden("only the child's parent reads its sign-ups")
    return await repository.sign_ups(session, child_id=child_id)


async def sign_ups_of_week(
    session: AsyncSession, principal: Principal, week_id: str
) -> list[SignUp]:
    week = await _week(session, week_id)
    _require_entrant(principal, week.offer)
    return await repository.sign_ups(session, week_id=week_id)
