"""The notices' consumer group and the two loops identity's runtime runs beside its
requests: the mail sender (every ``MAIL_POLL_SECONDS``) and the contract-expiry check (at
start, then every ``MAIL_EXPIRY_CHECK_SECONDS``; it is idempotent, so every replica may run
it)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.context import identity_of
from csa_identity.notices.mailer import SmtpMailer
from csa_identity.notices.service import (
    notify_invoice_issued,
    project_contract,
    queue_expiry_notices,
    send_due_mails,
)
from csa_identity.notices.settings import MailSettings
from csa_shared.events import Envelope
from csa_shared.messaging.inbox import EventHandler
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

GROUP = "identity.notices"
INVOICE_ISSUED = "lu.csa.billing.invoice.issued.v1"
CONTRACT_IN_FORCE = (
    "lu.csa.membership.contract.signed.v1",
    "lu.csa.membership.contract.amended.v1",
    "lu.csa.membership.contract.renewed.v1",
)
CONTRACT_ENDED = (
    "lu.csa.membership.contract.expired.v1",
    "lu.csa.membership.contract.terminated.v1",
)


def contract_handlers(runtime: ServiceRuntime) -> dict[str, EventHandler]:
    """Handlers of membership's contract events, added to identity's membership group (one
    consumer per topic): they project each child's contract expiry and language."""

    async def on_contract_in_force(session: AsyncSession, event: Envelope) -> None:
        await project_contract(session, event.data, active=True)

    async def on_contract_ended(session: AsyncSession, event: Envelope) -> None:
        await project_contract(session, event.data, active=False)

    handlers: dict[str, EventHandler] = dict.fromkeys(CONTRACT_IN_FORCE, on_contract_in_force)
    handlers.update(dict.fromkeys(CONTRACT_ENDED, on_contract_ended))
    return handlers


def subscribe_notices(runtime: ServiceRuntime, settings: MailSettings | None = None) -> None:
    """Consume billing's issued invoices; run the mail sender and the expiry check."""
    context = identity_of(runtime)
    mail_settings = settings or MailSettings()
    mailer = SmtpMailer(mail_settings)

    async def on_invoice_issued(session: AsyncSession, event: Envelope) -> None:
        await notify_invoice_issued(session, event.data, now=context.now())

    runtime.consume(
        group=GROUP, topics=["csa.billing.events"], handlers={INVOICE_ISSUED: on_invoice_issued}
    )

    async def mail_sender() -> None:
        while True:
            if mailer.configured:
                try:
                    await send_due_mails(runtime, mailer, now=context.now())
                except Exception:  # the database away: try again next round
                    log.exception("mail sender round failed")
            await asyncio.sleep(mail_settings.poll_seconds)

    async def expiry_check() -> None:
        while True:
            try:
                async with runtime.unit_of_work() as session:
                    now = context.now()
                    await queue_expiry_notices(session, today=now.date(), now=now)
            except Exception:
                log.exception("contract expiry check failed")
            await asyncio.sleep(mail_settings.expiry_check_seconds)

    runtime.at_start["identity.mail_sender"] = mail_sender
    runtime.at_start["identity.expiry_check"] = expiry_check
