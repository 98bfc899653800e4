"""Identity consumes membership's child registrations and issues the child's myCard."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.cards.service import holder_from_event, issue_first_card
from csa_identity.context import identity_of
from csa_shared.events import Envelope
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

CHILD_REGISTERED = "lu.csa.membership.child.registered.v1"
GROUP = "identity.mycards"


def subscribe(runtime: ServiceRuntime) -> None:
    context = identity_of(runtime)

    async def on_child_registered(session: AsyncSession, event: Envelope) -> None:
        child_id = str(event.data.get("child_id") or event.subject)
        holder = holder_from_event(event.data)
        issued = await issue_first_card(session, runtime, context, child_id=child_id, holder=holder)
        if issued is not None:
            log.info("myCard issued", extra={"child_id": child_id})

    runtime.consume(
        group=GROUP,
        topics=["csa.membership.events"],
        handlers={CHILD_REGISTERED: on_child_registered},
    )
