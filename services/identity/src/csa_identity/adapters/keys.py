"""Signing keys: loaded or created at first use, persisted in ``signing_keys``.

Production supplies the private key from outside the database with
``IDENTITY_SIGNING_KEY_FILE`` (a PKCS#8 PEM of an Ed25519 or P-256 key, a mounted secret;
``csa serve`` refuses to start without a usable one); the database keys are then only
published as previous keys. An unusable key file (an RSA key, a broken PEM) makes every
signing request a 503 and ``/readyz`` fail, never a 500. In embedded mode (no
``IDENTITY_URL``) the public JWKS is also written to ``settings.jwks_file``, where the other
services' verifiers read it.

Rotation reaches running processes: ``key_set()`` reloads the keys from the database when
the loaded set is older than ``IDENTITY_KEY_RELOAD_SECONDS`` (default 60 s), so after
``csa identity rotate-keys`` every identity replica signs with the newest key and publishes
it in the JWKS within that interval; older unretired keys stay published (verification)
until they are retired (``retired_at``) or age out of the ``PUBLISHED_KEYS`` newest.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from csa_identity.domain.tokens import KeySet, SigningKey, generate_signing_key
from csa_identity.tables import signing_keys
from csa_shared.auth import TokenVerifier
from csa_shared.errors import ApplicationError
from csa_shared.settings import Settings

PUBLISHED_KEYS = 3
log = logging.getLogger(__name__)


class SigningKeyUnusable(ApplicationError):
    """``IDENTITY_SIGNING_KEY_FILE`` cannot be read or is not an Ed25519 / P-256 key."""

    status, code, title = 503, "signing-key.unusable", "Service unavailable"


def signing_key_problem(location: Path | None) -> str | None:
    """Why the configured signing key cannot sign tokens, or None when it can."""
    if location is None:
        return "IDENTITY_SIGNING_KEY_FILE is not set (an Ed25519 or P-256 PKCS#8 PEM)"
    try:
        _key_from_file(location)
    except SigningKeyUnusable as exc:
        return exc.detail
    return None


def _utc_now() -> datetime:
    return datetime.now(UTC)


class KeyManager:
    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._keys: KeySet | None = None
        self._loaded_at: datetime | None = None
        self._lock = asyncio.Lock()
        self.clock = clock
        self.reload_interval = timedelta(seconds=settings.identity_key_reload_seconds)

    def _stale(self) -> bool:
        if self._keys is None or self._loaded_at is None:
            return True
        now = self.clock()
        return now - self._loaded_at >= self.reload_interval or now < self._loaded_at

    async def key_set(self) -> KeySet:
        """The current key set, reloaded from the database once it is older than the
        reload interval (one reload at a time; other callers keep the loaded set)."""
        if self._stale():
            async with self._lock:
                if self._stale():
                    await self.reload()
        assert self._keys is not None
        return self._keys

    async def reload(self) -> KeySet:
        async with self._sessions.begin() as session:
            stored = await _stored_keys(session)
            if not stored and self._settings.identity_signing_key_file is None:
                stored = [await _insert_new_key(session)]
        location = self._settings.identity_signing_key_file
        external = _key_from_file(location) if location is not None else None
        current = external or stored[0]
        previous = [k.verification_key() for k in stored if k.kid != current.kid]
        self._keys = KeySet(current, tuple(previous[: PUBLISHED_KEYS - 1]))
        self._loaded_at = self.clock()
        self._publish()
        return self._keys

    async def rotate(self) -> KeySet:
        """A new current key; the previous ones stay published until they age out."""
        async with self._sessions.begin() as session:
            await _insert_new_key(session)
        return await self.reload()

    async def usable(self) -> bool:
        """Readiness: the key set loads (an unusable key file makes it fail)."""
        try:
            await self.key_set()
        except Exception:
            log.warning("signing keys not usable", exc_info=True)
            return False
        return True

    def jwks(self) -> dict[str, Any]:
        return self._keys.jwks() if self._keys else {"keys": []}

    def verifier(
        self, audience: str, *, clock: Callable[[], datetime] | None = None
    ) -> TokenVerifier:
        """Identity verifies its own tokens against its in-memory key set."""
        if clock is None:
            return TokenVerifier(self.jwks, issuer=self._settings.token_issuer, audience=audience)
        return TokenVerifier(
            self.jwks, issuer=self._settings.token_issuer, audience=audience, clock=clock
        )

    def _publish(self) -> None:
        if self._settings.identity_url:
            return
        path: Path = self._settings.jwks_file
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.jwks()), encoding="utf-8")
        temporary.replace(path)


def _key_from_file(location: Path) -> SigningKey:
    try:
        pem = location.read_bytes()
        return SigningKey.from_pem("ext-" + hashlib.sha256(pem).hexdigest()[:16], pem)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyUnusable(
            f"IDENTITY_SIGNING_KEY_FILE {location}: {exc}; identity signs with an Ed25519 "
            "or P-256 key in a PKCS#8 PEM (deploy/compose/identity-keygen.py makes one)"
        ) from None


async def _stored_keys(session: AsyncSession) -> list[SigningKey]:
    rows = await session.execute(
        select(signing_keys.c.kid, signing_keys.c.private_pem)
        .where(signing_keys.c.retired_at.is_(None))
        .order_by(signing_keys.c.created_at.desc())
        .limit(PUBLISHED_KEYS)
    )
    return [SigningKey.from_pem(kid, pem.encode()) for kid, pem in rows]


async def _insert_new_key(session: AsyncSession) -> SigningKey:
    key = generate_signing_key(f"k-{uuid.uuid4().hex[:12]}")
    await session.execute(
        signing_keys.insert().values(
            kid=key.kid,
            algorithm=key.algorithm,
            private_pem=key.to_pem().decode(),
            created_at=datetime.now(UTC),
        )
    )
    return key
