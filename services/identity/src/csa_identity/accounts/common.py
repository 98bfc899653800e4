"""Steps every account flow shares: sending an OTP by SMS and issuing tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.accounts import repository
from csa_identity.accounts.sessions.repository import save_family
from csa_identity.context import IdentityContext
from csa_identity.domain.accounts import ParentAccount
from csa_identity.domain.errors import InvalidPhoneNumber
from csa_identity.domain.messages import message
from csa_identity.domain.phone import normalise_mobile
from csa_identity.domain.sessions import open_session
from csa_identity.domain.sms_limits import SmsHistory
from csa_identity.domain.tokens import (
    ACCESS_TOKEN_TTL,
    KeySet,
    parent_access_claims,
    sign_access_token,
)


@dataclass(frozen=True, slots=True)
class OtpSent:
    flow_id: str
    sent_to: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int


def mobile_or_none(raw: str) -> str | None:
    """The number in E.164, or None when it is not a valid mobile (the domain refuses it)."""
    try:
        return normalise_mobile(raw)
    except InvalidPhoneNumber:
        return None


async def sms_history(
    session: AsyncSession, *, account_key: str, phone: str | None, now: datetime
) -> SmsHistory:
    if phone is None:
        return SmsHistory()
    by_account, by_number = await repository.sms_sends(
        session, account_key=account_key, phone=phone, now=now
    )
    return SmsHistory(by_account, by_number)


async def send_otp_sms(
    session: AsyncSession,
    context: IdentityContext,
    *,
    account_key: str,
    phone: str,
    code: str,
    language: str,
    now: datetime,
) -> None:
    text = message("sms.otp", language, code=code)
    await context.sms.send(phone=phone, text=text)
    await repository.record_sms(
        session, account_key=account_key, phone=phone, body=text, gateway=context.sms.name, now=now
    )


def access_token(
    account: ParentAccount, context: IdentityContext, keys: KeySet, now: datetime
) -> str:
    claims = parent_access_claims(
        account_id=account.account_id, child_ids=account.child_ids, audience=context.audiences
    )
    return sign_access_token(claims, keys=keys, issuer=context.issuer, now=now)


async def open_parent_session(
    session: AsyncSession,
    account: ParentAccount,
    context: IdentityContext,
    keys: KeySet,
    now: datetime,
) -> Tokens:
    issued = open_session(family_id=uuid.uuid4().hex, subject=account.account_id, now=now)
    await save_family(session, issued.family)
    return Tokens(
        access_token=access_token(account, context, keys, now),
        refresh_token=issued.refresh_token,
        expires_in=int(ACCESS_TOKEN_TTL.total_seconds()),
    )
