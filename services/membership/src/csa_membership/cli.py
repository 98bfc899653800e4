"""``csa membership ...``: the jobs of the membership service (the K8s CronJob runs expire)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated

import typer

from csa_membership.app import definition
from csa_membership.contracts.expiry import run_expiry
from csa_shared.clock import luxembourg_today
from csa_shared.settings import get_settings

app = typer.Typer(help="Membership contracts.", no_args_is_help=True)


async def _expire(as_of: date) -> list[str]:
    runtime = definition.build_runtime(get_settings(), subscribe=False)
    try:
        return await run_expiry(runtime, as_of=as_of)
    finally:
        await runtime.engine.dispose()


@app.command()
def expire(
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="day of the run (default: today)"),
    ] = None,
) -> None:
    """Expire every active contract whose validity ended before the day (emits contract.expired).

    The events are staged in the outbox; the running service's relay publishes them.
    """
    day = as_of.date() if as_of else luxembourg_today()
    expired = asyncio.run(_expire(day))
    typer.echo(f"{len(expired)} contract(s) expired as of {day.isoformat()}")
    for contract_id in expired:
        typer.echo(contract_id)
