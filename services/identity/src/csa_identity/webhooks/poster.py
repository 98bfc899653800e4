"""HTTP delivery of one webhook (httpx): the answer's status and how long it took; any
failure to get an answer is reported, never raised."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

USER_AGENT = "csa-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str | None = None


class WebhookPoster:
    def __init__(self, *, timeout: float = 10.0, client: httpx.AsyncClient | None = None) -> None:
        # redirects are not followed: the target is the URL the client registered
        self._client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def post(self, url: str, *, body: str, headers: dict[str, str]) -> Outcome:
        started = time.perf_counter()
        try:
            response = await self._client.post(
                url, content=body.encode(), headers={**headers, "user-agent": USER_AGENT}
            )
        except httpx.HTTPError as exc:
            return Outcome(None, _since(started), f"{type(exc).__name__}: {exc}"[:1000])
        error = None if response.is_success else response.text[:200] or response.reason_phrase
        return Outcome(response.status_code, _since(started), error)

    async def aclose(self) -> None:
        await self._client.aclose()


def _since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
