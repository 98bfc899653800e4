"""Read-after-write tests: a client that reads right after its answer finds the change.

In process, ``httpx.ASGITransport`` waits for the whole app, so work an app does after
sending its response (a commit run late) would be over before the client's next request.
``answer_first(app)`` gives a client the answer as soon as the app has sent it and holds
whatever the app does after that until the client's next request has been answered: the
worst order HTTP allows, which a real client may meet. A read there that does not find
what the write answered shows a commit that ran after the response.

``WriteCoverage`` ties each write endpoint of an app to the test that reads it back, so a
new write endpoint without such a test fails its service's suite.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

WRITE_METHODS = ("post", "put", "patch", "delete")

F = TypeVar("F", bound=Callable[..., Any])


class _AnswerFirst:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.held: list[asyncio.Event] = []
        self.running: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        earlier, self.held = self.held, []
        answered, release = asyncio.Event(), asyncio.Event()

        async def send_then_hold(message: dict[str, Any]) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answered.set()
                await release.wait()

        task = asyncio.create_task(self.app(scope, receive, send_then_hold))
        self.running.add(task)
        task.add_done_callback(self.running.discard)
        waiting = asyncio.create_task(answered.wait())
        await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        for event in earlier:  # this request is answered: earlier ones may go on
            event.set()
        if task.done():
            task.result()  # an error before any answer is the caller's
            return
        self.held.append(release)

    async def drain(self) -> None:
        for event in self.held:
            event.set()
        await asyncio.gather(*self.running, return_exceptions=True)


@asynccontextmanager
async def answer_first(app: Any, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``app`` that gets each answer before the app's after-response work."""
    wrapped = _AnswerFirst(app)
    transport = httpx.ASGITransport(app=wrapped, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
    finally:
        await wrapped.drain()


def write_operations(app: FastAPI) -> set[str]:
    """``"POST /v1/contracts"``, … for every operation of ``app`` that may change data."""
    return {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method in WRITE_METHODS
    }


class WriteCoverage:
    """Which test reads back each write endpoint: ``@coverage.covers("POST /v1/x")``."""

    def __init__(self) -> None:
        self.covered: dict[str, str] = {}

    def covers(self, *operations: str) -> Callable[[F], F]:
        def mark(test: F) -> F:
            for operation in operations:
                self.covered[operation] = test.__name__
            return test

        return mark

    def assert_complete(self, app: FastAPI) -> None:
        writes = write_operations(app)
        missing = sorted(writes - set(self.covered))
        unknown = sorted(set(self.covered) - writes)
        assert not missing, f"write endpoints without a read-after-write test: {missing}"
        assert not unknown, f"read-after-write tests name no such endpoint: {unknown}"
