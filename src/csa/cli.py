"""The ``csa`` command line: run the platform, migrate, and the rule look-ups."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from csa.services import definition
from csa_shared.db import upgrade_to_head
from csa_shared.events import TOPICS
from csa_shared.observability.logging import configure_logging
from csa_shared.observability.tracing import configure_tracing
from csa_shared.settings import SERVICES, ServiceName, Settings, get_settings

app = typer.Typer(
    name="csa",
    help="Chèque-service accueil platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, soft_wrap=True)

ServiceArg = Annotated[str, typer.Argument(help="identity, membership, attendance or billing")]


def _service(name: str) -> ServiceName:
    if name not in SERVICES:
        console.print(f"[red]unknown service {name!r}[/]; one of: {', '.join(SERVICES)}")
        raise typer.Exit(2)
    return name  # type: ignore[return-value]


def _settings() -> Settings:
    """The settings, or exit 2 with the reason (an unreadable ``*_FILE``, a bad value)."""
    try:
        return get_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        console.print(f"[red]settings:[/] {exc}")
        raise typer.Exit(2) from None


@app.command()
def migrate(service: ServiceArg) -> None:
    """Apply a service's pending database migrations (``all`` for every service)."""
    names = SERVICES if service == "all" else (_service(service),)
    settings = _settings()
    for name in names:
        asyncio.run(upgrade_to_head(settings.database_url(name), definition(name).migrations))
        console.print(f"{name}: database at head")


BackupDir = Annotated[Path, typer.Argument(help="directory of the backup")]
ServiceOption = Annotated[str, typer.Option(help="one service, or all")]


def _databases(service: str) -> dict[str, str]:
    settings = _settings()
    names = SERVICES if service == "all" else (_service(service),)
    return {name: settings.database_url(name) for name in names}


@app.command()
def backup(target: BackupDir, service: ServiceOption = "all") -> None:
    """Back up the services' databases into a directory (SQLite copies or pg_dump files)."""
    from csa.backup import BackupFailed
    from csa.backup import backup as back_up

    try:
        files = back_up(_databases(service), target)
    except BackupFailed as exc:
        console.print(f"[red]backup failed:[/] {exc}")
        raise typer.Exit(1) from None
    for name, file in files.items():
        console.print(f"{name}: {target / file}")


@app.command()
def restore(
    source: BackupDir,
    service: ServiceOption = "all",
    yes: Annotated[bool, typer.Option("--yes", help="replace the data without asking")] = False,
) -> None:
    """Replace the services' databases with a backup made by ``csa backup`` (stop them first)."""
    from csa.backup import BackupFailed
    from csa.backup import restore as put_back

    databases = _databases(service)
    if not yes and not typer.confirm(f"Replace the data of {', '.join(databases)}?"):
        raise typer.Exit(1)
    try:
        restored = put_back(databases, source)
    except BackupFailed as exc:
        console.print(f"[red]restore failed:[/] {exc}")
        raise typer.Exit(1) from None
    console.print(f"restored: {', '.join(restored) or 'nothing (no such service in the backup)'}")


@app.command()
def topics(
    partitions: Annotated[int, typer.Option(min=1, help="Partitions of a new topic")] = 3,
    replicas: Annotated[int, typer.Option(min=1, help="Replicas of a new topic")] = 1,
) -> None:
    """Create every event topic that does not exist yet on KAFKA_BOOTSTRAP_SERVERS, with its
    partitions and settings (idempotent; run it before the services start)."""
    from csa_shared.bus.admin import ensure_event_topics
    from csa_shared.bus.security import client_security

    settings = _settings()
    if not settings.kafka_bootstrap_servers:
        console.print("[red]topics:[/] KAFKA_BOOTSTRAP_SERVERS is not set")
        raise typer.Exit(2)
    try:
        security = client_security(settings)
        asyncio.run(
            ensure_event_topics(
                settings.kafka_bootstrap_servers, partitions=partitions,
                replication_factor=replicas, security=security,
            )
        )  # fmt: skip
    except Exception as exc:  # the broker's refusal, said in one line: the Job fails
        console.print(f"[red]topics:[/] {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from None
    console.print(f"topics ready: {', '.join(TOPICS.values())}")


@app.command()
def serve(service: ServiceArg) -> None:
    """Serve one service (production shape: its own database, Kafka bus)."""
    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    configure_tracing(settings, f"csa-{service}")
    served = definition(_service(service))
    problems = [] if settings.dev_mode else served.production_problems(settings)
    if problems:
        console.print(f"[red]csa serve {service}: refusing to start in production:[/]")
        for problem in problems:
            console.print(f"  - {problem}")
        console.print("Create the secrets as docs/DEPLOY.md says (CSA_DEV_MODE=true: development).")
        raise typer.Exit(2)
    web = served.create_app()
    _freeze_startup_objects()
    _listen(web, settings)


@app.command()
def run(
    demo: Annotated[bool, typer.Option(help="Load demo data at start")] = True,
) -> None:
    """Run the whole platform in one process on the embedded defaults."""
    from csa.embedded import create_embedded_app

    settings = get_settings().model_copy(update={"demo_data": demo, "dev_mode": True})
    configure_logging(settings.log_level, settings.log_format)
    configure_tracing(settings, "csa-embedded")
    web = create_embedded_app(settings)
    _freeze_startup_objects()
    base = f"http://{settings.http_host}:{settings.http_port}"
    console.print(f"[bold]CSA platform (embedded)[/] — data in {settings.var_dir.resolve()}")
    for name in SERVICES:
        console.print(f"  {name:<11} API {base}/{name}/v1   docs {base}/{name}/docs")
    console.print(f"  {'portal':<11} web {base}/portal/  (the parents' site)")
    console.print("Ctrl-C stops it.")
    _listen(web, settings)


def _listen(web: Any, settings: Settings) -> None:
    """uvicorn with our logging as configured; its access log off, since
    ``RequestContextMiddleware`` writes a structured access line (route, status, duration)."""
    import uvicorn

    uvicorn.run(
        web, host=settings.http_host, port=settings.http_port, log_config=None, access_log=False
    )


def _freeze_startup_objects() -> None:
    """Move what start-up allocated (modules, schemas, tables) out of the garbage collector's
    generations: every later collection would walk it again (20-30 % of ingest time).

    Then collect less often: a batch of 1 000 presences allocates some 50 000 objects, nearly
    all freed by reference counting; with the default thresholds (700, 10, 10) the collector
    took ~15 % of the ingest CPU (bench/bench_ingest.py), ~6 % with these."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _register_plugins() -> None:
    """Top-level rule look-ups from billing, and ``csa <service> ...`` sub-commands."""
    from importlib import import_module
    from importlib.util import find_spec

    from csa_billing.rules_cli import register

    register(app)
    from csa.docs_cli import app as docs_app

    app.add_typer(docs_app, name="docs")
    for name in SERVICES:
        if find_spec(f"csa_{name}.cli") is not None:
            app.add_typer(import_module(f"csa_{name}.cli").app, name=name)


_register_plugins()


def main() -> None:
    app()
