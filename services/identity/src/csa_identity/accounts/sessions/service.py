"""Use cases: refresh-token rotation and logout."""

from __future__ import annotations

from csa_identity.accounts import repository
from csa_identity.accounts.common import Tokens, access_token
from csa_identity.accounts.sessions.repository import lock_family, save_family
from csa_identity.adapters.audit import audit
from csa_identity.attempts import counted_attempt
from csa_identity.context import identity_of
from csa_identity.domain.errors import InvalidRefreshToken, RefreshTokenReused
from csa_identity.domain.sessions import (
    family_id_of,
    refresh_token_hash,
    revoke_session,
    rotate_refresh_token,
)
from csa_identity.domain.tokens import ACCESS_TOKEN_TTL
from csa_shared.runtime import ServiceRuntime


async def refresh(runtime: ServiceRuntime, *, refresh_token: str) -> Tokens:
    """New tokens for a current refresh token; a reused (retired) one revokes its family,
    and the revocation is committed before the refusal."""
    context = identity_of(runtime)
    keys = await context.keys.key_set()
    now = context.now()
    family_id = family_id_of(refresh_token)
    async with counted_attempt(runtime, now=now) as attempt:
        session = attempt.session
        family = await lock_family(session, family_id) if family_id else None
        account = await repository.load_account(session, family.subject) if family else None
        if family is None or account is None:
            attempt.refuse(InvalidRefreshToken("session.invalid"))
        step = rotate_refresh_token(
            family, refresh_token, now=now, sessions_valid_after=account.sessions_valid_after
        )
        await save_family(session, step.family)
        if step.error is not None or step.refresh_token is None:
            failure = step.error or InvalidRefreshToken("session.invalid")
            reused = isinstance(failure, RefreshTokenReused)
            action = "session.reuse" if reused else "session.refresh"
            await attempt.refuse_audited(failure, action, subject=account.account_id)
        return Tokens(
            access_token(account, context, keys, now),
            step.refresh_token,
            int(ACCESS_TOKEN_TTL.total_seconds()),
        )


async def logout(runtime: ServiceRuntime, *, refresh_token: str) -> None:
    """Revoke the token's session family; an unknown token is not an error (idempotent)."""
    context = identity_of(runtime)
    now = context.now()
    family_id = family_id_of(refresh_token)
    async with runtime.unit_of_work() as session:
        family = await lock_family(session, family_id) if family_id else None
        if family is None or family.revoked_at is not None:
            return
        if refresh_token_hash(refresh_token) != family.current_token_hash:
            return
        await save_family(session, revoke_session(family, now=now))
        await audit(session, "logout", now=now, subject=family.subject)
