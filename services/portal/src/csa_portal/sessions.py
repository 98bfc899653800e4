"""Server-side sessions: the browser holds only a random id, the tokens stay here.

They live in this process's memory (lost at restart: the visitor logs in again). With
several replicas (Kubernetes: two to six), the portal's Ingress keeps each visitor on one
replica (a cookie-affinity route, deploy/k8s/base/portal/ingress.yaml); a replica that goes
away at scale-down or rollout takes its sessions with it. A shared store (Redis or the like,
entries encrypted at rest, the same idle expiry) would remove that; it is not built yet.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Session:
    id: str
    csrf_token: str
    access_token: str | None = None
    refresh_token: str | None = None
    pending: dict[str, Any] = field(default_factory=dict)  # a login/registration in progress
    touched: float = 0.0

    @property
    def signed_in(self) -> bool:
        return self.access_token is not None


class SessionStore:
    """Sessions by id, least recently used first; idle ones expire, the oldest go when full."""

    def __init__(
        self, idle_seconds: int, max_sessions: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._idle = idle_seconds
        self._max = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def new(self) -> Session:
        self._expire()
        while len(self._sessions) >= self._max:
            self._sessions.popitem(last=False)
        session = Session(
            id=secrets.token_urlsafe(32),
            csrf_token=secrets.token_urlsafe(32),
            touched=self._clock(),
        )
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self._clock()
        if now - session.touched > self._idle:
            del self._sessions[session_id]
            return None
        session.touched = now
        self._sessions.move_to_end(session_id)
        return session

    def rotate(self, session: Session) -> Session:
        """A new id (and CSRF token) for the same visitor: at sign-in, against fixation."""
        self._sessions.pop(session.id, None)
        fresh = self.new()
        fresh.access_token, fresh.refresh_token = session.access_token, session.refresh_token
        return fresh

    def drop(self, session: Session) -> None:
        self._sessions.pop(session.id, None)

    def _expire(self) -> None:
        limit = self._clock() - self._idle
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if oldest.touched >= limit:
                break
            self._sessions.popitem(last=False)

    def __len__(self) -> int:
        return len(self._sessions)
