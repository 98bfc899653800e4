"""Closes started over the API run in the background of the process serving the request.

The task is held here (per runtime and month) until it ends, so a second request for the
same month finds it instead of starting another; a close running in another process is
serialized by the period row lock (see ``service.close_period``). Progress is read from the
period row (``children_done`` / ``children_total``); a failed close, or one the runtime's
``stop()`` cancelled at shutdown, stays ``closing`` until it is started again, which resumes
it.
"""

from __future__ import annotations

import asyncio
import logging

from csa_billing.invoicing.service import CloseOptions, close_period
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

_RUNNING: dict[tuple[int, str], asyncio.Task[None]] = {}


def running(runtime: ServiceRuntime, month: str) -> asyncio.Task[None] | None:
    """The background close of ``month`` on this runtime, while it runs."""
    task = _RUNNING.get((id(runtime), month))
    return task if task is not None and not task.done() else None


def start(runtime: ServiceRuntime, month: str, options: CloseOptions) -> asyncio.Task[None]:
    """Start closing ``month`` in the background (or return the close already running)."""
    key = (id(runtime), month)
    task = running(runtime, month)
    if task is None:
        task = runtime.spawn(_run(runtime, month, options), name=f"billing close of {month}")
        _RUNNING[key] = task
        task.add_done_callback(lambda done: _finished(key, done))
    return task


async def _run(runtime: ServiceRuntime, month: str, options: CloseOptions) -> None:
    await close_period(runtime, month, options)


def _finished(key: tuple[int, str], task: asyncio.Task[None]) -> None:
    if _RUNNING.get(key) is task:
        del _RUNNING[key]
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("billing close of %s failed", key[1], exc_info=error)
