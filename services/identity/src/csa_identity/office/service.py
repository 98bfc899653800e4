"""Use cases of the virtual office, for the account of the parent's access token.

Steps that count failures (current password, OTP) run as a ``counted_attempt`` and raise the
domain error after the commit, as the login does. An error raised inside a transaction
(wrong linking code, last child, invalid e-mail or mobile, SMS gateway down) rolls that
transaction back; ``failures_audited`` then records the failure in a unit of work of its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.accounts import repository
from csa_identity.accounts.common import OtpSent, send_otp_sms, sms_history
from csa_identity.adapters.audit import audit, failures_audited
from csa_identity.attempts import counted_attempt
from csa_identity.cards import repository as cards
from csa_identity.context import identity_of
from csa_identity.domain import virtual_office as office
from csa_identity.domain.accounts import ParentAccount
from csa_identity.domain.errors import LinkingCodeRejected, OtpRejected
from csa_identity.domain.mycard import canonical_iam_code
from csa_identity.domain.phone import masked
from csa_identity.domain.sms_limits import SmsHistory
from csa_identity.events import CHILD_ATTACHED, CHILD_DETACHED, child_event
from csa_shared.errors import Unauthorized
from csa_shared.messaging.outbox import add_to_outbox
from csa_shared.runtime import ServiceRuntime

FLOW_KIND = "change"


async def account_of(
    session: AsyncSession, account_id: str, *, for_update: bool = True
) -> ParentAccount:
    """The token's account, locked until the transaction ends unless only read: every change
    and every counted attempt is decided by one request at a time (``adapters.row_locks``)."""
    if for_update:
        account = await repository.lock_account(session, account_id)
    else:
        account = await repository.load_account(session, account_id)
    if account is None:
        raise Unauthorized("no account for this token", www_authenticate="Bearer")
    return account


@dataclass(frozen=True, slots=True)
class ChangeStep:
    """``sent`` when a further OTP went out (mobile change: to the new number)."""

    completed: bool
    sent: OtpSent | None = None


async def _start(
    session: AsyncSession, runtime: ServiceRuntime, step: office.OfficeStep, language: str
) -> OtpSent:
    context = identity_of(runtime)
    now = context.now()
    pending, code = step.pending, step.sms_code
    assert pending is not None and code is not None
    flow_id = str(uuid.uuid4())
    await repository.insert_flow(
        session,
        flow_id=flow_id,
        kind=FLOW_KIND,
        challenge=pending.otp,
        started_at=now,
        account_id=pending.account_id,
        payload={
            "kind": pending.kind.value,
            "new_password_hash": pending.new_password_hash,
            "new_mobile": pending.new_mobile,
        },
    )
    return await _send(session, runtime, flow_id, pending, code, language=language, now=now)


async def _send(
    session: AsyncSession,
    runtime: ServiceRuntime,
    flow_id: str,
    pending: office.PendingChange,
    code: str,
    *,
    language: str,
    now: datetime,
) -> OtpSent:
    """The pending change's OTP, by SMS to the number it waits on."""
    context = identity_of(runtime)
    otp = pending.otp
    await send_otp_sms(
        session,
        context,
        account_key=pending.account_id,
        phone=otp.phone,
        code=code,
        language=language,
        now=now,
    )
    return OtpSent(flow_id, masked(otp.phone), otp.expires_at(context.otp_policy))


async def begin_password_change(
    runtime: ServiceRuntime,
    account_id: str,
    *,
    current_password: str,
    new_password: str,
    language: str,
) -> OtpSent:
    context = identity_of(runtime)
    now = context.now()
    async with counted_attempt(
        runtime, now=now, audit_errors="office.password", subject=account_id
    ) as attempt:
        session = attempt.session
        account = await account_of(session, account_id)
        history = await sms_history(session, account_key=account_id, phone=account.mobile, now=now)
        step = office.begin_password_change(
            account,
            current_password=current_password,
            new_password=new_password,
            now=now,
            hasher=context.password_hasher,
            policy=context.password_policy,
            lockout=context.lockout,
            sms_history=history,
            otp_policy=context.otp_policy,
        )
        await repository.save_account(session, step.account)
        if step.error is not None:
            await attempt.refuse_audited(step.error, "office.password", subject=account_id)
        await audit(session, "office.password", now=now, subject=account_id)
        sent = await _start(session, runtime, step, language)
    return sent


async def begin_mobile_change(
    runtime: ServiceRuntime, account_id: str, *, new_mobile: str, language: str
) -> OtpSent:
    context = identity_of(runtime)
    now = context.now()
    async with (
        failures_audited(runtime, "office.mobile", now=now, subject=account_id),
        runtime.unit_of_work() as session,
    ):
        account = await account_of(session, account_id)
        history = await sms_history(session, account_key=account_id, phone=account.mobile, now=now)
        step = office.begin_mobile_change(
            account, new_mobile=new_mobile, now=now, sms_history=history
        )
        sent = await _start(session, runtime, step, language)
        await audit(session, "office.mobile", now=now, subject=account_id)
    return sent


async def confirm_change(
    runtime: ServiceRuntime, account_id: str, *, flow_id: str, sms_code: str, language: str
) -> ChangeStep:
    """The OTP of the current stage; a mobile change's first OTP (old number) sends the second
    one to the new number under the same ``flow_id``."""
    context = identity_of(runtime)
    now = context.now()
    sent: OtpSent | None = None
    async with counted_attempt(
        runtime, now=now, audit_errors="office.change.confirm", subject=account_id
    ) as attempt:
        session = attempt.session
        account = await account_of(session, account_id)
        row = await repository.load_flow(session, flow_id, FLOW_KIND)
        if row is None or row.account_id != account_id:
            attempt.refuse(OtpRejected("otp.expired"))
        pending = office.PendingChange(
            account_id,
            office.ChangeKind(row.payload["kind"]),
            repository.challenge_of(row),
            row.payload.get("new_password_hash"),
            row.payload.get("new_mobile"),
        )
        new_number = SmsHistory()
        if pending.new_mobile is not None:
            new_number = await sms_history(
                session, account_key=account_id, phone=pending.new_mobile, now=now
            )
        step = office.confirm_change(
            account,
            pending,
            sms_code=sms_code,
            now=now,
            lockout=context.lockout,
            new_number_sms_history=new_number,
            otp_policy=context.otp_policy,
        )
        await repository.save_account(session, step.account)
        if step.pending is None:
            await repository.delete_flow(session, flow_id)
        else:
            await repository.save_flow_challenge(session, flow_id, step.pending.otp)
        action = f"office.{pending.kind.value}.confirm"
        if step.error is not None:
            await attempt.refuse_audited(step.error, action, subject=account_id)
        if step.pending is not None and step.sms_code is not None:
            sent = await _send(
                session, runtime, flow_id, step.pending, step.sms_code, language=language, now=now
            )
        await audit(session, action, now=now, subject=account_id)
    return ChangeStep(completed=sent is None, sent=sent)


async def set_email(
    runtime: ServiceRuntime, account_id: str, *, email: str | None
) -> ParentAccount:
    context = identity_of(runtime)
    now = context.now()
    async with (
        failures_audited(runtime, "office.email", now=now, subject=account_id),
        runtime.unit_of_work() as session,
    ):
        account = office.change_email(await account_of(session, account_id), email=email)
        await repository.save_account(session, account)
        await audit(session, "office.email", now=now, subject=account_id)
    return account


async def attach(
    runtime: ServiceRuntime, account_id: str, *, iam_code: str, linking_code: str
) -> ParentAccount:
    context = identity_of(runtime)
    now = context.now()
    code = canonical_iam_code(iam_code) or ""
    async with (
        failures_audited(runtime, "office.attach", now=now, subject=account_id),
        runtime.unit_of_work() as session,
    ):
        account = await account_of(session, account_id)
        card = await cards.card_by_iam_code(session, code) if code else None
        # one linking code, one parent: attaching or registering the child elsewhere waits here
        card = await cards.lock_card(session, card.child_id) if card else None
        if (
            card is not None
            and not account.has_child(card.child_id)
            and await repository.account_id_by_iam_code(session, card.iam_code)
        ):
            raise LinkingCodeRejected("child attached to another account")
        attached = office.attach_child(
            account, card, linking_code=linking_code, now=now, hasher=context.code_hasher
        )
        await repository.save_account(session, attached.account)
        await cards.save_card(session, attached.card)
        event = child_event(
            CHILD_ATTACHED, account_id, attached.card.child_id, now, source=runtime.source
        )
        await add_to_outbox(session, runtime.outbox, event)
        await audit(session, "office.attach", now=now, subject=account_id)
    return attached.account


async def detach(runtime: ServiceRuntime, account_id: str, *, child_id: str) -> ParentAccount:
    context = identity_of(runtime)
    now = context.now()
    async with (
        failures_audited(runtime, "office.detach", now=now, subject=account_id, child=child_id),
        runtime.unit_of_work() as session,
    ):
        account = office.detach_child(await account_of(session, account_id), child_id=child_id)
        await repository.save_account(session, account)
        event = child_event(CHILD_DETACHED, account_id, child_id, now, source=runtime.source)
        await add_to_outbox(session, runtime.outbox, event)
        await audit(session, "office.detach", now=now, subject=account_id, child=child_id)
    return account


async def profile(runtime: ServiceRuntime, account_id: str) -> ParentAccount:
    async with runtime.unit_of_work() as session:
        return await account_of(session, account_id, for_update=False)
