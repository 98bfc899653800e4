"""Use cases of the e-mail notices: queue one when billing issues an invoice, project the
contracts' expiry, queue the 30- and 7-day notices, and send what is queued."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.domain.notices import (
    EXPIRY_NOTICE_DAYS,
    due_expiry_notice,
    expiry_kind,
    expiry_mail,
    invoice_mail,
    retry_delay,
)
from csa_identity.notices import repository
from csa_identity.notices.mailer import MailNotSent, SmtpMailer
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

# a claimed mail not reported sent or failed by then (the sender died) is tried again
SEND_LEASE = timedelta(minutes=5)
SEND_BATCH = 50


async def notify_invoice_issued(
    session: AsyncSession, data: dict[str, Any], *, now: datetime
) -> bool:
    """Queue the e-mail of an issued invoice or adjustment (``invoice.issued.v1``) to the
    account the child is attached to; True when a mail was queued. No account, no e-mail
    address, or the notice already decided (a redelivered event): nothing."""
    child_id = str(data["child_id"])
    recipient = await repository.recipient_of(session, child_id)
    if recipient is None:
        return False
    kind = str(data.get("kind") or "invoice")
    claimed = await repository.record_notice(
        session, child_id=child_id, reference=str(data["invoice_id"]), kind=kind, now=now
    )
    if not claimed:
        return False
    email, language = recipient
    mail = invoice_mail(
        kind=kind,
        number=str(data["number"]),
        month=str(data["corrects_month"]),  # an adjustment's: the month it corrects
        amount=str(data["parent_total"]),
        language=language,
    )
    await repository.queue_mail(session, recipient=email, language=language, mail=mail, now=now)
    return True


async def project_contract(session: AsyncSession, data: dict[str, Any], *, active: bool) -> None:
    await repository.project_contract(
        session,
        child_id=str(data["child_id"]),
        contract_id=str(data["contract_id"]),
        valid_until=date.fromisoformat(str(data["valid_until"])),
        language=str(data["language"]),
        active=active,
    )


async def queue_expiry_notices(session: AsyncSession, *, today: date, now: datetime) -> int:
    """Queue the 30- and 7-day notices due ``today``, each once per child and contract;
    the number queued."""
    horizon = today + timedelta(days=max(EXPIRY_NOTICE_DAYS))
    queued = 0
    ending = await repository.active_contracts_ending(session, from_day=today, to_day=horizon)
    for child_id, contract_id, valid_until in ending:
        days = due_expiry_notice(valid_until, today)
        if days is None:
            continue
        recipient = await repository.recipient_of(session, child_id)
        if recipient is None:
            continue
        claimed = await repository.record_notice(
            session, child_id=child_id, reference=contract_id, kind=expiry_kind(days), now=now
        )
        if not claimed:
            continue
        email, language = recipient
        mail = expiry_mail(days=days, valid_until=valid_until, language=language)
        await repository.queue_mail(session, recipient=email, language=language, mail=mail, now=now)
        queued += 1
    return queued


async def send_due_mails(runtime: ServiceRuntime, mailer: SmtpMailer, *, now: datetime) -> int:
    """Send the mails due at ``now``: each one sent is deleted, each failure waits its
    back-off; the number sent."""
    async with runtime.unit_of_work() as session:
        claimed = await repository.claim_due_mails(
            session, now=now, lease_until=now + SEND_LEASE, limit=SEND_BATCH
        )
    sent = 0
    for mail in claimed:
        try:
            await mailer.send(
                recipient=mail["recipient"],
                subject=mail["subject"],
                body=mail["body"],
                language=mail["language"],
            )
        except MailNotSent as exc:
            log.warning("mail not sent, kept queued", extra={"attempts": mail["attempts"]})
            async with runtime.unit_of_work() as session:
                await repository.mail_failed(
                    session,
                    mail["id"],
                    next_attempt=now + retry_delay(mail["attempts"]),
                    error=str(exc),
                )
            continue
        async with runtime.unit_of_work() as session:
            await repository.mail_sent(session, mail["id"])
        sent += 1
    return sent
