"""Composition root of the identity service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from csa_identity import tables
from csa_shared.composition import ServiceDefinition


def _routers() -> list:
    return []


definition = ServiceDefinition(
    name="identity",
    title="CSA identity service",
    description="Parent accounts, myCard codes, SMS one-time passwords and tokens.",
    version="1.0.0",
    metadata=tables.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=_routers,
)


def create_app() -> FastAPI:
    """ASGI factory: ``uvicorn --factory csa_identity.app:create_app``."""
    return definition.create_app()
