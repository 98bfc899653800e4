"""Identity consumes membership's child registrations (issues the child's myCard),
erasures (detaches the child, revokes its card, scrubs accounts left without a child) and
contracts (each child's expiry, for the notices); the notices group (notices/runtime.py)
e-mails parents about issued invoices and expiring contracts; the webhooks' groups
(webhooks/runtime.py) queue billing's and attendance's events for partners' apps."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.cards.service import holder_from_event, issue_first_card
from csa_identity.context import identity_of
from csa_identity.notices.runtime import contract_handlers, subscribe_notices
from csa_identity.privacy.service import CHILD_ERASED, erase_child
from csa_identity.webhooks.runtime import subscribe_webhooks
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

    async def on_child_erased(session: AsyncSession, event: Envelope) -> None:
        await erase_child(session, runtime, event)

    runtime.consume(
        group=GROUP,
        topics=["csa.membership.events"],
        handlers={
            CHILD_REGISTERED: on_child_registered,
            CHILD_ERASED: on_child_erased,
            **contract_handlers(runtime),
        },
    )
    subscribe_notices(runtime)
    subscribe_webhooks(runtime)
