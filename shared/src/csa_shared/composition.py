"""The wiring every service's composition root repeats, written once."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from fastapi import APIRouter, FastAPI
from sqlalchemy import MetaData

from csa_shared.bus import EventBus
from csa_shared.http.app import create_service_app
from csa_shared.runtime import ServiceRuntime, build_bus
from csa_shared.settings import ServiceName, Settings, get_settings


class ServiceDefinition:
    """A service's name, tables, migrations, routers and consumer subscriptions.

    ``larger_bodies`` names the paths whose bodies may pass the service's limit, and by how
    much (from the settings), e.g. a batch ingest. ``idempotency_keys``: POSTs honour an
    ``Idempotency-Key`` header (off where responses carry secrets that must not be kept).
    """

    def __init__(
        self,
        *,
        name: ServiceName,
        title: str,
        description: str,
        version: str,
        metadata: MetaData,
        migrations: Path,
        routers: Callable[[], Sequence[APIRouter]],
        subscribe: Callable[[ServiceRuntime], None] | None = None,
        larger_bodies: Callable[[Settings], Mapping[str, int]] | None = None,
        idempotency_keys: bool = True,
    ) -> None:
        self.name = name
        self.title = title
        self.description = description
        self.version = version
        self.metadata = metadata
        self.migrations = migrations
        self.routers = routers
        self.subscribe = subscribe
        self.larger_bodies = larger_bodies
        self.idempotency_keys = idempotency_keys

    def build_runtime(
        self,
        settings: Settings | None = None,
        *,
        bus: EventBus | None = None,
        subscribe: bool = True,
    ) -> ServiceRuntime:
        """A runtime on ``settings``; ``subscribe=False`` leaves its consumers unsubscribed."""
        settings = settings or get_settings()
        runtime = ServiceRuntime(
            name=self.name,
            settings=settings,
            metadata=self.metadata,
            migrations=self.migrations,
            bus=bus or build_bus(settings, client_id=f"csa-{self.name}"),
            owns_bus=bus is None,
        )
        if subscribe and self.subscribe is not None:
            self.subscribe(runtime)
        return runtime

    def production_problems(self, settings: Settings) -> list[str]:
        """What production start-up (``csa serve`` without ``CSA_DEV_MODE``) refuses: a
        missing secret or a setting that cannot work. Empty: the service may start."""
        from csa_shared.bus.security import security_problems

        problems = security_problems(settings)
        variable = f"{self.name.upper()}_DATABASE_URL"
        configured = getattr(settings, f"{self.name}_database_url")
        if configured is None or not configured.get_secret_value():
            problems.append(f"{variable} (or {variable}_FILE) is not set")
        if self.name != "identity" and not settings.identity_url:  # identity: its own key
            from csa_shared.http.auth import token_verifier

            if not token_verifier(settings, self.name).has_keys:
                problems.append(
                    f"IDENTITY_URL is not set and {settings.jwks_file} holds no key: no token "
                    "could be verified (every request would answer 401)"
                )
        return problems

    def create_app(
        self,
        runtime: ServiceRuntime | None = None,
        *,
        manage_lifecycle: bool = True,
        migrate_on_start: bool = False,
    ) -> FastAPI:
        runtime = runtime or self.build_runtime()
        return create_service_app(
            runtime,
            title=self.title,
            description=self.description,
            version=self.version,
            routers=self.routers(),
            manage_lifecycle=manage_lifecycle,
            migrate_on_start=migrate_on_start,
            larger_bodies=self.larger_bodies(runtime.settings) if self.larger_bodies else None,
            idempotency_keys=self.idempotency_keys,
        )
