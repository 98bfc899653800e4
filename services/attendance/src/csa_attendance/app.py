"""Composition root of the attendance service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from csa_attendance import consumers, tables
from csa_shared.composition import ServiceDefinition
from csa_shared.settings import Settings


def _routers() -> list:
    from csa_attendance.meals.endpoints import router as meals
    from csa_attendance.presences.endpoints import router as presences
    from csa_attendance.privacy.endpoints import router as privacy
    from csa_attendance.registry.endpoints import router as registry
    from csa_attendance.sheets.endpoints import router as sheets

    return [registry, presences, meals, sheets, privacy]


def _larger_bodies(settings: Settings) -> dict[str, int]:
    """The batch ingest carries up to 1000 items (its benchmark posts 1000 presences)."""
    return {"/v1/declarations/batch": settings.attendance_batch_max_body_bytes}


definition = ServiceDefinition(
    name="attendance",
    title="CSA attendance service",
    description=(
        "Provider registry, education contracts, and the ingest of presences, meals and "
        "reservations from provider systems (OAuth2 client-credentials tokens)."
    ),
    version="4.0.0",
    metadata=tables.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=_routers,
    subscribe=consumers.subscribe,
    larger_bodies=_larger_bodies,
)


def create_app() -> FastAPI:
    """ASGI factory: ``uvicorn --factory csa_attendance.app:create_app``."""
    return definition.create_app()
