"""Closes started over the API run in the background of the process serving the request.

The task is one of the runtime's background jobs (``ServiceRuntime.spawn``), named after
its month, so a second request for the same month finds it instead of starting another; a
close running in another process is serialized by the period row lock (see
``service.close_period``). Progress is read from the period row (``children_done`` /
``children_total``); a failed close, or one the runtime's ``stop()`` cancelled at shutdown,
stays ``closing`` until it is started again, which resumes it.
"""

from __future__ import annotations

import asyncio
import logging

from csa_billing.invoicing.service import CloseOptions, close_period
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)


def running(runtime: ServiceRuntime, month: str) -> asyncio.Task[None] | None:
    """The background close of ``month`` on this runtime, while it runs."""
    name = _task_name(month)
    return next((t for t in runtime.background if t.get_name() == name and not t.done()), None)


def start(runtime: ServiceRuntime, month: str, options: CloseOptions) -> asyncio.Task[None]:
    """Start closing ``month`` in the background (or return the close already running)."""
    task = running(runtime, month)
    if task is None:
        task = runtime.spawn(_run(runtime, month, options), name=_task_name(month))
        task.add_done_callback(lambda done: _log_failure(month, done))
    return task


def _task_name(month: str) -> str:
    return f"billing close of {month}"


async def _run(runtime: ServiceRuntime, month: str, options: CloseOptions) -> None:
    await close_period(runtime, month, options)


def _log_failure(month: str, task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("billing close of %s failed", month, exc_info=error)
