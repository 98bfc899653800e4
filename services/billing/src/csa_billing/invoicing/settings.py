"""Settings of the period close."""

from __future__ import annotations

import os

DEFAULT_GRACE_DAYS = 5
DEFAULT_CHUNK = 1000
DEFAULT_WORKERS = 0


def grace_days() -> int:
    """Days after a period's end before it may be closed (``BILLING_CLOSE_GRACE_DAYS``)."""
    return int(os.environ.get("BILLING_CLOSE_GRACE_DAYS", DEFAULT_GRACE_DAYS))


def close_workers() -> int:
    """Worker processes computing a close's bills while the close's process reads and
    writes the next chunk (``BILLING_CLOSE_WORKERS``; 0: bills computed in one thread of
    the close's process, which is faster on a machine with few cores)."""
    return max(0, int(os.environ.get("BILLING_CLOSE_WORKERS", DEFAULT_WORKERS)))
