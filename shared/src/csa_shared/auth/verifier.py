"""Verify the platform's access tokens (JWT, EdDSA or ES256) against the identity JWKS.

Every service builds one ``TokenVerifier`` with the identity service's JWKS (a dict, or a
callable that fetches it) plus the expected issuer and its own audience name; the FastAPI
dependency calls ``await verify_async(token)`` (or, outside an event loop, ``verify(token)``)
and gets a ``Principal`` or an ``InvalidToken``.

Key rotation: a token whose ``kid`` is not in the loaded set makes the verifier fetch the
key set again, at most once per ``refetch_cooldown`` (a flood of tokens with made-up key ids
cannot hammer the identity service). ``verify_async`` runs that fetch in a worker thread,
so a slow identity never blocks the event loop; a failed fetch keeps the loaded keys.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from csa_shared.auth.errors import InvalidToken
from csa_shared.auth.principal import Principal, PrincipalKind

JwksDocument = Mapping[str, Any]
JwksSource = JwksDocument | Callable[[], JwksDocument]

log = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = ("EdDSA", "ES256")
#: tokens whose signature this process verified, kept (a client sends its token again and
#: again; checking an EdDSA signature and decoding cost a single request's largest share)
VERIFIED_TOKENS = 10_000
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "jti", "kind")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TokenVerifier:
    """Check signature (by ``kid``), ``iss``, ``aud``, ``exp`` / ``iat`` with a small leeway.

    Only asymmetric algorithms are accepted and the algorithm must match the key's JWK, so
    ``alg: none`` and the HS256-with-public-key confusion are refused. With a callable
    source, an unknown ``kid`` triggers a re-fetch (the identity service rotated its key),
    at most one per ``refetch_cooldown`` (``monotonic`` is the cooldown's clock).
    """

    def __init__(
        self,
        jwks: JwksSource,
        *,
        issuer: str,
        audience: str,
        leeway: timedelta = timedelta(seconds=30),
        clock: Callable[[], datetime] = _utc_now,
        refetch_cooldown: timedelta = timedelta(0),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = jwks
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway
        self._clock = clock
        self._cooldown = refetch_cooldown.total_seconds()
        self._monotonic = monotonic
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._fetch_lock = threading.Lock()
        self.fetches = 0
        # token -> (the key that verified it, its claims, its principal)
        self._seen: OrderedDict[str, tuple[jwt.PyJWK, Mapping[str, Any], Principal]] = OrderedDict()
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        """Load the key set; with a callable source a failure keeps the loaded keys."""
        self._fetched_at = self._monotonic()
        self.fetches += 1
        try:
            document = self._source() if callable(self._source) else self._source
        except Exception:
            if not callable(self._source):
                raise
            log.warning("could not fetch the JWKS; keeping the loaded keys", exc_info=True)
            return
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []):
            kid = entry.get("kid")
            if not isinstance(kid, str) or entry.get("alg") not in ALLOWED_ALGORITHMS:
                continue
            keys[kid] = jwt.PyJWK(dict(entry))
        self._keys = keys

    @property
    def has_keys(self) -> bool:
        return bool(self._keys)

    async def usable(self) -> bool:
        """Whether any token can be verified: a key is loaded. With none, the key set is
        fetched again first (at most once per cooldown), so readiness follows identity."""
        if not self._keys and self._refetch_due(""):
            await asyncio.to_thread(self._refetch, "")
        return bool(self._keys)

    def _refetch_due(self, kid: str) -> bool:
        if kid in self._keys or not callable(self._source):
            return False
        return self._fetched_at is None or (self._monotonic() - self._fetched_at >= self._cooldown)

    def _refetch(self, kid: str) -> None:
        """One fetch at a time; callers that waited find the new keys (or the cooldown)."""
        with self._fetch_lock:
            if self._refetch_due(kid):
                self._refresh_keys()

    def _key_for(self, kid: str) -> jwt.PyJWK:
        try:
            return self._keys[kid]
        except KeyError:
            raise InvalidToken("token signed by an unknown key") from None

    @staticmethod
    def _header(token: str) -> tuple[str, str]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        kid, alg = header.get("kid"), header.get("alg")
        if not isinstance(kid, str) or alg not in ALLOWED_ALGORITHMS:
            raise InvalidToken("token algorithm or key id not accepted")
        return kid, alg

    def _known(self, token: str) -> Principal | None:
        """The principal of a token verified before, while the key that verified it is still
        in the loaded set; its times are checked again (it may have expired since)."""
        found = self._seen.get(token)
        if found is None:
            return None
        key, claims, principal = found
        if key not in self._keys.values():
            del self._seen[token]
            return None
        self._check_times(claims)
        self._seen.move_to_end(token)
        return principal

    def verify(self, token: str) -> Principal:
        """Return the token's ``Principal``; raise ``InvalidToken`` on any defect.
        An unknown key id may fetch the key set here, blocking: in async code use
        ``verify_async``."""
        if (known := self._known(token)) is not None:
            return known
        kid, _alg = self._header(token)
        if self._refetch_due(kid):
            self._refetch(kid)
        return self._verified(token)

    async def verify_async(self, token: str) -> Principal:
        """``verify`` for the event loop: a key-set fetch runs in a worker thread."""
        if (known := self._known(token)) is not None:
            return known
        kid, _alg = self._header(token)
        if self._refetch_due(kid):
            await asyncio.to_thread(self._refetch, kid)
        return self._verified(token)

    def _verified(self, token: str) -> Principal:
        kid, alg = self._header(token)
        key = self._key_for(kid)
        if key.algorithm_name != alg:
            raise InvalidToken("token algorithm does not match its key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require": list(REQUIRED_CLAIMS),
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"token rejected: {exc}") from exc
        self._check_times(claims)
        principal = principal_from_claims(claims)
        self._seen[token] = (key, claims, principal)
        if len(self._seen) > VERIFIED_TOKENS:
            self._seen.popitem(last=False)
        return principal

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now = self._clock().timestamp()
        leeway = self._leeway.total_seconds()
        exp, iat = claims["exp"], claims["iat"]
        if not isinstance(exp, int | float) or not isinstance(iat, int | float):
            raise InvalidToken("exp and iat must be numeric")
        if now > exp + leeway:
            raise InvalidToken("token expired")
        if iat > now + leeway:
            raise InvalidToken("token issued in the future")
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and nbf > now + leeway:
            raise InvalidToken("token not yet valid")


def _strings(value: Any, claim: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidToken(f"claim {claim!r} must be a list of strings")
    return frozenset(value)


def _optional_string(value: Any, claim: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidToken(f"claim {claim!r} must be a string")


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Map verified claims to a ``Principal`` (the claims contract is in ``principal.py``)."""
    try:
        kind = PrincipalKind(claims["kind"])
    except (KeyError, ValueError):
        raise InvalidToken("unknown principal kind") from None
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise InvalidToken("claim 'scope' must be a space-separated string")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("claim 'sub' must be a non-empty string")
    principal = Principal(
        subject=subject,
        kind=kind,
        roles=_strings(claims.get("roles"), "roles"),
        scopes=frozenset(scope.split()),
        children=_strings(claims.get("children"), "children"),
        provider_id=_optional_string(claims.get("provider_id"), "provider_id"),
        commune=_optional_string(claims.get("commune"), "commune"),
        office=_optional_string(claims.get("office"), "office"),
        token_id=_optional_string(claims.get("jti"), "jti"),
    )
    if kind is PrincipalKind.PROVIDER and principal.provider_id is None:
        raise InvalidToken("a provider token must name its provider_id")
    return principal
