"""Reads retried inside the service when the database (or broker) failed them transiently.

A GET or HEAD changes nothing and each attempt runs in a transaction of its own, so one
answered with a transient 503 (a connection lost, the database restarting: the problem
handlers mark it with ``TRANSIENT_HEADER``) is run again after a short backoff before the
503 goes out; most blips then never reach the caller. A write is answered at once with its
503 and ``Retry-After``: whether to send it again is the caller's decision (an idempotency
key, a duplicate check), not the service's.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt
from tenacity import wait_exponential as exponential

from csa_shared.http.problems import TRANSIENT_HEADER

_MARK = TRANSIENT_HEADER.encode()
SAFE_METHODS = frozenset({"GET", "HEAD"})


class _HeldBack(Exception):
    """An attempt answered a transient 503, not sent: the next attempt may do better."""


class RetryTransientReads:
    """Runs a safe request up to ``attempts`` times while it answers a transient 503; the
    mark never leaves the service."""

    def __init__(
        self, app: ASGIApp, *, attempts: int = 3, first_wait_s: float = 0.1, max_wait_s: float = 1.0
    ) -> None:
        self.app = app
        self._attempts = attempts
        self._wait = exponential(multiplier=first_wait_s, max=max_wait_s)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in SAFE_METHODS:
            await self.app(scope, receive, _Unmarked(send, hold_back=False))
            return
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_HeldBack),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                last = attempt.retry_state.attempt_number >= self._attempts
                held = _Unmarked(send, hold_back=not last)
                await self.app(scope, _replayed(receive), held)
                if held.held_back:
                    raise _HeldBack


class _Unmarked:
    """`send` without the transient mark; with `hold_back`, a marked answer is not sent."""

    def __init__(self, send: Send, *, hold_back: bool) -> None:
        self._send = send
        self._hold_back = hold_back
        self.held_back = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = message.get("headers") or []
            marked = any(name == _MARK for name, _ in headers)
            if marked:
                message["headers"] = [(n, v) for n, v in headers if n != _MARK]
                self.held_back = self._hold_back
        if not self.held_back:
            await self._send(message)


def _replayed(receive: Receive) -> Receive:
    """The request of a safe method has no body to read twice: each attempt gets its own
    empty body, then waits on the connection (a disconnect) as usual."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return replay
