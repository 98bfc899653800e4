"""Composition root of the identity service."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request

from csa_identity import consumers, tables, wellknown
from csa_identity.adapters.keys import signing_key_problem
from csa_identity.context import attach_context, configured_pepper, identity_of
from csa_identity.principals import oauth
from csa_identity.webhooks import described
from csa_identity.webhooks.settings import webhook_problems
from csa_shared.bus import EventBus
from csa_shared.composition import ServiceDefinition
from csa_shared.http.app import runtime_of
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings, get_settings


async def keys_loaded(request: Request) -> None:
    """Load (or create) the signing keys before any identity endpoint verifies or signs."""
    await identity_of(runtime_of(request)).keys.key_set()


def _routers() -> Sequence[APIRouter]:
    from csa_identity.accounts.activation.endpoints import router as activation
    from csa_identity.accounts.endpoints import router as accounts
    from csa_identity.accounts.sessions.endpoints import router as sessions
    from csa_identity.office.endpoints import router as office
    from csa_identity.principals.endpoints import router as principals
    from csa_identity.privacy.endpoints import router as privacy
    from csa_identity.webhooks.endpoints import router as webhooks

    api = APIRouter(dependencies=[Depends(keys_loaded)])
    for router in (accounts, sessions, activation, office, principals, privacy, webhooks):
        api.include_router(router)
    return [api]


class IdentityDefinition(ServiceDefinition):
    """Adds identity's context (keys, hashers, SMS gateway) to every runtime, the JWKS route
    outside ``/v1``, the domain-error mapping and, with ``CSA_DEV_MODE`` (``csa run``), the
    dev endpoints."""

    def production_problems(self, settings: Settings) -> list[str]:
        problems = super().production_problems(settings)
        key = signing_key_problem(settings.identity_signing_key_file)
        if key is not None:
            problems.append(key)
        try:
            if configured_pepper(settings) is None:
                problems.append(
                    "IDENTITY_CODE_PEPPER (or _FILE) is not set: every replica needs the same "
                    "one, or codes sent by one replica fail on the others"
                )
        except ValueError as exc:
            problems.append(str(exc))
        if not settings.sms_gateway_url:
            problems.append("SMS_GATEWAY_URL is not set (codes would never reach the parents)")
        if settings.sms_gateway_token is None or not settings.sms_gateway_token.get_secret_value():
            problems.append("SMS_GATEWAY_TOKEN (or _FILE) is not set")
        problems += webhook_problems()
        return problems

    def build_runtime(
        self,
        settings: Settings | None = None,
        *,
        bus: EventBus | None = None,
        subscribe: bool = True,
    ) -> ServiceRuntime:
        runtime = super().build_runtime(settings, bus=bus, subscribe=False)
        attach_context(runtime)
        if subscribe:
            consumers.subscribe(runtime)
        return runtime

    def create_app(
        self,
        runtime: ServiceRuntime | None = None,
        *,
        manage_lifecycle: bool = True,
        migrate_on_start: bool = False,
    ) -> FastAPI:
        runtime = runtime or self.build_runtime()
        app = super().create_app(
            runtime, manage_lifecycle=manage_lifecycle, migrate_on_start=migrate_on_start
        )
        app.include_router(wellknown.router)
        app.include_router(oauth.discovery)
        described.describe(app)  # the webhooks' payloads, in the OpenAPI document
        if runtime.settings.dev_mode:
            from csa_identity.dev.endpoints import router as dev

            app.include_router(dev, prefix="/v1")
        return app


definition = IdentityDefinition(
    name="identity",
    title="CSA identity service",
    description="Parent accounts, myCard codes, SMS one-time passwords and tokens.",
    version="2.0.0",
    metadata=tables.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=_routers,
    idempotency_keys=False,  # its POSTs answer tokens and secrets, never kept at rest
)


def create_app() -> FastAPI:
    """ASGI factory: ``uvicorn --factory csa_identity.app:create_app``."""
    return definition.create_app(definition.build_runtime(get_settings()))
