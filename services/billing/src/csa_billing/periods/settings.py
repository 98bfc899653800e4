"""Settings of the period close (fields of ``csa_shared.settings.Settings``)."""

from __future__ import annotations

from csa_shared.settings import get_settings

DEFAULT_CHUNK = 1000


def grace_days() -> int:
    """Days after a period's end before it may be closed (``BILLING_CLOSE_GRACE_DAYS``)."""
    return get_settings().billing_close_grace_days


def close_workers() -> int:
    """Worker processes computing a close's bills while the close's process reads and
    writes the next chunk (``BILLING_CLOSE_WORKERS``; 0: bills computed in one thread of
    the close's process, which is faster on a machine with few cores)."""
    return get_settings().billing_close_workers


def closes_in_this_process() -> bool:
    """Whether an agent's close request runs the close in the API process
    (``BILLING_CLOSE_RUNNER=process``), or only records the period as closing for the
    Job that runs ``csa billing close --pending`` (``job``: Kubernetes, where a scale-down
    may stop an API pod at any time)."""
    return get_settings().billing_close_runner == "process"
