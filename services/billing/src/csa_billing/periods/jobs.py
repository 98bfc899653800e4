"""Closes started over the API run in the background of the process serving the request.

The task is one of the runtime's background jobs (``ServiceRuntime.spawn``), named after
its month, so a second request for the same month finds it instead of starting another; a
close running in another process is serialized by the period row lock (see
``close.close_period``). Progress is read from the period row (``children_done`` /
``children_total``); a failed close, or one the runtime's ``stop()`` cancelled at shutdown,
stays ``closing`` until it is started again, which resumes it.

A close is resumed without anyone asking: the process running it holds the month's lease
(``csa_shared.db.lease``, lost when the process dies), every serving replica looks for
periods left ``closing`` each ``RESUME_EVERY_S`` and resumes those whose lease is free, and
``csa billing close`` (the CronJob) resumes them too before it closes its own month.
"""

from __future__ import annotations

import asyncio
import logging

from csa_billing.periods import repository
from csa_billing.periods.close import CloseOptions, close_period
from csa_shared.db.lease import lease
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

RESUME_EVERY_S = 60.0


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
    await close_if_free(runtime, month, options)


async def close_if_free(runtime: ServiceRuntime, month: str, options: CloseOptions) -> bool:
    """Close ``month`` holding its lease; False (nothing done) when another process holds
    it, i.e. is closing the month now."""
    async with lease(runtime.engine, f"csa-billing-close:{month}") as mine:
        if mine:
            await close_period(runtime, month, options)
        else:
            log.info("billing close of %s runs in another process", month)
        return mine


async def left_closing(runtime: ServiceRuntime) -> list[str]:
    """The months whose close started and has not finished, oldest first."""
    async with runtime.sessions() as session:
        return await repository.closing_months(session)


async def resume_closes(runtime: ServiceRuntime, options: CloseOptions | None = None) -> list[str]:
    """Finish, one after the other, every close left half-way that no process is running;
    returns the months resumed here."""
    resumed = []
    for month in await left_closing(runtime):
        if await close_if_free(runtime, month, options or CloseOptions()):
            resumed.append(month)
    return resumed


async def keep_resuming(runtime: ServiceRuntime, every_s: float = RESUME_EVERY_S) -> None:
    """Each ``every_s``, start in the background the close of every month left
    ``closing`` (a task that finds the lease taken ends at once)."""
    while True:
        await asyncio.sleep(every_s)
        try:
            for month in await left_closing(runtime):
                if running(runtime, month) is None:
                    log.warning("resuming the billing close of %s left half-way", month)
                    start(runtime, month, CloseOptions())
        except Exception:  # the database away: the next round tries again
            log.warning("could not look for billing closes to resume", exc_info=True)


def resume_in_background(runtime: ServiceRuntime) -> None:
    """Have ``runtime.start()`` run ``keep_resuming`` (serving processes)."""
    runtime.at_start["billing close resumer"] = lambda: keep_resuming(runtime)


def _log_failure(month: str, task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("billing close of %s failed", month, exc_info=error)
