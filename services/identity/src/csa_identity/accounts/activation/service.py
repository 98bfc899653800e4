"""Use cases: activation code by post (request, use with an SMS check, confirm).

Like the login, using and confirming a code run as a ``counted_attempt``: a wrong activation
code or OTP is counted and audited, committed, and only then refused.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.accounts import repository
from csa_identity.accounts.activation.repository import load_activation, save_activation
from csa_identity.accounts.common import OtpSent, mobile_or_none, send_otp_sms, sms_history
from csa_identity.adapters.audit import audit, reason_of
from csa_identity.adapters.letters import letter_language, spool_letter
from csa_identity.attempts import counted_attempt
from csa_identity.cards import repository as cards
from csa_identity.context import IdentityContext, identity_of
from csa_identity.domain.activation import (
    PendingReactivation,
    complete_reactivation,
    issue_activation_code,
    may_send_letter,
    start_reactivation,
)
from csa_identity.domain.errors import ActivationCodeRejected, IdentityError, OtpRejected
from csa_identity.domain.messages import message
from csa_identity.domain.mycard import canonical_iam_code
from csa_identity.domain.phone import masked
from csa_shared.clock import as_luxembourg
from csa_shared.runtime import ServiceRuntime


async def request_activation_letter(runtime: ServiceRuntime, *, iam_code: str) -> None:
    """Post a new activation code to the home address on the child's card. An unknown IAM
    code (or one without an account) answers the same and sends nothing."""
    context = identity_of(runtime)
    now = context.now()
    code = canonical_iam_code(iam_code) or ""
    async with runtime.unit_of_work() as session:
        account = await repository.lock_account_by_iam_code(session, code) if code else None
        link = next((c for c in account.children if c.iam_code == code), None) if account else None
        holder = await cards.holder_of(session, link.child_id) if link else None
        if account is None or link is None or holder is None:
            await audit(session, "activation.request", now=now, outcome="failure")
            return
        if not may_send_letter(await load_activation(session, account.account_id), now=now):
            await audit(
                session,
                "activation.request",
                now=now,
                outcome="throttled",
                subject=account.account_id,
            )
            return
        letter = issue_activation_code(account, now=now, hasher=context.code_hasher)
        await save_activation(session, letter.activation)
        language = letter_language(holder.language)
        valid_until = as_luxembourg(letter.activation.expires_at).date().isoformat()
        body = message(
            "letter.activation",
            language,
            code=letter.code,
            valid_until=valid_until,
        )
        await spool_letter(
            session,
            kind="activation",
            language=language,
            recipient={"name": f"{holder.first_name} {holder.surname}", "address": holder.address},
            body=f"IAM: {code}\n{body}",
            now=now,
            child_id=link.child_id,
            account_id=account.account_id,
        )
        await audit(session, "activation.request", now=now, subject=account.account_id)


async def use_activation_code(
    runtime: ServiceRuntime,
    *,
    iam_code: str,
    activation_code: str,
    new_password: str,
    mobile: str,
    language: str,
) -> OtpSent:
    """IAM code + activation code + new password + mobile → an OTP to that mobile."""
    context = identity_of(runtime)
    now = context.now()
    code = canonical_iam_code(iam_code) or ""
    async with counted_attempt(runtime, now=now) as attempt:
        session = attempt.session
        account = await repository.lock_account_by_iam_code(session, code) if code else None
        if account is None:
            context.code_hasher.verify(activation_code, "0" * 64)  # same work as a known code
            refused = ActivationCodeRejected("not valid")
            await attempt.refuse_audited(refused, "activation.use", reason=reason_of(refused))
        activation = await load_activation(session, account.account_id)
        await repository.lock_sms_keys(
            session, (account.account_id, account.mobile, mobile_or_none(mobile))
        )
        history = await sms_history(
            session, account_key=account.account_id, phone=account.mobile, now=now
        )
        step = start_reactivation(
            account,
            activation,
            code=activation_code,
            new_password=new_password,
            mobile=mobile,
            now=now,
            code_hasher=context.code_hasher,
            password_hasher=context.password_hasher,
            password_policy=context.password_policy,
            sms_history=history,
            otp_policy=context.otp_policy,
        )
        if step.activation is not None:
            await save_activation(session, step.activation)
        if step.error is not None or step.pending is None or step.sms_code is None:
            failure = step.error or ActivationCodeRejected("not valid")
            await attempt.refuse_audited(
                failure, "activation.use", subject=account.account_id, reason=reason_of(failure)
            )
        number = await sms_history(
            session, account_key=account.account_id, phone=step.pending.mobile, now=now
        )
        try:
            number.ensure_allowed(now=now)
        except IdentityError as limited:
            await attempt.refuse_audited(
                limited, "activation.use", subject=account.account_id, reason=reason_of(limited)
            )
        pending = step.pending
        flow_id = await _start_reactivation_flow(
            session,
            context,
            pending,
            iam_code=code,
            sms_code=step.sms_code,
            language=language,
            now=now,
        )
        await audit(session, "activation.use", now=now, subject=account.account_id, reason=None)
    otp = pending.otp
    return OtpSent(flow_id, masked(otp.phone), otp.expires_at(context.otp_policy))


async def _start_reactivation_flow(
    session: AsyncSession,
    context: IdentityContext,
    pending: PendingReactivation,
    *,
    iam_code: str,
    sms_code: str,
    language: str,
    now: datetime,
) -> str:
    """Store the pending reactivation and send its OTP to the new mobile; the flow's id."""
    flow_id = str(uuid.uuid4())
    await repository.insert_flow(
        session,
        flow_id=flow_id,
        kind="reactivation",
        challenge=pending.otp,
        started_at=now,
        account_id=pending.account_id,
        iam_code=iam_code,
        payload={
            "activation_code_hash": pending.activation_code_hash,
            "password_hash": pending.password_hash,
            "mobile": pending.mobile,
        },
    )
    await send_otp_sms(
        session,
        context,
        account_key=pending.account_id,
        phone=pending.mobile,
        code=sms_code,
        language=language,
        now=now,
    )
    return flow_id


async def confirm_activation(runtime: ServiceRuntime, *, flow_id: str, sms_code: str) -> None:
    """The OTP sent to the new mobile: account reactivated, lockouts cleared, sessions revoked."""
    context = identity_of(runtime)
    now = context.now()
    async with counted_attempt(runtime, now=now) as attempt:
        session = attempt.session
        row = await repository.load_flow(session, flow_id, "reactivation")
        account = await repository.lock_account(session, row.account_id) if row else None
        # read again under the account's lock: a check that held it may have counted an attempt
        row = await repository.load_flow(session, flow_id, "reactivation") if account else None
        activation = await load_activation(session, account.account_id) if account else None
        if row is None or account is None or activation is None:
            attempt.refuse(OtpRejected("otp.expired"))
        pending = PendingReactivation(
            account_id=row.account_id,
            activation_code_hash=row.payload["activation_code_hash"],
            password_hash=row.payload["password_hash"],
            mobile=row.payload["mobile"],
            otp=repository.challenge_of(row),
        )
        step = complete_reactivation(
            account, activation, pending, sms_code=sms_code, now=now, otp_policy=context.otp_policy
        )
        if step.pending is not None:
            await repository.save_flow_challenge(session, flow_id, step.pending.otp)
        else:
            await repository.delete_flow(session, flow_id)
        if step.error is not None or step.account is None:
            failure = step.error or OtpRejected("otp.expired")
            await attempt.refuse_audited(failure, "activation.confirm", subject=account.account_id)
        await repository.save_account(session, step.account)
        if step.activation is not None:
            await save_activation(session, step.activation)
        await audit(session, "activation.confirm", now=now, subject=account.account_id)
