"""``Idempotency-Key`` honoured on every POST of the ``/v1`` API, once for all services.

The semantics of the IETF draft (draft-ietf-httpapi-idempotency-key-header): a POST sent
again with the same key and the same request gets the first response replayed (with
``Idempotency-Replayed: true``), without running again; the same key with another request
is a 422; a repeat while the first still runs is a 409. Keys belong to a caller (the
token's principal), so no one replays another's response; a request without a valid token
goes on unchanged (the endpoint answers its 401). Kept for ``KEY_LIFETIME``, then purged:
the first keyed POST after every ``PURGE_EVERY`` deletes every expired key (one statement,
its own transaction), so the table holds about one lifetime of keys. A 5xx, a
refusal to retry later (401, 403, 408, 409, 429, 503) or a ``Cache-Control: no-store``
response (identity's secrets) is not kept, so the key can be used again. The natural keys
(a presence's ``record_id``) stay as they are: this is for callers who have none.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from csa_shared.auth import InvalidToken, Principal
from csa_shared.http.limits import _replay as replay_body  # the body, read once, again
from csa_shared.http.problems import problem_response
from csa_shared.idempotency.table import KEY_LENGTH, idempotency_table
from csa_shared.runtime import ServiceRuntime

HEADER = "idempotency-key"
REPLAYED = "idempotency-replayed"
KEY_LIFETIME = timedelta(hours=24)
PURGE_EVERY = timedelta(minutes=5)
NOT_KEPT = frozenset({401, 403, 408, 409, 429, 503})
REPLAYED_HEADERS = ("content-type", "location", "cache-control")
TABLE = idempotency_table(sa.MetaData())


_HEADER = HEADER.encode()


def _keyed(scope: Scope) -> bool:
    return any(name == _HEADER for name, _ in scope.get("headers") or ())


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, runtime: ServiceRuntime, prefix: str = "/v1/") -> None:
        self.app, self.runtime, self.prefix = app, runtime, prefix
        self.next_purge = datetime.min.replace(tzinfo=UTC)  # the first keyed POST purges

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not _keyed(scope):
            await self.app(scope, receive, send)  # (most POSTs: no key, no header object)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if key is None or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if not (0 < len(key) <= KEY_LENGTH and key.isascii() and key.isprintable()):
            refused = problem_response(
                400,
                "Invalid Idempotency-Key",
                f"an Idempotency-Key is 1 to {KEY_LENGTH} printable ASCII characters",
                "idempotency-key-invalid",
            )
            await refused(scope, receive, send)
            return
        caller = await self._caller(headers)
        if caller is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        fingerprint = _fingerprint(scope, body)
        await self._purge_expired()
        answer = await self._claim(caller, key, fingerprint)
        if answer is not None:
            await answer(scope, receive, send)
            return
        await self._run_and_keep(scope, replay_body(body, receive), send, caller, key)

    async def _caller(self, headers: Headers) -> str | None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            principal: Principal = await self.runtime.token_verifier.verify_async(token.strip())
        except InvalidToken:
            return None
        return f"{principal.kind}:{principal.subject}"

    async def _purge_expired(self) -> None:
        """Every key past its lifetime deleted, at most once per ``PURGE_EVERY``."""
        now = datetime.now(UTC)
        if now < self.next_purge:
            return
        self.next_purge = now + PURGE_EVERY
        async with self.runtime.sessions.begin() as session:
            await session.execute(sa.delete(TABLE).where(TABLE.c.created_at < now - KEY_LIFETIME))

    async def _claim(self, caller: str, key: str, fingerprint: str) -> Any:
        """None when this request is the first with its key (now locked); else the answer."""
        now = datetime.now(UTC)
        where = (TABLE.c.caller == caller) & (TABLE.c.key == key)
        try:
            async with self.runtime.sessions.begin() as session:
                row = (await session.execute(sa.select(TABLE).where(where))).first()
                if row is not None and _aware(row.created_at) < now - KEY_LIFETIME:
                    await session.execute(sa.delete(TABLE).where(where))
                    row = None
                if row is None:
                    lock = {"caller": caller, "key": key, "fingerprint": fingerprint}
                    await session.execute(sa.insert(TABLE).values(**lock, created_at=now))
                    return None
        except IntegrityError:  # another request with the key locked it meanwhile
            return _in_progress()
        if row.fingerprint != fingerprint:
            return problem_response(
                422,
                "Idempotency-Key reused",
                "this Idempotency-Key was used with another request",
                "idempotency-key-reused",
            )
        if row.status is None:
            return _in_progress()
        return _Replay(row.status, json.loads(row.headers or "[]"), row.body or b"")

    async def _run_and_keep(
        self, scope: Scope, receive: Receive, send: Send, caller: str, key: str
    ) -> None:
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        where = (TABLE.c.caller == caller) & (TABLE.c.key == key)
        try:
            await self.app(scope, receive, capture)
        except BaseException:
            async with self.runtime.sessions.begin() as session:
                await session.execute(sa.delete(TABLE).where(where))
            raise
        status = started.get("status", 500)
        response_headers = Headers(raw=started.get("headers", []))
        async with self.runtime.sessions.begin() as session:
            if not _kept(status, response_headers):
                await session.execute(sa.delete(TABLE).where(where))
                return
            replayed = [[n, response_headers[n]] for n in REPLAYED_HEADERS if n in response_headers]
            await session.execute(
                sa.update(TABLE)
                .where(where)
                .values(status=status, headers=json.dumps(replayed), body=b"".join(chunks))
            )


def _kept(status: int, headers: Headers) -> bool:
    no_store = "no-store" in headers.get("cache-control", "").lower()
    return status < 500 and status not in NOT_KEPT and not no_store


def _in_progress() -> Any:
    return problem_response(
        409,
        "Request in progress",
        "a request with this Idempotency-Key is still being processed; retry later",
        "idempotency-key-in-use",
    )


def _fingerprint(scope: Scope, body: bytes) -> str:
    target = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
    digest = hashlib.sha256(f"{scope['method']} {target}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class _Replay:
    """The kept response, sent again as it was, marked as a replay."""

    def __init__(self, status: int, headers: list[list[str]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in self.headers]
        raw += [(REPLAYED.encode(), b"true"), (b"content-length", str(len(self.body)).encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": raw})
        await send({"type": "http.response.body", "body": self.body})
