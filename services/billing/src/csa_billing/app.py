"""Composition root of the billing service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from csa_billing import consumers, tables
from csa_shared.composition import ServiceDefinition
from csa_shared.runtime import ServiceRuntime


def _routers() -> list:
    from csa_billing.invoices.endpoints import router as invoices
    from csa_billing.payments.endpoints import router as payments
    from csa_billing.periods.endpoints import router as periods
    from csa_billing.privacy.endpoints import router as privacy
    from csa_billing.simulation.endpoints import router as simulations
    from csa_billing.usage.endpoints import router as usage

    return [simulations, periods, invoices, payments, privacy, usage]


def _serve(runtime: ServiceRuntime) -> None:
    """What a serving billing process runs beside its requests: the consumers, and the
    resume of closes a dead process left half-way."""
    from csa_billing.periods import jobs

    consumers.subscribe(runtime)
    jobs.resume_in_background(runtime)


definition = ServiceDefinition(
    name="billing",
    title="CSA billing service",
    description="Splits each week of care between parent and state; closes billing periods.",
    version="3.0.0",
    metadata=tables.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=_routers,
    subscribe=_serve,
)


def create_app() -> FastAPI:
    """ASGI factory: ``uvicorn --factory csa_billing.app:create_app``."""
    return definition.create_app()
