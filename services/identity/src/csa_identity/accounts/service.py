"""Use cases: account registration and login (IAM code + password, then SMS OTP).

Each counted step runs as a ``counted_attempt``: failure counters, spent OTP attempts and the
audit trail are committed before the domain error is raised (the request-scoped session
would roll them back with the error answer).
"""

from __future__ import annotations

import uuid

from csa_identity.accounts import repository
from csa_identity.accounts.common import (
    OtpSent,
    Tokens,
    mobile_or_none,
    open_parent_session,
    send_otp_sms,
    sms_history,
)
from csa_identity.adapters.audit import audit, reason_of
from csa_identity.adapters.instants import aware
from csa_identity.attempts import counted_attempt
from csa_identity.cards import repository as cards
from csa_identity.context import identity_of
from csa_identity.domain.errors import IdentityError, LinkingCodeRejected, LoginFailed, OtpRejected
from csa_identity.domain.login import PendingLogin, begin_login, complete_login
from csa_identity.domain.mycard import canonical_iam_code
from csa_identity.domain.phone import masked
from csa_identity.domain.registration import (
    PendingRegistration,
    RegistrationConfirmation,
    confirm_registration,
    start_registration,
)
from csa_identity.events import CHILD_ATTACHED, account_created, child_event
from csa_shared.messaging.outbox import add_to_outbox
from csa_shared.runtime import ServiceRuntime


async def begin_registration(
    runtime: ServiceRuntime,
    *,
    iam_code: str,
    linking_code: str,
    password: str,
    mobile: str,
    language: str,
) -> OtpSent:
    """IAM code + linking code + password + mobile → an OTP to that mobile."""
    context = identity_of(runtime)
    now = context.now()
    code = canonical_iam_code(iam_code) or ""
    async with counted_attempt(runtime, now=now) as attempt:
        session = attempt.session
        card = await cards.card_by_iam_code(session, code) if code else None
        history = await sms_history(
            session, account_key=f"iam:{code}", phone=mobile_or_none(mobile), now=now
        )
        try:
            started = start_registration(
                card,
                linking_code=linking_code,
                password=password,
                mobile=mobile,
                now=now,
                code_hasher=context.code_hasher,
                password_hasher=context.password_hasher,
                password_policy=context.password_policy,
                sms_history=history,
                otp_policy=context.otp_policy,
            )
        except IdentityError as error:
            await attempt.refuse_audited(error, "registration.start", reason=error.code)
        pending = started.pending
        flow_id = str(uuid.uuid4())
        await repository.insert_flow(
            session,
            flow_id=flow_id,
            kind="registration",
            challenge=pending.otp,
            started_at=now,
            child_id=pending.child_id,
            iam_code=pending.iam_code,
            payload={
                "linking_code_hash": pending.linking_code_hash,
                "password_hash": pending.password_hash,
                "mobile": pending.mobile,
            },
        )
        holder = await cards.holder_of(session, pending.child_id)
        await send_otp_sms(
            session,
            context,
            account_key=f"iam:{code}",
            phone=pending.mobile,
            code=started.sms_code,
            language=holder.language if holder else language,
            now=now,
        )
        await audit(session, "registration.start", now=now, subject=pending.child_id)
    return OtpSent(flow_id, masked(pending.mobile), pending.otp.expires_at(context.otp_policy))


async def finish_registration(runtime: ServiceRuntime, *, flow_id: str, sms_code: str) -> Tokens:
    """The OTP of a registration: the account is created, the child attached, signed in."""
    context = identity_of(runtime)
    keys = await context.keys.key_set()
    now = context.now()
    async with counted_attempt(runtime, now=now) as attempt:
        session = attempt.session
        row = await repository.load_flow(session, flow_id, "registration")
        card = await cards.lock_card(session, row.child_id) if row else None
        # read again under the card's lock: a confirmation that held it may have ended the flow
        row = await repository.load_flow(session, flow_id, "registration") if card else None
        if row is None or card is None:
            attempt.refuse(OtpRejected("otp.expired"))
        pending = PendingRegistration(
            child_id=row.child_id,
            iam_code=row.iam_code,
            linking_code_hash=row.payload["linking_code_hash"],
            password_hash=row.payload["password_hash"],
            mobile=row.payload["mobile"],
            otp=repository.challenge_of(row),
            started_at=aware(row.started_at),
        )
        done = confirm_registration(
            pending,
            card,
            sms_code=sms_code,
            account_id=str(uuid.uuid4()),
            now=now,
            otp_policy=context.otp_policy,
        )
        if done.error is None and await repository.account_id_by_iam_code(session, card.iam_code):
            done = RegistrationConfirmation(
                None, error=LinkingCodeRejected("child already attached")
            )
        if done.pending is not None:
            await repository.save_flow_challenge(session, flow_id, done.pending.otp)
        else:
            await repository.delete_flow(session, flow_id)
        if done.error is not None or done.account is None or done.card is None:
            failure = done.error or OtpRejected("otp.expired")
            await attempt.refuse_audited(
                failure, "registration.confirm", subject=row.child_id, reason=reason_of(failure)
            )
        account = done.account
        await repository.save_account(session, account)
        await cards.save_card(session, done.card)
        tokens = await open_parent_session(session, account, context, keys, now)
        await add_to_outbox(
            session,
            runtime.outbox,
            account_created(account, now, source=runtime.source),
            child_event(
                CHILD_ATTACHED, account.account_id, card.child_id, now, source=runtime.source
            ),
        )
        await audit(session, "account.created", now=now, subject=account.account_id)
    return tokens


async def begin_parent_login(
    runtime: ServiceRuntime, *, iam_code: str, password: str, language: str
) -> OtpSent:
    """IAM code + password → an OTP to the account's mobile; a wrong password is counted."""
    context = identity_of(runtime)
    now = context.now()
    code = canonical_iam_code(iam_code) or ""
    async with counted_attempt(runtime, now=now) as attempt:
        session = attempt.session
        account = await repository.lock_account_by_iam_code(session, code) if code else None
        history = await sms_history(
            session,
            account_key=account.account_id if account else "",
            phone=account.mobile if account else None,
            now=now,
        )
        step = begin_login(
            account,
            iam_code=code,
            password=password,
            now=now,
            hasher=context.password_hasher,
            lockout=context.lockout,
            sms_history=history,
            otp_policy=context.otp_policy,
        )
        subject = step.account.account_id if step.account else None
        if step.account is not None:
            await repository.save_account(session, step.account)
            if step.account.password_failures.is_locked(now):
                await audit(session, "login.lockout", now=now, outcome="failure", subject=subject)
        if step.pending is None or step.sms_code is None or step.account is None:
            await attempt.refuse_audited(
                step.error or LoginFailed("login failed"),
                "login.password",
                subject=subject,
                reason=step.error.code if step.error else None,
            )
        flow_id = str(uuid.uuid4())
        pending = step.pending
        await repository.insert_flow(
            session,
            flow_id=flow_id,
            kind="login",
            challenge=pending.otp,
            started_at=now,
            account_id=pending.account_id,
            iam_code=pending.iam_code,
            payload={},
        )
        await send_otp_sms(
            session,
            context,
            account_key=pending.account_id,
            phone=pending.otp.phone,
            code=step.sms_code,
            language=language,
            now=now,
        )
        await audit(session, "login.password", now=now, subject=subject)
    otp = pending.otp
    return OtpSent(flow_id, masked(otp.phone), otp.expires_at(context.otp_policy))


async def finish_parent_login(runtime: ServiceRuntime, *, flow_id: str, sms_code: str) -> Tokens:
    """The login's OTP → tokens; a wrong code is counted (and may lock the account)."""
    context = identity_of(runtime)
    keys = await context.keys.key_set()
    now = context.now()
    async with counted_attempt(runtime, now=now) as attempt:
        session = attempt.session
        row = await repository.load_flow(session, flow_id, "login")
        account = await repository.lock_account(session, row.account_id) if row else None
        # read again under the account's lock: a check that held it may have counted an attempt
        row = await repository.load_flow(session, flow_id, "login") if account else None
        if row is None or account is None:
            attempt.refuse(OtpRejected("otp.expired"))
        pending = PendingLogin(
            row.account_id, row.iam_code, repository.challenge_of(row), aware(row.started_at)
        )
        step = complete_login(
            account,
            pending,
            sms_code=sms_code,
            now=now,
            lockout=context.lockout,
            otp_policy=context.otp_policy,
        )
        assert step.account is not None
        await repository.save_account(session, step.account)
        if step.pending is not None:
            await repository.save_flow_challenge(session, flow_id, step.pending.otp)
        else:
            await repository.delete_flow(session, flow_id)
        if step.error is not None:
            action = "login.lockout" if step.error.code == "lockout.active" else "login.otp"
            await attempt.refuse_audited(step.error, action, subject=account.account_id)
        tokens = await open_parent_session(session, step.account, context, keys, now)
        await audit(session, "login.success", now=now, subject=account.account_id)
    return tokens
