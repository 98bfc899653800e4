"""Rows of the e-mail notices: recipients, the notices decided, the mail outbox and each
child's contract expiry."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.leases import claim_due
from csa_identity.domain.messages import FALLBACK_LANGUAGE
from csa_identity.domain.notices import Mail
from csa_identity.tables import (
    account_children,
    accounts,
    cards,
    contract_expiries,
    mail_outbox,
    notices,
)


async def recipient_of(session: AsyncSession, child_id: str) -> tuple[str, str] | None:
    """``(e-mail, language)`` of the account the child is attached to, None without one.
    The language is the contract's (membership's events), else the myCard's."""
    email = (
        await session.execute(
            select(accounts.c.email)
            .join(account_children, account_children.c.account_id == accounts.c.account_id)
            .where(account_children.c.child_id == child_id)
        )
    ).scalar_one_or_none()
    if not email:
        return None
    language = (
        await session.execute(
            select(contract_expiries.c.language).where(contract_expiries.c.child_id == child_id)
        )
    ).scalar_one_or_none() or (
        await session.execute(select(cards.c.language).where(cards.c.child_id == child_id))
    ).scalar_one_or_none()
    return email, language or FALLBACK_LANGUAGE


async def record_notice(
    session: AsyncSession, *, child_id: str, reference: str, kind: str, now: datetime
) -> bool:
    """Claim the notice; False when it was already decided (nothing to send again)."""
    try:
        async with session.begin_nested():
            await session.execute(
                insert(notices).values(
                    child_id=child_id, reference=reference, kind=kind, created_at=now
                )
            )
    except IntegrityError:
        return False
    return True


async def queue_mail(
    session: AsyncSession, *, recipient: str, language: str, mail: Mail, now: datetime
) -> None:
    await session.execute(
        insert(mail_outbox).values(
            recipient=recipient,
            language=language,
            subject=mail.subject,
            body=mail.body,
            attempts=0,
            next_attempt=now,
            created_at=now,
        )
    )


async def claim_due_mails(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int
) -> list[dict[str, Any]]:
    """The mails due at ``now``, leased until ``lease_until`` (``adapters.leases``)."""
    due = mail_outbox.c.next_attempt <= now
    return await claim_due(
        session, mail_outbox, key="id", due=due, lease_until=lease_until, limit=limit
    )


async def mail_sent(session: AsyncSession, mail_id: int) -> None:
    await session.execute(delete(mail_outbox).where(mail_outbox.c.id == mail_id))


async def mail_failed(
    session: AsyncSession, mail_id: int, *, next_attempt: datetime, error: str
) -> None:
    await session.execute(
        update(mail_outbox)
        .where(mail_outbox.c.id == mail_id)
        .values(next_attempt=next_attempt, last_error=error[:1000])
    )


async def project_contract(
    session: AsyncSession,
    *,
    child_id: str,
    contract_id: str,
    valid_until: date,
    language: str,
    active: bool,
) -> None:
    values = {
        "contract_id": contract_id,
        "valid_until": valid_until,
        "language": language,
        "active": active,
    }
    changed = await session.execute(
        update(contract_expiries).where(contract_expiries.c.child_id == child_id).values(**values)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        await session.execute(insert(contract_expiries).values(child_id=child_id, **values))


async def active_contracts_ending(
    session: AsyncSession, *, from_day: date, to_day: date
) -> list[tuple[str, str, date]]:
    """``(child_id, contract_id, valid_until)`` of active contracts ending in the window."""
    rows = await session.execute(
        select(
            contract_expiries.c.child_id,
            contract_expiries.c.contract_id,
            contract_expiries.c.valid_until,
        ).where(
            contract_expiries.c.active.is_(True),
            contract_expiries.c.valid_until >= from_day,
            contract_expiries.c.valid_until <= to_day,
        )
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def forget_for_erasure(session: AsyncSession, child_id: str, account_ids: list[str]) -> None:
    """Erasure of a child: its contract projection goes, and so do the mails still queued
    for the accounts about to be scrubbed (their address would outlive the scrub)."""
    await session.execute(delete(contract_expiries).where(contract_expiries.c.child_id == child_id))
    if account_ids:
        addresses = select(accounts.c.email).where(accounts.c.account_id.in_(account_ids))
        await session.execute(delete(mail_outbox).where(mail_outbox.c.recipient.in_(addresses)))
