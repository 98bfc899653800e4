"""``csa identity ...``: key rotation and the print-shop export of the letter spool."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from csa_identity.adapters.letters import export_letters
from csa_identity.app import definition
from csa_identity.context import identity_of
from csa_identity.domain.principals import AgentKind
from csa_identity.principals import service
from csa_shared.settings import get_settings

app = typer.Typer(
    help="Identity service: signing keys, letters, agents, provider clients.", no_args_is_help=True
)


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


@app.command("create-agent")
def create_agent(
    agent_id: Annotated[str, typer.Argument(help="Login name of the agent")],
    kind: Annotated[AgentKind, typer.Option(help="commune, cae, dageselteren or privacy-officer")],
    commune: Annotated[str | None, typer.Option(help="Required for a commune agent")] = None,
    office: Annotated[str | None, typer.Option(help="Office of a CAE/agency agent")] = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Register an agent (bootstrap: the first CAE agent administers the rest); prints the
    TOTP provisioning URI once, for the authenticator app."""

    async def run() -> str:
        runtime = definition.build_runtime(get_settings(), subscribe=False)
        try:
            _agent, uri = await service.create_agent(
                runtime,
                agent_id=agent_id,
                kind=kind,
                password=password,
                commune=commune,
                office=office,
            )
            return uri
        finally:
            await runtime.engine.dispose()

    typer.echo(f"TOTP provisioning URI (shown once): {asyncio.run(run())}")


@app.command("create-client")
def create_client(
    provider_id: Annotated[str, typer.Argument(help="The provider the client acts for")],
    client_id: Annotated[str | None, typer.Option(help="Default: <provider>-<random>")] = None,
) -> None:
    """Register a provider system's OAuth2 client; prints the secret once."""

    async def run() -> tuple[str, str]:
        runtime = definition.build_runtime(get_settings(), subscribe=False)
        try:
            client, secret = await service.create_client(
                runtime, provider_id=provider_id, client_id=client_id
            )
            return client.client_id, secret
        finally:
            await runtime.engine.dispose()

    created, secret = asyncio.run(run())
    typer.echo(f"client_id: {created}\nclient_secret (shown once): {secret}")
