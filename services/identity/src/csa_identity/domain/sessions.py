"""Parent sessions: rotating refresh tokens grouped in a family (one family per login).

Each refresh returns a new refresh token and retires the presented one. A retired token that
comes back means it was stolen (or replayed): the whole family is revoked (OAuth 2.0 Security
BCP, refresh token rotation). Logout revokes the family; reactivation and a password change
revoke every family older than ``ParentAccount.sessions_valid_after``.
Lifetimes fixed here: 12 hours without use, 30 days at most from the login.
Tokens are ``<family_id>.<256-bit secret>``; only the SHA-256 of each is stored (they are
high-entropy, so a fast hash suffices).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from csa_identity.domain.errors import IdentityError, InvalidRefreshToken, RefreshTokenReused
from csa_identity.domain.instants import require_aware

TokenSecret = Callable[[], str]


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle_timeout: timedelta = timedelta(hours=12)
    max_lifetime: timedelta = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class SessionFamily:
    family_id: str
    subject: str
    created_at: datetime
    last_used_at: datetime
    current_token_hash: str
    retired_token_hashes: tuple[str, ...] = ()
    revoked_at: datetime | None = None


def refresh_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def family_id_of(token: str) -> str | None:
    """The family to load for a presented refresh token."""
    family_id, dot, secret = token.partition(".")
    return family_id if dot and family_id and secret else None


@dataclass(frozen=True, slots=True)
class IssuedSession:
    family: SessionFamily
    refresh_token: str


def open_session(
    *, family_id: str, subject: str, now: datetime, new_secret: TokenSecret = _new_secret
) -> IssuedSession:
    """A new family after a completed login; ``family_id`` must not contain a dot."""
    if "." in family_id:
        raise ValueError("family_id must not contain '.'")
    token = f"{family_id}.{new_secret()}"
    family = SessionFamily(
        family_id=family_id,
        subject=subject,
        created_at=require_aware(now),
        last_used_at=now,
        current_token_hash=refresh_token_hash(token),
    )
    return IssuedSession(family, token)


@dataclass(frozen=True, slots=True)
class RefreshStep:
    """``family`` to save in every case; ``refresh_token`` is the new one on success."""

    family: SessionFamily
    refresh_token: str | None = None
    error: IdentityError | None = None


def rotate_refresh_token(
    family: SessionFamily,
    presented: str,
    *,
    now: datetime,
    sessions_valid_after: datetime,
    policy: SessionPolicy = SessionPolicy(),
    new_secret: TokenSecret = _new_secret,
) -> RefreshStep:
    """Swap the current refresh token for a new one; reuse of a retired one revokes the family."""
    require_aware(now)
    digest = refresh_token_hash(presented)
    if family.revoked_at is not None or family_id_of(presented) != family.family_id:
        return RefreshStep(family, error=InvalidRefreshToken("session.invalid"))
    if any(hmac.compare_digest(digest, old) for old in family.retired_token_hashes):
        return RefreshStep(revoke_session(family, now=now), error=RefreshTokenReused("reused"))
    if not hmac.compare_digest(digest, family.current_token_hash):
        return RefreshStep(family, error=InvalidRefreshToken("session.invalid"))
    if (
        family.created_at < sessions_valid_after
        or now - family.last_used_at > policy.idle_timeout
        or now - family.created_at > policy.max_lifetime
    ):
        return RefreshStep(revoke_session(family, now=now), error=InvalidRefreshToken("expired"))
    token = f"{family.family_id}.{new_secret()}"
    rotated = replace(
        family,
        last_used_at=now,
        current_token_hash=refresh_token_hash(token),
        retired_token_hashes=(*family.retired_token_hashes, family.current_token_hash),
    )
    return RefreshStep(rotated, token)


def revoke_session(family: SessionFamily, *, now: datetime) -> SessionFamily:
    """Logout, or a detected reuse: no token of the family works any more."""
    if family.revoked_at is not None:
        return family
    return replace(family, revoked_at=require_aware(now))
