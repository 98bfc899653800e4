"""Settings of the period close."""

from __future__ import annotations

import os

DEFAULT_GRACE_DAYS = 5
DEFAULT_CHUNK = 500


def grace_days() -> int:
    """Days after a period's end before it may be closed (``BILLING_CLOSE_GRACE_DAYS``)."""
    return int(os.environ.get("BILLING_CLOSE_GRACE_DAYS", DEFAULT_GRACE_DAYS))
