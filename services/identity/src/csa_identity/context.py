"""Everything the identity adapters share, built once per runtime: clock, hashers, policies,
keys and the SMS gateway (reached with ``identity_of(runtime)``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from csa_identity.adapters.keys import KeyManager
from csa_identity.adapters.sms import SmsGateway, gateway_from_settings
from csa_identity.domain.codes import CodeHasher, Pepper
from csa_identity.domain.lockout import LockoutPolicy
from csa_identity.domain.otp import OtpPolicy
from csa_identity.domain.passwords import (
    PasswordHasher,
    PasswordPolicy,
    load_common_passwords,
)
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import SERVICES, Settings, audience_of


@cache
def _common_passwords() -> frozenset[str]:
    return load_common_passwords()


def utc_now() -> datetime:
    return datetime.now(UTC)


def configured_pepper(settings: Settings) -> Pepper | None:
    """``IDENTITY_CODE_PEPPER`` (or ``_FILE``): hex, at least 32 bytes; ``ValueError`` when
    it is not. Every replica must have the same one, or codes fail on the other replicas."""
    if settings.identity_code_pepper is None:
        return None
    try:
        secret = bytes.fromhex(settings.identity_code_pepper.get_secret_value())
    except ValueError:
        raise ValueError("IDENTITY_CODE_PEPPER is not hexadecimal") from None
    if len(secret) < 32:
        raise ValueError(f"IDENTITY_CODE_PEPPER has {len(secret)} bytes, at least 32 are needed")
    return Pepper("env", secret)


def load_pepper(settings: Settings) -> Pepper:
    """The configured pepper (production: ``csa serve`` refuses to start without it); in
    embedded mode and tests a random pepper kept in ``CSA_VAR_DIR/identity-pepper.key``
    (created on first use)."""
    configured = configured_pepper(settings)
    if configured is not None:
        return configured
    path = Path(settings.var_dir) / "identity-pepper.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
    return Pepper("local", bytes.fromhex(path.read_text(encoding="ascii").strip()))


@dataclass
class IdentityContext:
    settings: Settings
    keys: KeyManager
    sms: SmsGateway
    code_hasher: CodeHasher
    password_hasher: PasswordHasher = field(default_factory=PasswordHasher)
    password_policy: PasswordPolicy = field(
        default_factory=lambda: PasswordPolicy(_common_passwords())
    )
    otp_policy: OtpPolicy = field(default_factory=OtpPolicy)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    clock: Callable[[], datetime] = utc_now

    def now(self) -> datetime:
        return self.clock()

    @property
    def audiences(self) -> tuple[str, ...]:
        """Every service accepts the platform's tokens; scopes and roles restrict them."""
        return tuple(audience_of(name) for name in SERVICES)

    @property
    def issuer(self) -> str:
        return self.settings.token_issuer


def attach_context(runtime: ServiceRuntime) -> IdentityContext:
    context = IdentityContext(
        settings=runtime.settings,
        keys=KeyManager(runtime.settings, runtime.sessions),
        sms=gateway_from_settings(runtime.settings),
        code_hasher=CodeHasher(load_pepper(runtime.settings)),
    )
    context.keys.clock = context.now  # reloads follow the (test-controllable) clock
    runtime.identity = context  # type: ignore[attr-defined]
    runtime.token_verifier = context.keys.verifier(audience_of("identity"), clock=context.now)
    runtime.readiness["signing_key"] = context.keys.usable
    return context


def identity_of(runtime: ServiceRuntime) -> IdentityContext:
    context: IdentityContext = runtime.identity  # type: ignore[attr-defined]
    return context
