"""`csa billing close --month YYYY-MM` (or `--previous-month` for the CronJob)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from csa_billing.periods import jobs
from csa_billing.periods.close import CloseOptions, close_period
from csa_billing.periods.repository import closing_months
from csa_billing.periods.settings import DEFAULT_CHUNK
from csa_shared.clock import luxembourg_today
from csa_shared.errors import ApplicationError
from csa_shared.rules.periods import billing_period_of

app = typer.Typer(help="Billing: close billing periods.", no_args_is_help=True)
console = Console(stderr=True)


def previous_month() -> str:
    """The month of the last period that ended before today (Luxembourg's date)."""
    today = luxembourg_today()
    current = billing_period_of(today)
    return billing_period_of(current.start - timedelta(days=1)).month


@app.callback()
def billing() -> None:
    """Billing service commands."""


@app.command()
def close(
    month: Annotated[str | None, typer.Option(help="Billing month YYYY-MM")] = None,
    previous: Annotated[
        bool, typer.Option("--previous-month", help="The last ended period")
    ] = False,
    chunk_size: Annotated[int, typer.Option(help="Children per transaction")] = DEFAULT_CHUNK,
    pending: Annotated[
        bool,
        typer.Option(
            "--pending",
            help="Every period still closing: requested by an agent (BILLING_CLOSE_RUNNER=job) "
            "or interrupted",
        ),
    ] = False,
) -> None:
    """Close a billing period: invoices, statements, adjustments, then publish. Refused
    before the period's grace days have passed (Luxembourg's date)."""
    if not month and not previous and not pending:
        console.print("[red]give --month YYYY-MM, --previous-month or --pending[/]")
        raise typer.Exit(2)
    targets = None if pending else [month or previous_month()]
    try:
        rows = asyncio.run(_close(targets, chunk_size))
    except ApplicationError as exc:
        console.print(f"[red]{exc.detail}[/]")
        raise typer.Exit(1) from exc
    if not rows:
        console.print("no period is waiting to be closed")
    for row in rows:
        console.print(
            f"{row.month}: {row.status}, {row.children_total} children, "
            f"parent {row.parent_total} EUR, state {row.state_total} EUR"
        )


async def _close(months: list[str] | None, chunk_size: int) -> list[Any]:
    """Close ``months`` (None: every period recorded as closing), then publish."""
    from csa.services import definition

    runtime = definition("billing").build_runtime(subscribe=False)
    await runtime.start(migrate=True)
    try:
        if months is None:
            async with runtime.sessions() as session:
                months = await closing_months(session)
        rows = []
        for month in months:
            with Progress(console=console) as bar:
                task = bar.add_task(f"closing {month}", total=None)

                def progress(done: int, total: int, task: Any = task, bar: Any = bar) -> None:
                    bar.update(task, completed=done, total=total)

                options = CloseOptions(chunk_size=chunk_size, progress=progress)
                for resumed in await jobs.resume_closes(runtime, options):
                    console.print(f"{resumed}: resumed the close left half-way")
                rows.append(await close_period(runtime, month, options))
        await runtime.relay.publish_pending()
        return rows
    finally:
        await runtime.stop()
