"""Guard for the instants passed into the domain: aware UTC only."""

from __future__ import annotations

from datetime import datetime


def require_aware(now: datetime) -> datetime:
    """Return ``now`` if it carries a time zone; naive instants are a programming error."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("identity instants must be timezone-aware (UTC)")
    return now
