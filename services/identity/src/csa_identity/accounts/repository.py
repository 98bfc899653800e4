"""Queries on parent accounts, attached children, pending OTP flows and SMS history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.instants import aware
from csa_identity.adapters.row_locks import lock_keys, lock_row
from csa_identity.domain.accounts import AccountStatus, ChildLink, ParentAccount
from csa_identity.domain.lockout import FailureCounter
from csa_identity.domain.otp import OtpChallenge, OtpPurpose
from csa_identity.tables import (
    account_children,
    accounts,
    pending_flows,
    sms_limit_keys,
    sms_messages,
)


def _counter(row: Any, prefix: str) -> FailureCounter:
    return FailureCounter(
        failures=row[f"{prefix}_failures"],
        lockouts=row[f"{prefix}_lockouts"],
        locked_until=aware(row[f"{prefix}_locked_until"]),
    )


async def load_account(session: AsyncSession, account_id: str) -> ParentAccount | None:
    row = (
        (await session.execute(select(accounts).where(accounts.c.account_id == account_id)))
        .mappings()
        .first()
    )
    if row is None:
        return None
    links = await session.execute(
        select(account_children)
        .where(account_children.c.account_id == account_id)
        .order_by(account_children.c.attached_at, account_children.c.child_id)
    )
    return ParentAccount(
        account_id=row["account_id"],
        password_hash=row["password_hash"],
        mobile=row["mobile"],
        children=tuple(ChildLink(r.child_id, r.iam_code, aware(r.attached_at)) for r in links),
        created_at=aware(row["created_at"]),
        sessions_valid_after=aware(row["sessions_valid_after"]),
        status=AccountStatus(row["status"]),
        email=row["email"],
        password_failures=_counter(row, "password"),
        otp_failures=_counter(row, "otp"),
    )


async def account_id_by_iam_code(session: AsyncSession, iam_code: str) -> str | None:
    found: str | None = await session.scalar(
        select(account_children.c.account_id).where(account_children.c.iam_code == iam_code)
    )
    return found


async def lock_account(session: AsyncSession, account_id: str) -> ParentAccount | None:
    """The account, locked until the transaction ends (``adapters.row_locks``), for a use case
    that decides from its counters (or its flows' OTPs, its activation code) and writes them."""
    if not await lock_row(session, accounts.c.account_id, account_id):
        return None
    return await load_account(session, account_id)


async def lock_account_by_iam_code(session: AsyncSession, iam_code: str) -> ParentAccount | None:
    account_id = await account_id_by_iam_code(session, iam_code)
    return await lock_account(session, account_id) if account_id else None


def _account_values(account: ParentAccount) -> dict[str, Any]:
    values: dict[str, Any] = {
        "password_hash": account.password_hash,
        "mobile": account.mobile,
        "email": account.email,
        "status": account.status.value,
        "created_at": account.created_at,
        "sessions_valid_after": account.sessions_valid_after,
    }
    for prefix, counter in (("password", account.password_failures), ("otp", account.otp_failures)):
        values[f"{prefix}_failures"] = counter.failures
        values[f"{prefix}_lockouts"] = counter.lockouts
        values[f"{prefix}_locked_until"] = counter.locked_until
    return values


async def save_account(session: AsyncSession, account: ParentAccount) -> None:
    """Insert or update the account and make its attached children match."""
    values = _account_values(account)
    result = await session.execute(
        update(accounts).where(accounts.c.account_id == account.account_id).values(**values)
    )
    if not result.rowcount:
        await session.execute(accounts.insert().values(account_id=account.account_id, **values))
    await session.execute(
        delete(account_children).where(
            account_children.c.account_id == account.account_id,
            account_children.c.child_id.not_in(account.child_ids),
        )
    )
    stored = set(
        await session.scalars(
            select(account_children.c.child_id).where(
                account_children.c.account_id == account.account_id
            )
        )
    )
    new = [link for link in account.children if link.child_id not in stored]
    if new:
        await session.execute(
            account_children.insert(),
            [
                {
                    "child_id": link.child_id,
                    "account_id": account.account_id,
                    "iam_code": link.iam_code,
                    "attached_at": link.attached_at,
                }
                for link in new
            ],
        )


# --- pending OTP flows -------------------------------------------------------------------


def challenge_of(row: Any) -> OtpChallenge:
    return OtpChallenge(
        purpose=OtpPurpose(row.otp_purpose),
        phone=row.otp_phone,
        secret=row.otp_secret,
        counter=row.otp_counter,
        sent_at=aware(row.otp_sent_at),
        attempts=row.otp_attempts,
        used_at=aware(row.otp_used_at),
    )


def _challenge_values(challenge: OtpChallenge) -> dict[str, Any]:
    return {
        "otp_purpose": challenge.purpose.value,
        "otp_phone": challenge.phone,
        "otp_secret": challenge.secret,
        "otp_counter": challenge.counter,
        "otp_sent_at": challenge.sent_at,
        "otp_attempts": challenge.attempts,
        "otp_used_at": challenge.used_at,
    }


async def insert_flow(
    session: AsyncSession,
    *,
    flow_id: str,
    kind: str,
    challenge: OtpChallenge,
    started_at: datetime,
    payload: dict[str, Any],
    account_id: str | None = None,
    child_id: str | None = None,
    iam_code: str | None = None,
) -> None:
    await session.execute(
        pending_flows.insert().values(
            flow_id=flow_id,
            kind=kind,
            account_id=account_id,
            child_id=child_id,
            iam_code=iam_code,
            payload=payload,
            started_at=started_at,
            **_challenge_values(challenge),
        )
    )


async def load_flow(session: AsyncSession, flow_id: str, kind: str) -> Any | None:
    return (
        await session.execute(
            select(pending_flows).where(
                pending_flows.c.flow_id == flow_id, pending_flows.c.kind == kind
            )
        )
    ).first()


async def save_flow_challenge(session: AsyncSession, flow_id: str, challenge: OtpChallenge) -> None:
    await session.execute(
        update(pending_flows)
        .where(pending_flows.c.flow_id == flow_id)
        .values(**_challenge_values(challenge))
    )


async def delete_flow(session: AsyncSession, flow_id: str) -> None:
    await session.execute(delete(pending_flows).where(pending_flows.c.flow_id == flow_id))


# --- SMS history (rate limits) -----------------------------------------------------------


async def sms_sends(
    session: AsyncSession, *, account_key: str, phone: str, now: datetime
) -> tuple[tuple[datetime, ...], tuple[datetime, ...]]:
    """Earlier SMS of the account key and of the number; both stay locked until the
    transaction ends, so the SMS this request may record is counted by the next one."""
    await lock_sms_keys(session, (account_key, phone))
    since = now - timedelta(days=1)
    recent = select(sms_messages.c.created_at).where(sms_messages.c.created_at > since)
    by_account = await session.scalars(recent.where(sms_messages.c.account_key == account_key))
    by_number = await session.scalars(recent.where(sms_messages.c.phone == phone))
    return tuple(map(aware, by_account)), tuple(map(aware, by_number))


async def lock_sms_keys(session: AsyncSession, keys: Iterable[str | None]) -> None:
    """Lock the SMS limit rows of these account keys and numbers until the transaction ends.
    A use case that checks two numbers locks both at once: taking the second later could
    wait for a request holding it that waits for the first."""
    await lock_keys(session, sms_limit_keys, (key for key in keys if key))


async def record_sms(
    session: AsyncSession, *, account_key: str, phone: str, body: str, gateway: str, now: datetime
) -> None:
    await session.execute(
        sms_messages.insert().values(
            account_key=account_key, phone=phone, body=body, gateway=gateway, created_at=now
        )
    )


async def list_sms(session: AsyncSession, *, limit: int = 50) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(sms_messages).order_by(sms_messages.c.id.desc()).limit(limit)
    )
    return [dict(row._mapping) for row in rows]
