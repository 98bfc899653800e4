"""``csa identity ...``: key rotation and the print-shop export of the letter spool."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from csa_identity.adapters.letters import export_letters
from csa_identity.app import definition
from csa_identity.context import identity_of
from csa_shared.settings import get_settings

app = typer.Typer(help="Identity service: signing keys, letters.", no_args_is_help=True)


@app.command("rotate-keys")
def rotate_keys() -> None:
    """Create a new signing key; the previous keys stay in the JWKS until they age out."""

    async def run() -> str:
        runtime = definition.build_runtime(get_settings(), subscribe=False)
        try:
            keys = await identity_of(runtime).keys.rotate()
            return keys.current.kid
        finally:
            await runtime.engine.dispose()

    typer.echo(f"current signing key: {asyncio.run(run())}")


@app.command("export-letters")
def export(
    target: Annotated[Path, typer.Argument(help="Folder receiving one PDF per letter")],
) -> None:
    """Write every unexported letter as ``<id>.pdf`` for the print shop and mark it exported."""

    async def run() -> int:
        runtime = definition.build_runtime(get_settings(), subscribe=False)
        try:
            async with runtime.unit_of_work() as session:
                batch = await export_letters(session, now=identity_of(runtime).now())
                target.mkdir(parents=True, exist_ok=True)
                for letter_id, pdf in batch:
                    (target / f"{letter_id}.pdf").write_bytes(pdf)
            return len(batch)
        finally:
            await runtime.engine.dispose()

    typer.echo(f"exported {asyncio.run(run())} letter(s) to {target}")
