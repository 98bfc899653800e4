"""Queries of the privacy module: what identity holds about a child and its accounts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.tables import (
    account_children,
    accounts,
    activation_codes,
    audit_log,
    cards,
    certificates,
    letters,
    pending_flows,
    refresh_families,
    sms_limit_keys,
    sms_messages,
)


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result.all()]


async def account_ids_of_child(session: AsyncSession, child_id: str) -> list[str]:
    query = select(account_children.c.account_id).where(account_children.c.child_id == child_id)
    return sorted(set(await session.scalars(query)))


async def card_row(session: AsyncSession, child_id: str) -> dict[str, Any] | None:
    query = select(
        cards.c.child_id,
        cards.c.iam_code,
        cards.c.linking_code_issued_at,
        cards.c.linking_code_spent_at,
        cards.c.valid_until,
        cards.c.duplicate_number,
        cards.c.surname,
        cards.c.first_name,
        cards.c.birth_date,
        cards.c.language,
        cards.c.address,
    ).where(cards.c.child_id == child_id)
    found = _rows(await session.execute(query))
    return found[0] if found else None


async def account_rows(session: AsyncSession, account_ids: Sequence[str]) -> list[dict[str, Any]]:
    query = (
        select(
            accounts.c.account_id,
            accounts.c.email,
            accounts.c.mobile,
            accounts.c.status,
            accounts.c.created_at,
            accounts.c.sessions_valid_after,
        )
        .where(accounts.c.account_id.in_(account_ids))
        .order_by(accounts.c.account_id)
    )
    found = _rows(await session.execute(query))
    links = _rows(
        await session.execute(
            select(account_children)
            .where(account_children.c.account_id.in_(account_ids))
            .order_by(account_children.c.attached_at)
        )
    )
    for account in found:
        account["children"] = [
            {k: v for k, v in link.items() if k != "account_id"}
            for link in links
            if link["account_id"] == account["account_id"]
        ]
    return found


async def certificate_rows(
    session: AsyncSession, account_ids: Sequence[str]
) -> list[dict[str, Any]]:
    query = (
        select(certificates)
        .where(certificates.c.account_id.in_(account_ids))
        .order_by(certificates.c.registered_at)
    )
    return _rows(await session.execute(query))


async def session_rows(session: AsyncSession, account_ids: Sequence[str]) -> list[dict[str, Any]]:
    query = (
        select(
            refresh_families.c.family_id,
            refresh_families.c.subject,
            refresh_families.c.created_at,
            refresh_families.c.last_used_at,
            refresh_families.c.revoked_at,
        )
        .where(refresh_families.c.subject.in_(account_ids))
        .order_by(refresh_families.c.created_at)
    )
    return _rows(await session.execute(query))


async def letter_rows(
    session: AsyncSession, child_id: str, account_ids: Sequence[str]
) -> list[dict[str, Any]]:
    query = (
        select(
            letters.c.id,
            letters.c.kind,
            letters.c.child_id,
            letters.c.account_id,
            letters.c.language,
            letters.c.recipient,
            letters.c.created_at,
            letters.c.exported_at,
        )
        .where(or_(letters.c.child_id == child_id, letters.c.account_id.in_(account_ids)))
        .order_by(letters.c.id)
    )
    return _rows(await session.execute(query))


async def audit_rows(session: AsyncSession, subjects: Sequence[str]) -> list[dict[str, Any]]:
    query = select(audit_log).where(audit_log.c.subject.in_(subjects)).order_by(audit_log.c.id)
    return _rows(await session.execute(query))


# ---- erasure ---------------------------------------------------------------------------


async def erase_card(
    session: AsyncSession,
    child_id: str,
    *,
    iam_code: str,
    erased: str,
    now: datetime,
    last_valid_day: date,
) -> bool:
    """Revoke the card (linking code spent, validity ended) and scrub its holder; False
    when there is no card or it was erased already."""
    result = await session.execute(
        update(cards)
        .where(cards.c.child_id == child_id, cards.c.surname != erased)
        .values(
            iam_code=iam_code,
            linking_code_hash=erased,
            linking_code_spent_at=now,
            valid_until=last_valid_day,
            surname=erased,
            first_name=erased,
            address={},
        )
    )
    return bool(result.rowcount)


async def detach_child(session: AsyncSession, child_id: str) -> None:
    await session.execute(delete(account_children).where(account_children.c.child_id == child_id))


async def children_left(session: AsyncSession, account_id: str) -> int:
    query = select(account_children.c.child_id).where(account_children.c.account_id == account_id)
    return len(list(await session.scalars(query)))


async def revoke_sessions(session: AsyncSession, account_id: str, *, now: datetime) -> None:
    await session.execute(
        update(refresh_families)
        .where(refresh_families.c.subject == account_id, refresh_families.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await session.execute(
        update(accounts).where(accounts.c.account_id == account_id).values(sessions_valid_after=now)
    )


async def disable_account(
    session: AsyncSession, account_id: str, *, status: str, erased: str
) -> None:
    """No child left: the account is suspended, its contact data and secrets removed."""
    mobile = await session.scalar(
        select(accounts.c.mobile).where(accounts.c.account_id == account_id)
    )
    if mobile:
        await session.execute(delete(sms_messages).where(sms_messages.c.phone == mobile))
        await session.execute(delete(sms_limit_keys).where(sms_limit_keys.c.key == mobile))
    await session.execute(
        update(accounts)
        .where(accounts.c.account_id == account_id)
        .values(status=status, email=None, mobile="", password_hash=erased)
    )
    for table, column in (
        (certificates, certificates.c.account_id),
        (activation_codes, activation_codes.c.account_id),
        (pending_flows, pending_flows.c.account_id),
        (letters, letters.c.account_id),
        (sms_messages, sms_messages.c.account_key),
        (sms_limit_keys, sms_limit_keys.c.key),
    ):
        await session.execute(delete(table).where(column == account_id))


async def forget_child_spool(session: AsyncSession, child_id: str, iam_code: str | None) -> None:
    """Letters (they carry the codes and the address), the SMS of registrations with the
    child's IAM code, and flows still pending for the child."""
    await session.execute(delete(letters).where(letters.c.child_id == child_id))
    if iam_code:
        await session.execute(
            delete(sms_messages).where(sms_messages.c.account_key == f"iam:{iam_code}")
        )
        await session.execute(
            delete(sms_limit_keys).where(sms_limit_keys.c.key == f"iam:{iam_code}")
        )
    await session.execute(delete(pending_flows).where(pending_flows.c.child_id == child_id))
